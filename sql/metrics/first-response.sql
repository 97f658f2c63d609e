-- metric: first-response
-- Hours from placement (created_at) to the first event of any type strictly after it, other than a
-- `placed` stage event; orders with no such event yet count in `no_response`.
-- From the per-order facts, or from the rollups when $rollup (whole local days, at most a channel
-- filter, grouped by channel or not at all: sql/README.md, "Rollups").
-- params: $tenant, $store_tz, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $warehouses, $tz, $unit, $bucketed, $other_zone, $group_by, $rollup, $from_day, $to_day, $months_from, $months_to, $head_from, $head_to, $tail_from, $tail_to
-- columns: bucket time, group string, orders integer, responded integer, no_response integer, mean_hours number, p50_hours number, p90_hours number, p95_hours number, max_hours number
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
), waits AS (
  SELECT bucket,
         op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id, warehouse) AS grp,
         first_response_us AS us
  FROM scoped
), per_group(bucket, grp, orders, responded, no_response, mean_us, q, max_us) AS (
  -- when not $rollup
  -- One list quantile per group over whole microseconds (order_facts.first_response_us, schema/011):
  -- the values are sorted once for all three percentiles.
  -- Without an interval the bucket is no key at all (op_bucketed_orders; a constant key cost 40 ms).
  SELECT CASE WHEN $bucketed THEN any_value(bucket) ELSE 0 END AS bucket, grp,
    count(*)::INTEGER AS orders,
    count(us)::INTEGER AS responded,
    (count(*) - count(us))::INTEGER AS no_response,
    avg(us) AS mean_us,
    quantile_cont(us, [0.5, 0.9, 0.95]) AS q,
    max(us) AS max_us
  FROM waits
  GROUP BY
  -- when $bucketed
    bucket,
  -- end
    grp
  -- or
  UNION ALL
  -- when $rollup
  -- The same from the first-response histograms (measure 101, where bucket -1 counts the orders
  -- with no response); the largest is the quantile at 1.
  SELECT CASE WHEN $unit IS NOT NULL THEN pkey END, nullif(gkey, ''), (orders + negatives)::INTEGER, orders::INTEGER, negatives::INTEGER,
    sum_us / nullif(orders, 0), q[1:3], q[4]
  FROM op_duration_quantiles($tenant, $from_day::DATE, $to_day::DATE, $months_from::DATE, $months_to::DATE, $head_from::DATE,
    $head_to::DATE, $tail_from::DATE, $tail_to::DATE, $channels, $group_by = 'channel', $unit, 101, 101, [0.5, 0.9, 0.95, 1.0])
  WHERE $rollup
  -- end
)
SELECT op_local_ms(op_bucket_start(bucket, $unit), $tz) AS bucket, grp AS "group", orders, responded, no_response, op_us_hours(mean_us) AS mean_hours,
  op_us_hours(q[1]) AS p50_hours, op_us_hours(q[2]) AS p90_hours, op_us_hours(q[3]) AS p95_hours, op_us_hours(max_us) AS max_hours
FROM per_group
ORDER BY bucket NULLS FIRST, grp NULLS FIRST
