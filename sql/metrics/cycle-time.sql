-- metric: cycle-time
-- Hours from the first time an order reached $from_stage to the first time it reached $to_stage,
-- for orders in scope that reached both, by interval of created_at and/or a dimension.
-- params: $tenant, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $tz, $unit, $group_by, $from_stage, $to_stage
-- columns: bucket time, group string, orders integer, mean_hours number, p50_hours number, p90_hours number, p95_hours number, max_hours number, negative_gaps integer
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
), stage_times AS (
  SELECT * FROM op_stage_times($tenant) WHERE stage IN ($from_stage, $to_stage)
), gaps AS (
  SELECT op_bucket(o.created_at, $unit, $tz) AS bucket,
         op_dimension($group_by, o.channel, o.sku_series, o.region, o.customer_tier, o.promotion_id) AS grp,
         op_hours(a."at", b."at") AS hours
  FROM scoped o
  JOIN stage_times a ON a.channel = o.channel AND a.order_id = o.order_id AND a.stage = $from_stage
  JOIN stage_times b ON b.channel = o.channel AND b.order_id = o.order_id AND b.stage = $to_stage
)
SELECT op_ms(bucket) AS bucket, grp AS "group",
  count(*) FILTER (hours >= 0)::INTEGER AS orders,
  avg(hours) FILTER (hours >= 0) AS mean_hours,
  quantile_cont(hours, 0.5) FILTER (hours >= 0) AS p50_hours,
  quantile_cont(hours, 0.9) FILTER (hours >= 0) AS p90_hours,
  quantile_cont(hours, 0.95) FILTER (hours >= 0) AS p95_hours,
  max(hours) FILTER (hours >= 0) AS max_hours,
  count(*) FILTER (hours < 0)::INTEGER AS negative_gaps
FROM gaps
GROUP BY bucket, grp
ORDER BY bucket NULLS FIRST, grp NULLS FIRST
