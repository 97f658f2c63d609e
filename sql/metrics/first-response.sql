-- metric: first-response
-- Hours from placement (created_at) to the first event of any type strictly after it, other than a
-- `placed` stage event; orders with no such event yet count in `no_response`.
-- params: $tenant, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $tz, $unit, $group_by
-- columns: bucket time, group string, orders integer, responded integer, no_response integer, mean_hours number, p50_hours number, p90_hours number, p95_hours number, max_hours number
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
), responses AS (
  SELECT o.channel, o.order_id, min(e."at") AS first_at
  FROM scoped o JOIN op_events($tenant) e ON e.channel = o.channel AND e.order_id = o.order_id
  WHERE e."at" > o.created_at AND NOT (e.type = 'stage' AND e.stage = 'placed')
  GROUP BY ALL
), waits AS (
  SELECT op_bucket(o.created_at, $unit, $tz) AS bucket,
         op_dimension($group_by, o.channel, o.sku_series, o.region, o.customer_tier, o.promotion_id) AS grp,
         op_hours(o.created_at, r.first_at) AS hours
  FROM scoped o LEFT JOIN responses r ON r.channel = o.channel AND r.order_id = o.order_id
)
SELECT op_ms(bucket) AS bucket, grp AS "group",
  count(*)::INTEGER AS orders,
  count(hours)::INTEGER AS responded,
  (count(*) - count(hours))::INTEGER AS no_response,
  avg(hours) AS mean_hours,
  quantile_cont(hours, 0.5) AS p50_hours,
  quantile_cont(hours, 0.9) AS p90_hours,
  quantile_cont(hours, 0.95) AS p95_hours,
  max(hours) AS max_hours
FROM waits
GROUP BY bucket, grp
ORDER BY bucket NULLS FIRST, grp NULLS FIRST
