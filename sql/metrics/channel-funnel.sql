-- metric: channel-funnel
-- Strict ordered funnel over $steps: an order counts at step k when it reached step k and every
-- earlier step, each no earlier than the one before, all within $window_hours of the first step
-- (NULL: no window). `kept` is reached at the delivered time by orders with no returned/refunded
-- event. Per group: count per step, conversion from the previous and first step, drop-off, the
-- time from the previous step (median, mean) and the worst step (lowest conversion from previous).
-- params: $tenant, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $group_by, $steps, $window_hours
-- columns: group string, step_index integer, step string, orders integer, conversion_from_previous number, conversion_from_first number, drop_off integer, drop_off_rate number, median_hours_from_previous number, mean_hours_from_previous number, is_worst_step boolean
WITH scoped AS (
  SELECT *, op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id) AS grp
  FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
), stage_times AS (
  SELECT s.* FROM op_stage_times($tenant) s JOIN scoped o ON o.channel = s.channel AND o.order_id = s.order_id
), kept AS (
  SELECT d.channel, d.order_id, 'kept' AS stage, d."at"
  FROM stage_times d
  WHERE d.stage = 'delivered'
    AND NOT EXISTS (SELECT 1 FROM stage_times r WHERE r.channel = d.channel AND r.order_id = d.order_id AND r.stage IN ('returned', 'refunded'))
), reachable AS (
  SELECT * FROM stage_times UNION ALL SELECT * FROM kept
), steps AS (
  SELECT unnest($steps) AS step, generate_subscripts($steps, 1) AS k
), timeline AS (
  SELECT o.channel, o.order_id, o.grp, s.k, s.step, r."at"
  FROM scoped o CROSS JOIN steps s
  LEFT JOIN reachable r ON r.channel = o.channel AND r.order_id = o.order_id AND r.stage = s.step
), checked AS (
  SELECT *,
    coalesce("at" IS NOT NULL
      AND (k = 1 OR "at" >= lag("at") OVER w)
      AND ($window_hours IS NULL OR op_hours(first_value("at") OVER w, "at") <= $window_hours), false) AS ok,
    op_hours(lag("at") OVER w, "at") AS hours_from_previous
  FROM timeline
  WINDOW w AS (PARTITION BY channel, order_id ORDER BY k)
), reached AS (
  SELECT *, bool_and(ok) OVER (PARTITION BY channel, order_id ORDER BY k ROWS UNBOUNDED PRECEDING) AS reached FROM checked
), counts AS (
  SELECT grp, k, step,
    count(*) FILTER (reached)::INTEGER AS orders,
    quantile_cont(hours_from_previous, 0.5) FILTER (reached AND k > 1) AS median_hours_from_previous,
    avg(hours_from_previous) FILTER (reached AND k > 1) AS mean_hours_from_previous
  FROM reached GROUP BY ALL
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
