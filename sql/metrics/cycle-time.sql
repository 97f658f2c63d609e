-- metric: cycle-time
-- Hours from the first time an order reached $from_stage to the first time it reached $to_stage,
-- for orders in scope that reached both, by interval of created_at and/or a dimension.
-- From the per-order facts, or from the rollups when $rollup (placed → delivered over whole local
-- days, at most a channel filter, grouped by channel or not at all: sql/README.md, "Rollups").
-- Statistics not asked for in `stats` (count is always there) are NULL and cost nothing: an aggregate under
-- a CASE on a false flag is dropped from the plan (placed → shipped by channel over 10M orders in
-- DuckDB alone: count and mean 165-170 ms, with the quantiles and max 298-322 ms).
-- params: $tenant, $stage_names, $store_tz, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $warehouses, $tz, $unit, $bucketed, $other_zone, $group_by, $from_stage, $to_stage, $rollup, $from_day, $to_day, $months_from, $months_to, $head_from, $head_to, $tail_from, $tail_to, $with_mean, $with_quantiles, $with_median, $with_ninetieth, $with_ninety_fifth, $with_max
-- columns: bucket time, group string, orders integer, mean_hours number, p50_hours number, p90_hours number, p95_hours number, max_hours number, negative_gaps integer
WITH scoped AS (
  -- when $other_zone
  SELECT * FROM op_zoned_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses,
    $tz, $unit)
  WHERE $other_zone AND NOT $rollup
  -- or
  UNION ALL
  -- when not $other_zone
  SELECT * FROM op_bucketed_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses,
    $tz, $store_tz, $unit)
  WHERE NOT $other_zone AND NOT $rollup
  -- end
), gaps AS (
  -- Orders that reached both stages.
  SELECT bucket, grp, us
  FROM (
    SELECT bucket,
           op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id, warehouse) AS grp,
           op_gap_us($from_stage, $to_stage, $stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at, delivery_us) AS us
    FROM scoped
    WHERE op_reached_both($from_stage, $to_stage, $stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at)
  )
), by_sign AS (
  -- Negative gaps (data errors) are grouped apart rather than filtered out of each aggregate:
  -- 283 against 349 ms per 10M orders. One list quantile per group over whole microseconds
  -- (op_gap_us): the values are sorted once for all three percentiles.
  -- A statistic not asked for is a CASE on its flag, not a FILTER: DuckDB folds the bound flag and
  -- drops the aggregate, where a FILTER (true) still carries a column per aggregate through the
  -- grouping (placed → shipped by channel at 10M orders: 347 against 299 ms).
  -- Without an interval the bucket is no key at all (op_bucketed_orders; a constant key cost 40 ms).
  SELECT CASE WHEN $bucketed THEN any_value(bucket) ELSE 0 END AS bucket, grp, us < 0 AS negative, count(*) AS n, CASE WHEN $with_mean THEN avg(us) END AS mean_us,
    CASE WHEN $with_quantiles THEN quantile_cont(us, [0.5, 0.9, 0.95]) END AS q, CASE WHEN $with_max THEN max(us) END AS max_us
  FROM gaps
  GROUP BY
  -- when $bucketed
    bucket,
  -- end
    grp, negative
), per_group(bucket, grp, orders, mean_us, q, max_us, negative_gaps) AS (
  -- when not $rollup
  SELECT bucket, grp,
    coalesce(sum(n) FILTER (NOT negative), 0)::INTEGER AS orders,
    any_value(mean_us) FILTER (NOT negative) AS mean_us,
    any_value(q) FILTER (NOT negative) AS q,
    any_value(max_us) FILTER (NOT negative) AS max_us,
    coalesce(sum(n) FILTER (negative), 0)::INTEGER AS negative_gaps
  FROM by_sign
  GROUP BY bucket, grp
  -- or
  UNION ALL
  -- when $rollup
  -- The same from the placed → delivered histograms (measure 100); the largest is the quantile at 1.
  SELECT CASE WHEN $unit IS NOT NULL THEN pkey END, nullif(gkey, ''), orders::INTEGER, CASE WHEN $with_mean THEN sum_us / nullif(orders, 0) END,
    CASE WHEN $with_quantiles THEN q[1:3] END, CASE WHEN $with_max THEN q[4] END, negatives::INTEGER
  FROM op_duration_quantiles($tenant, $from_day::DATE, $to_day::DATE, $months_from::DATE, $months_to::DATE, $head_from::DATE,
    $head_to::DATE, $tail_from::DATE, $tail_to::DATE, $channels, $group_by = 'channel', $unit, 100, 100, [0.5, 0.9, 0.95, 1.0])
  WHERE $rollup
  -- end
)
SELECT op_local_ms(op_bucket_start(bucket, $unit), $tz) AS bucket, grp AS "group", orders, op_us_hours(mean_us) AS mean_hours,
  CASE WHEN $with_median THEN op_us_hours(q[1]) END AS p50_hours, CASE WHEN $with_ninetieth THEN op_us_hours(q[2]) END AS p90_hours,
  CASE WHEN $with_ninety_fifth THEN op_us_hours(q[3]) END AS p95_hours, op_us_hours(max_us) AS max_hours, negative_gaps
FROM per_group
ORDER BY bucket NULLS FIRST, grp NULLS FIRST
