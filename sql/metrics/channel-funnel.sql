-- metric: channel-funnel
-- Ordered funnel over $steps: an order counts at step k when it reached step k and every earlier
-- step by $as_of, all within $window_hours of the first step (NULL: no window); under $strict each
-- no earlier than the one before, otherwise a step reached before the previous one still counts and
-- is `out_of_order`. An order that stopped at step k − 1 and is undecided as of $as_of (no terminal
-- stage yet, and its window, if any, still open) is `in_flight` at step k, not a drop-off:
-- conversions are over decided orders. `kept` is reached at the delivered time by orders with no
-- returned/refunded event. Per group: count, in flight and out of order per step, conversion from
-- the previous and first step, drop-off, the time from the previous step over orders that reached
-- it in order (median, mean), and the worst step (lowest conversion from previous, below 1).
-- The default funnel comes from the rollups when $rollup (the scope is whole local days with at
-- most a channel filter, grouped by channel or not at all: sql/README.md, "Rollups").
-- params: $tenant, $stage_names, $step_keys, $kept_index, $precomputed, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $group_by, $steps, $window_hours, $strict, $as_of, $rollup, $from_day, $to_day, $months_from, $months_to, $head_from, $head_to, $tail_from, $tail_to
-- columns: group string, step_index integer, step string, orders integer, in_flight integer, out_of_order integer, conversion_from_previous number, conversion_from_first number, drop_off integer, drop_off_rate number, median_hours_from_previous number, mean_hours_from_previous number, is_worst_step boolean
WITH scoped AS (
  SELECT *, op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id) AS grp
  FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
  WHERE NOT $rollup
), steps AS (
  SELECT unnest($steps) AS step, generate_subscripts($steps, 1) AS k
), per_order AS (
  -- Per order: how many leading steps it reached (op_funnel_depth), the microseconds from each to
  -- the next, and whether it is in flight at the step after its last. The default funnel
  -- ($precomputed: default steps, no window, order=any, as of the latest event, by which every
  -- settled order has settled) is kept per order at import by the same macros (order_facts.
  -- funnel_depth, funnel_us; schema/007).
  SELECT grp, funnel_depth AS depth, funnel_us AS gaps,
    funnel_depth BETWEEN 1 AND len($steps) - 1 AND settled_at IS NULL AS in_flight
  FROM scoped WHERE $precomputed
  UNION ALL
  SELECT grp, depth, op_funnel_gaps(t, depth),
    depth BETWEEN 1 AND len(t) - 1 AND NOT coalesce(settled_at <= $as_of::TIMESTAMPTZ, false)
      AND ($window_hours IS NULL OR op_hours(t[1], $as_of::TIMESTAMPTZ) < $window_hours)
  FROM (
    SELECT grp, t, settled_at, op_funnel_depth(t, $window_hours, $strict) AS depth FROM (
      -- A step reached after $as_of is not reached yet.
      SELECT grp, settled_at, list_transform(op_funnel_times(stage_keys, stage_at, $step_keys, $kept_index, op_undone(stage_keys, $stage_names)),
          x -> CASE WHEN x <= $as_of::TIMESTAMPTZ THEN x END) AS t
      FROM scoped WHERE NOT $precomputed
    )
  )
), rolled AS (
  -- Measures 1..n: the orders that reached each step (bucket -1: out of order); n + 1..2n: in flight.
  SELECT * FROM op_duration_quantiles($tenant, $from_day::DATE, $to_day::DATE, $months_from::DATE, $months_to::DATE, $head_from::DATE,
    $head_to::DATE, $tail_from::DATE, $tail_to::DATE, $channels, $group_by = 'channel', NULL, 1, 2 * len($steps), [0.5])
  WHERE $rollup
), rolled_groups AS (
  -- Every order reached step 1, so every group in scope has its histogram.
  SELECT DISTINCT gkey FROM rolled WHERE measure = 1
), counts AS (
  -- Per group and step k: the orders that reached it, and the time from the step before over those
  -- that reached it in order (gaps[k - 1]: NULL at k = 1 and past an order's depth). A cross join
  -- with the few steps reads each order's gaps in place (unnesting them: 230 ms against 171 at 1M
  -- orders). Every group in scope gets every step.
  SELECT o.grp, s.k, s.step, count_if(o.depth >= s.k)::INTEGER AS orders,
    count_if(o.in_flight AND o.depth = s.k - 1)::INTEGER AS in_flight,
    count_if(coalesce(o.gaps[s.k - 1] < 0, false))::INTEGER AS out_of_order,
    op_us_hours(quantile_cont(o.gaps[s.k - 1], 0.5) FILTER (o.gaps[s.k - 1] >= 0)) AS median_hours_from_previous,
    op_us_hours(avg(o.gaps[s.k - 1]) FILTER (o.gaps[s.k - 1] >= 0)) AS mean_hours_from_previous
  FROM per_order o CROSS JOIN steps s
  -- A group whose orders never entered the funnel (by $as_of) has no row, as in the histograms.
  WHERE o.depth >= 1
  GROUP BY o.grp, s.k, s.step
  UNION ALL
  -- The same from the default funnel's histograms: step k's holds the orders that reached it
  -- (step 1: 0 µs each; later steps: the gap from step k − 1, a negative one apart).
  SELECT nullif(g.gkey, ''), s.k, s.step, (coalesce(r.orders, 0) + coalesce(r.negatives, 0))::INTEGER,
    coalesce(f.orders, 0)::INTEGER, coalesce(r.negatives, 0)::INTEGER,
    CASE WHEN s.k > 1 THEN op_us_hours(r.q[1]) END, CASE WHEN s.k > 1 THEN op_us_hours(r.sum_us / nullif(r.orders, 0)) END
  FROM rolled_groups g CROSS JOIN steps s
  LEFT JOIN rolled r ON r.gkey = g.gkey AND r.measure = s.k
  LEFT JOIN rolled f ON f.gkey = g.gkey AND f.measure = len($steps) + s.k
), rates AS (
  SELECT *,
    lag(orders) OVER g - in_flight AS decided,
    first_value(orders) OVER g - sum(in_flight) OVER g AS decided_from_first
  FROM counts WINDOW g AS (PARTITION BY grp ORDER BY k)
), conversions AS (
  SELECT *, orders::DOUBLE / nullif(decided, 0) AS conversion_from_previous FROM rates
)
SELECT grp AS "group", k::INTEGER AS step_index, step, orders, in_flight, out_of_order,
  conversion_from_previous,
  orders::DOUBLE / nullif(decided_from_first, 0) AS conversion_from_first,
  (decided - orders)::INTEGER AS drop_off,
  1 - conversion_from_previous AS drop_off_rate,
  median_hours_from_previous, mean_hours_from_previous,
  -- A step that lost no decided order is no one's worst step.
  k > 1 AND conversion_from_previous < 1
    AND row_number() OVER (PARTITION BY grp ORDER BY conversion_from_previous ASC NULLS LAST, k) = 1 AS is_worst_step
FROM conversions
ORDER BY grp NULLS FIRST, k
