-- metric: channel-funnel
-- Strict ordered funnel over $steps: an order counts at step k when it reached step k and every
-- earlier step, each no earlier than the one before, all within $window_hours of the first step
-- (NULL: no window). `kept` is reached at the delivered time by orders with no returned/refunded
-- event. Per group: count per step, conversion from the previous and first step, drop-off, the
-- time from the previous step (median, mean) and the worst step (lowest conversion from previous).
-- params: $tenant, $stage_names, $step_keys, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $group_by, $steps, $window_hours
-- columns: group string, step_index integer, step string, orders integer, conversion_from_previous number, conversion_from_first number, drop_off integer, drop_off_rate number, median_hours_from_previous number, mean_hours_from_previous number, is_worst_step boolean
-- NOT MATERIALIZED: read more than once, and rescanning the columns each reader needs beats
-- DuckDB's default of materializing every column of every order in scope (at 10M orders, spilling).
WITH scoped AS NOT MATERIALIZED (
  SELECT *, op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id) AS grp,
    coalesce(list_contains(stage_keys, list_position($stage_names, 'returned')), false)
      OR coalesce(list_contains(stage_keys, list_position($stage_names, 'refunded')), false) AS undone
  FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
), steps AS (
  SELECT unnest($steps) AS step, generate_subscripts($steps, 1) AS k
), timelines AS (
  -- Per order, the time it reached each step (NULL: never, or `kept` undone by a return or refund);
  -- `kept` is read at the delivered time ($step_keys).
  SELECT grp, len($steps) AS n,
    list_transform(range(1, len($steps) + 1), i ->
      CASE WHEN $steps[i] = 'kept' AND undone THEN NULL ELSE stage_at[list_position(stage_keys, $step_keys[i])] END) AS t
  FROM scoped
), depths AS (
  -- An order counts at step i when it reached every step up to i, each no earlier than the one
  -- before, all within $window_hours of the first: the number of leading steps that hold.
  SELECT grp, t,
    coalesce(list_position(list_transform(range(1, n + 1), i ->
      coalesce(t[i] IS NOT NULL AND (i = 1 OR t[i] >= t[i - 1])
               AND ($window_hours IS NULL OR op_hours(t[1], t[i]) <= $window_hours), false)), false), n + 1) - 1 AS depth
  FROM timelines
), reached AS (
  SELECT grp, t, unnest(range(1, depth + 1)) AS k FROM depths WHERE depth > 0
), per_step AS (
  -- Times from the previous step in whole microseconds (op_us) until the end.
  SELECT grp, k, count(*)::INTEGER AS orders,
    op_us_hours(quantile_cont(op_us(t[k - 1], t[k]), 0.5) FILTER (k > 1)) AS median_hours_from_previous,
    op_us_hours(avg(op_us(t[k - 1], t[k])) FILTER (k > 1)) AS mean_hours_from_previous
  FROM reached GROUP BY ALL
), counts AS (
  SELECT g.grp, s.k, s.step, coalesce(p.orders, 0) AS orders, p.median_hours_from_previous, p.mean_hours_from_previous
  FROM (SELECT DISTINCT grp FROM scoped) g CROSS JOIN steps s
  LEFT JOIN per_step p ON p.grp IS NOT DISTINCT FROM g.grp AND p.k = s.k
), rates AS (
  SELECT *,
    lag(orders) OVER g AS previous_orders,
    first_value(orders) OVER g AS first_orders
  FROM counts WINDOW g AS (PARTITION BY grp ORDER BY k)
), conversions AS (
  SELECT *, orders::DOUBLE / nullif(previous_orders, 0) AS conversion_from_previous FROM rates
)
SELECT grp AS "group", k::INTEGER AS step_index, step, orders,
  conversion_from_previous,
  orders::DOUBLE / nullif(first_orders, 0) AS conversion_from_first,
  (previous_orders - orders)::INTEGER AS drop_off,
  1 - conversion_from_previous AS drop_off_rate,
  median_hours_from_previous, mean_hours_from_previous,
  k > 1 AND conversion_from_previous IS NOT NULL
    AND row_number() OVER (PARTITION BY grp ORDER BY conversion_from_previous ASC NULLS LAST, k) = 1 AS is_worst_step
FROM conversions
ORDER BY grp NULLS FIRST, k
