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
-- params: $tenant, $stage_names, $kept_index, $precomputed, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $group_by, $steps, $window_hours, $strict, $as_of, $rollup, $from_day, $to_day, $months_from, $months_to, $head_from, $head_to, $tail_from, $tail_to
-- columns: group string, step_index integer, step string, orders integer, in_flight integer, out_of_order integer, conversion_from_previous number, conversion_from_first number, drop_off integer, drop_off_rate number, median_hours_from_previous number, mean_hours_from_previous number, is_worst_step boolean
WITH scoped AS (
  SELECT *, op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id) AS grp
  FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
  WHERE NOT $rollup
), steps AS (
  SELECT unnest($steps) AS step, generate_subscripts($steps, 1) AS k
), timed AS (
  -- Each step's time as a column (t1..t10; op_stage_at reads the stage columns, schema/022), not
  -- a list per order: custom steps over lists and lambdas took 796 ms per 1M orders, 172 over columns. A step reached
  -- after $as_of is not reached yet.
  SELECT grp, settled_at, CASE WHEN s1 <= $as_of::TIMESTAMPTZ THEN s1 END AS t1, CASE WHEN s2 <= $as_of::TIMESTAMPTZ THEN s2 END AS t2, CASE WHEN s3 <= $as_of::TIMESTAMPTZ THEN s3 END AS t3, CASE WHEN s4 <= $as_of::TIMESTAMPTZ THEN s4 END AS t4, CASE WHEN s5 <= $as_of::TIMESTAMPTZ THEN s5 END AS t5, CASE WHEN s6 <= $as_of::TIMESTAMPTZ THEN s6 END AS t6, CASE WHEN s7 <= $as_of::TIMESTAMPTZ THEN s7 END AS t7, CASE WHEN s8 <= $as_of::TIMESTAMPTZ THEN s8 END AS t8, CASE WHEN s9 <= $as_of::TIMESTAMPTZ THEN s9 END AS t9, CASE WHEN s10 <= $as_of::TIMESTAMPTZ THEN s10 END AS t10
  FROM (
    SELECT grp, settled_at,
        op_funnel_step_at($steps, 1, undone, $stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s1,
        op_funnel_step_at($steps, 2, undone, $stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s2,
        op_funnel_step_at($steps, 3, undone, $stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s3,
        op_funnel_step_at($steps, 4, undone, $stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s4,
        op_funnel_step_at($steps, 5, undone, $stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s5,
        op_funnel_step_at($steps, 6, undone, $stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s6,
        op_funnel_step_at($steps, 7, undone, $stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s7,
        op_funnel_step_at($steps, 8, undone, $stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s8,
        op_funnel_step_at($steps, 9, undone, $stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s9,
        op_funnel_step_at($steps, 10, undone, $stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at) AS s10
    FROM (SELECT *, $kept_index > 0 AND op_undone(stage_keys, $stage_names) AS undone FROM scoped WHERE NOT $precomputed)
  )
), per_order AS (
  -- Per order: how many leading steps it reached (op_funnel_reached: within the window, and under
  -- $strict no earlier than the step before), whether it is in flight at the step after its last,
  -- and the microseconds from step k − 1 to step k (g2..g10; valid up to its depth). The default
  -- funnel ($precomputed: default steps, no window, order=any, as of the latest event, by which
  -- every settled order has settled) is kept per order at import (order_facts.funnel_depth,
  -- funnel_us; schema/007).
  SELECT grp, funnel_depth AS depth, funnel_depth BETWEEN 1 AND len($steps) - 1 AND settled_at IS NULL AS in_flight, funnel_us[1] AS g2, funnel_us[2] AS g3, funnel_us[3] AS g4, funnel_us[4] AS g5, funnel_us[5] AS g6, funnel_us[6] AS g7, funnel_us[7] AS g8, funnel_us[8] AS g9, funnel_us[9] AS g10
  FROM scoped WHERE $precomputed
  UNION ALL
  SELECT grp, depth,
    depth BETWEEN 1 AND len($steps) - 1 AND NOT coalesce(settled_at <= $as_of::TIMESTAMPTZ, false)
      AND ($window_hours IS NULL OR op_hours(t1, $as_of::TIMESTAMPTZ) < $window_hours),
    op_us(t1, t2) AS g2, op_us(t2, t3) AS g3, op_us(t3, t4) AS g4, op_us(t4, t5) AS g5, op_us(t5, t6) AS g6, op_us(t6, t7) AS g7, op_us(t7, t8) AS g8, op_us(t8, t9) AS g9, op_us(t9, t10) AS g10
  FROM (
    SELECT *, CASE WHEN t1 IS NULL THEN 0
      WHEN len($steps) < 2 OR NOT coalesce(op_funnel_reached(t2, t1, t1, $strict, $window_hours), false) THEN 1
      WHEN len($steps) < 3 OR NOT coalesce(op_funnel_reached(t3, t2, t1, $strict, $window_hours), false) THEN 2
      WHEN len($steps) < 4 OR NOT coalesce(op_funnel_reached(t4, t3, t1, $strict, $window_hours), false) THEN 3
      WHEN len($steps) < 5 OR NOT coalesce(op_funnel_reached(t5, t4, t1, $strict, $window_hours), false) THEN 4
      WHEN len($steps) < 6 OR NOT coalesce(op_funnel_reached(t6, t5, t1, $strict, $window_hours), false) THEN 5
      WHEN len($steps) < 7 OR NOT coalesce(op_funnel_reached(t7, t6, t1, $strict, $window_hours), false) THEN 6
      WHEN len($steps) < 8 OR NOT coalesce(op_funnel_reached(t8, t7, t1, $strict, $window_hours), false) THEN 7
      WHEN len($steps) < 9 OR NOT coalesce(op_funnel_reached(t9, t8, t1, $strict, $window_hours), false) THEN 8
      WHEN len($steps) < 10 OR NOT coalesce(op_funnel_reached(t10, t9, t1, $strict, $window_hours), false) THEN 9
      ELSE 10 END AS depth
    FROM timed
  )
), rolled AS (
  -- Measures 1..n: the orders that reached each step (bucket -1: out of order); n + 1..2n: in flight.
  SELECT * FROM op_duration_quantiles($tenant, $from_day::DATE, $to_day::DATE, $months_from::DATE, $months_to::DATE, $head_from::DATE,
    $head_to::DATE, $tail_from::DATE, $tail_to::DATE, $channels, $group_by = 'channel', NULL, 1, 2 * len($steps), [0.5])
  WHERE $rollup
), rolled_groups AS (
  -- Every order reached step 1, so every group in scope has its histogram.
  SELECT DISTINCT gkey FROM rolled WHERE measure = 1
), per_group AS (
  -- Per group, each step's figures as lists (position k: step k) from the per-order columns, in
  -- one pass rather than a cross join of the orders with the steps. Steps past len($steps) get no
  -- rows (their FILTERs hold for no order).
  SELECT grp,
    [count_if(depth >= 1), count_if(depth >= 2), count_if(depth >= 3), count_if(depth >= 4), count_if(depth >= 5), count_if(depth >= 6), count_if(depth >= 7), count_if(depth >= 8), count_if(depth >= 9), count_if(depth >= 10)] AS orders,
    [0, count_if(in_flight AND depth = 1), count_if(in_flight AND depth = 2), count_if(in_flight AND depth = 3), count_if(in_flight AND depth = 4), count_if(in_flight AND depth = 5), count_if(in_flight AND depth = 6), count_if(in_flight AND depth = 7), count_if(in_flight AND depth = 8), count_if(in_flight AND depth = 9)] AS flight,
    [0, count_if(depth >= 2 AND g2 < 0), count_if(depth >= 3 AND g3 < 0), count_if(depth >= 4 AND g4 < 0), count_if(depth >= 5 AND g5 < 0), count_if(depth >= 6 AND g6 < 0), count_if(depth >= 7 AND g7 < 0), count_if(depth >= 8 AND g8 < 0), count_if(depth >= 9 AND g9 < 0), count_if(depth >= 10 AND g10 < 0)] AS backwards,
    [NULL, quantile_cont(g2, 0.5) FILTER (depth >= 2 AND g2 >= 0), quantile_cont(g3, 0.5) FILTER (depth >= 3 AND g3 >= 0), quantile_cont(g4, 0.5) FILTER (depth >= 4 AND g4 >= 0), quantile_cont(g5, 0.5) FILTER (depth >= 5 AND g5 >= 0), quantile_cont(g6, 0.5) FILTER (depth >= 6 AND g6 >= 0), quantile_cont(g7, 0.5) FILTER (depth >= 7 AND g7 >= 0), quantile_cont(g8, 0.5) FILTER (depth >= 8 AND g8 >= 0), quantile_cont(g9, 0.5) FILTER (depth >= 9 AND g9 >= 0), quantile_cont(g10, 0.5) FILTER (depth >= 10 AND g10 >= 0)] AS medians,
    [NULL, avg(g2) FILTER (depth >= 2 AND g2 >= 0), avg(g3) FILTER (depth >= 3 AND g3 >= 0), avg(g4) FILTER (depth >= 4 AND g4 >= 0), avg(g5) FILTER (depth >= 5 AND g5 >= 0), avg(g6) FILTER (depth >= 6 AND g6 >= 0), avg(g7) FILTER (depth >= 7 AND g7 >= 0), avg(g8) FILTER (depth >= 8 AND g8 >= 0), avg(g9) FILTER (depth >= 9 AND g9 >= 0), avg(g10) FILTER (depth >= 10 AND g10 >= 0)] AS means
  FROM per_order
  -- A group whose orders never entered the funnel (by $as_of) has no row, as in the histograms.
  WHERE depth >= 1
  GROUP BY grp
), counts(grp, k, step, orders, in_flight, out_of_order, median_hours_from_previous, mean_hours_from_previous) AS (
  -- when not $rollup
  SELECT g.grp, s.k, s.step, g.orders[s.k]::INTEGER AS orders, g.flight[s.k]::INTEGER AS in_flight, g.backwards[s.k]::INTEGER AS out_of_order,
    op_us_hours(g.medians[s.k]) AS median_hours_from_previous, op_us_hours(g.means[s.k]) AS mean_hours_from_previous
  FROM per_group g CROSS JOIN steps s
  -- or
  UNION ALL
  -- when $rollup
  -- The same from the default funnel's histograms: step k's holds the orders that reached it
  -- (step 1: 0 µs each; later steps: the gap from step k − 1, a negative one apart).
  SELECT nullif(g.gkey, ''), s.k, s.step, (coalesce(r.orders, 0) + coalesce(r.negatives, 0))::INTEGER,
    coalesce(f.orders, 0)::INTEGER, coalesce(r.negatives, 0)::INTEGER,
    CASE WHEN s.k > 1 THEN op_us_hours(r.q[1]) END, CASE WHEN s.k > 1 THEN op_us_hours(r.sum_us / nullif(r.orders, 0)) END
  FROM rolled_groups g CROSS JOIN steps s
  LEFT JOIN rolled r ON r.gkey = g.gkey AND r.measure = s.k
  LEFT JOIN rolled f ON f.gkey = g.gkey AND f.measure = len($steps) + s.k
  -- end
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
