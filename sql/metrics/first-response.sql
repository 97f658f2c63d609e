-- metric: first-response
-- Hours from placement (created_at) to the first event of any type strictly after it, other than a
-- `placed` stage event; orders with no such event yet count in `no_response`.
-- params: $tenant, $store_tz, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $tz, $unit, $group_by
-- columns: bucket time, group string, orders integer, responded integer, no_response integer, mean_hours number, p50_hours number, p90_hours number, p95_hours number, max_hours number
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
), waits AS (
  SELECT op_bucket(op_local(created_at, created_local, $tz, $store_tz), $unit) AS bucket,
         op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id) AS grp,
         first_response_us AS us
  FROM scoped
)
-- One list quantile per group over whole microseconds (order_facts.first_response_us, schema/011): the values are sorted once for all three percentiles.
SELECT op_local_ms(op_bucket_start(bucket, $unit), $tz) AS bucket, grp AS "group", orders, responded, no_response, op_us_hours(mean_us) AS mean_hours,
  op_us_hours(q[1]) AS p50_hours, op_us_hours(q[2]) AS p90_hours, op_us_hours(q[3]) AS p95_hours, op_us_hours(max_us) AS max_hours
FROM (
  SELECT bucket, grp,
    count(*)::INTEGER AS orders,
    count(us)::INTEGER AS responded,
    (count(*) - count(us))::INTEGER AS no_response,
    avg(us) AS mean_us,
    quantile_cont(us, [0.5, 0.9, 0.95]) AS q,
    max(us) AS max_us
  FROM waits
  GROUP BY bucket, grp
)
ORDER BY bucket NULLS FIRST, grp NULLS FIRST
