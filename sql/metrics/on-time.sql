-- metric: on-time
-- Of the orders in scope that reached `delivered` and have a promised_at: the share delivered at or
-- before the promise. By interval of created_at and/or a dimension.
-- params: $tenant, $store_tz, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $tz, $unit, $group_by
-- columns: bucket time, group string, delivered integer, with_promise integer, on_time integer, late integer, on_time_rate number, mean_hours_late number
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
), delivered AS (
  SELECT op_bucket(op_local(created_at, created_local, $tz, $store_tz), $unit) AS bucket,
         op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id) AS grp,
         promised_at, delivered_at
  FROM scoped
)
SELECT op_local_ms(op_bucket_start(bucket, $unit), $tz) AS bucket, grp AS "group",
  count(*)::INTEGER AS delivered,
  count(promised_at)::INTEGER AS with_promise,
  count(*) FILTER (delivered_at <= promised_at)::INTEGER AS on_time,
  count(*) FILTER (delivered_at > promised_at)::INTEGER AS late,
  count(*) FILTER (delivered_at <= promised_at)::DOUBLE / nullif(count(promised_at), 0) AS on_time_rate,
  avg(op_hours(promised_at, delivered_at)) FILTER (delivered_at > promised_at) AS mean_hours_late
FROM delivered
WHERE delivered_at IS NOT NULL
GROUP BY bucket, grp
ORDER BY bucket NULLS FIRST, grp NULLS FIRST
