-- metric: stage-breakdown
-- Duration of each consecutive step among the pipeline stages an order actually reached
-- (ordered by pipeline position), with the bottleneck: the step with the highest median per group
-- among those at least a tenth as many orders take as its most-travelled one.
-- From the per-order facts, or from the rollups when $rollup (the scope is whole local days with
-- at most a channel filter, grouped by channel or not at all: sql/README.md, "Rollups").
-- params: $tenant, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $warehouses, $group_by, $pipeline, $rollup, $from_day, $to_day, $months_from, $months_to, $head_from, $head_to, $tail_from, $tail_to
-- columns: group string, step integer, from_stage string, to_stage string, skipped_stages integer, orders integer, mean_hours number, p50_hours number, p90_hours number, negative_gaps integer, is_bottleneck boolean
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses)
  WHERE NOT $rollup
), steps AS (
  -- The consecutive steps each order took among the pipeline stages it reached, kept per order
  -- in the tenant's pipeline order (order_facts.step_pairs, step_us; schema/006).
  SELECT op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id, warehouse) AS grp,
    unnest(step_pairs) AS pair, unnest(step_us) AS us
  FROM scoped
), by_sign AS (
  -- Negative gaps (data errors) are grouped apart rather than filtered out of each aggregate:
  -- 1.66 against 2.06 s over 65M steps.
  SELECT grp, pair, us < 0 AS negative, count(*) AS n, avg(us) AS mean_us, quantile_cont(us, [0.5, 0.9]) AS q
  FROM steps
  GROUP BY ALL
), summary(grp, pair, orders, mean_hours, q, negative_gaps) AS (
  -- when not $rollup
  SELECT grp, pair,
    coalesce(sum(n) FILTER (NOT negative), 0)::INTEGER AS orders,
    op_us_hours(any_value(mean_us) FILTER (NOT negative)) AS mean_hours,
    any_value(q) FILTER (NOT negative) AS q,
    coalesce(sum(n) FILTER (negative), 0)::INTEGER AS negative_gaps
  FROM by_sign
  GROUP BY grp, pair
  -- or
  UNION ALL
  -- when $rollup
  -- The same from the duration histograms of the pipeline steps (measures from 65536 up).
  SELECT nullif(gkey, ''), measure, orders::INTEGER, op_us_hours(sum_us / nullif(orders, 0)), q, negatives::INTEGER
  FROM op_duration_quantiles($tenant, $from_day::DATE, $to_day::DATE, $months_from::DATE, $months_to::DATE, $head_from::DATE,
    $head_to::DATE, $tail_from::DATE, $tail_to::DATE, $channels, $group_by = 'channel', NULL, 65536, 2147483647, [0.5, 0.9])
  WHERE $rollup
  -- end
), percentiles AS (
  SELECT grp, pair // 65536 AS from_pos, pair % 65536 AS to_pos, $pipeline[from_pos] AS from_stage, $pipeline[to_pos] AS to_stage,
    orders, mean_hours, op_us_hours(q[1]) AS p50_hours, op_us_hours(q[2]) AS p90_hours, negative_gaps
  FROM summary
)
SELECT grp AS "group", from_pos::INTEGER AS step, from_stage, to_stage, (to_pos - from_pos - 1)::INTEGER AS skipped_stages,
  orders, mean_hours, p50_hours, p90_hours, negative_gaps,
  -- The bottleneck: the highest median among the steps a real share of the group's orders take
  -- (at least a tenth as many as its most-travelled step), so a skip-step one order took is not it.
  coalesce(main AND p50_hours = max(p50_hours) FILTER (main) OVER (PARTITION BY grp), false) AS is_bottleneck
FROM (SELECT *, orders >= 0.1 * max(orders) OVER (PARTITION BY grp) AS main FROM percentiles)
ORDER BY grp NULLS FIRST, from_pos, to_pos
