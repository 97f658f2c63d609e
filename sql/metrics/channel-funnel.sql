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
-- params: $tenant, $stage_names, $kept_index, $precomputed, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $warehouses, $group_by, $steps, $window_hours, $strict, $as_of, $rollup, $from_day, $to_day, $months_from, $months_to, $head_from, $head_to, $tail_from, $tail_to
-- columns: group string, step_index integer, step string, orders integer, in_flight integer, out_of_order integer, conversion_from_previous number, conversion_from_first number, drop_off integer, drop_off_rate number, median_hours_from_previous number, mean_hours_from_previous number, is_worst_step boolean
-- Per order: op_funnel_orders (sql/macros/metrics.sql), which GET /api/orders lists from too.
WITH per_order AS (
  SELECT * FROM op_funnel_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses,
    $group_by, $steps, $stage_names, $kept_index, $precomputed, $window_hours, $strict, $as_of::TIMESTAMPTZ, $rollup)
), steps AS (
  SELECT unnest($steps) AS step, generate_subscripts($steps, 1) AS k
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
  -- one pass rather than a cross join of the orders with the steps. Steps past len($steps) are a
  -- CASE on the bound step count, which DuckDB folds, dropping their aggregates (an aggregate whose
  -- FILTER holds for no order still ran over every order: custom steps placed,shipped,delivered at 10M orders 1.2 -> 0.84 s).
  SELECT grp,
    [count_if(depth >= 1), count_if(depth >= 2), CASE WHEN len($steps) >= 3 THEN count_if(depth >= 3) END, CASE WHEN len($steps) >= 4 THEN count_if(depth >= 4) END, CASE WHEN len($steps) >= 5 THEN count_if(depth >= 5) END, CASE WHEN len($steps) >= 6 THEN count_if(depth >= 6) END, CASE WHEN len($steps) >= 7 THEN count_if(depth >= 7) END, CASE WHEN len($steps) >= 8 THEN count_if(depth >= 8) END, CASE WHEN len($steps) >= 9 THEN count_if(depth >= 9) END, CASE WHEN len($steps) >= 10 THEN count_if(depth >= 10) END] AS orders,
    [0, count_if(in_flight AND depth = 1), CASE WHEN len($steps) >= 3 THEN count_if(in_flight AND depth = 2) END, CASE WHEN len($steps) >= 4 THEN count_if(in_flight AND depth = 3) END, CASE WHEN len($steps) >= 5 THEN count_if(in_flight AND depth = 4) END, CASE WHEN len($steps) >= 6 THEN count_if(in_flight AND depth = 5) END, CASE WHEN len($steps) >= 7 THEN count_if(in_flight AND depth = 6) END, CASE WHEN len($steps) >= 8 THEN count_if(in_flight AND depth = 7) END, CASE WHEN len($steps) >= 9 THEN count_if(in_flight AND depth = 8) END, CASE WHEN len($steps) >= 10 THEN count_if(in_flight AND depth = 9) END] AS flight,
    [0, count_if(depth >= 2 AND g2 < 0), CASE WHEN len($steps) >= 3 THEN count_if(depth >= 3 AND g3 < 0) END, CASE WHEN len($steps) >= 4 THEN count_if(depth >= 4 AND g4 < 0) END, CASE WHEN len($steps) >= 5 THEN count_if(depth >= 5 AND g5 < 0) END, CASE WHEN len($steps) >= 6 THEN count_if(depth >= 6 AND g6 < 0) END, CASE WHEN len($steps) >= 7 THEN count_if(depth >= 7 AND g7 < 0) END, CASE WHEN len($steps) >= 8 THEN count_if(depth >= 8 AND g8 < 0) END, CASE WHEN len($steps) >= 9 THEN count_if(depth >= 9 AND g9 < 0) END, CASE WHEN len($steps) >= 10 THEN count_if(depth >= 10 AND g10 < 0) END] AS backwards,
    [NULL, quantile_cont(g2, 0.5) FILTER (depth >= 2 AND g2 >= 0), CASE WHEN len($steps) >= 3 THEN quantile_cont(g3, 0.5) FILTER (depth >= 3 AND g3 >= 0) END, CASE WHEN len($steps) >= 4 THEN quantile_cont(g4, 0.5) FILTER (depth >= 4 AND g4 >= 0) END, CASE WHEN len($steps) >= 5 THEN quantile_cont(g5, 0.5) FILTER (depth >= 5 AND g5 >= 0) END, CASE WHEN len($steps) >= 6 THEN quantile_cont(g6, 0.5) FILTER (depth >= 6 AND g6 >= 0) END, CASE WHEN len($steps) >= 7 THEN quantile_cont(g7, 0.5) FILTER (depth >= 7 AND g7 >= 0) END, CASE WHEN len($steps) >= 8 THEN quantile_cont(g8, 0.5) FILTER (depth >= 8 AND g8 >= 0) END, CASE WHEN len($steps) >= 9 THEN quantile_cont(g9, 0.5) FILTER (depth >= 9 AND g9 >= 0) END, CASE WHEN len($steps) >= 10 THEN quantile_cont(g10, 0.5) FILTER (depth >= 10 AND g10 >= 0) END] AS medians,
    [NULL, avg(g2) FILTER (depth >= 2 AND g2 >= 0), CASE WHEN len($steps) >= 3 THEN avg(g3) FILTER (depth >= 3 AND g3 >= 0) END, CASE WHEN len($steps) >= 4 THEN avg(g4) FILTER (depth >= 4 AND g4 >= 0) END, CASE WHEN len($steps) >= 5 THEN avg(g5) FILTER (depth >= 5 AND g5 >= 0) END, CASE WHEN len($steps) >= 6 THEN avg(g6) FILTER (depth >= 6 AND g6 >= 0) END, CASE WHEN len($steps) >= 7 THEN avg(g7) FILTER (depth >= 7 AND g7 >= 0) END, CASE WHEN len($steps) >= 8 THEN avg(g8) FILTER (depth >= 8 AND g8 >= 0) END, CASE WHEN len($steps) >= 9 THEN avg(g9) FILTER (depth >= 9 AND g9 >= 0) END, CASE WHEN len($steps) >= 10 THEN avg(g10) FILTER (depth >= 10 AND g10 >= 0) END] AS means
  FROM per_order
  GROUP BY grp
  -- A group whose orders never entered the funnel (by $as_of) has no row, as in the histograms. A
  -- HAVING, not a WHERE on depth (every figure above already leaves depth 0 out): DuckDB pushed
  -- that WHERE below the projections, computing each order's depth twice more in filters (3.8 of
  -- order=strict's 4.1 s at 10M orders).
  HAVING count_if(depth >= 1) > 0
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
