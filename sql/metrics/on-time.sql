-- metric: on-time
-- Of the orders in scope that reached `delivered` and have a promised_at: the share delivered at or
-- before the promise. By interval of created_at and/or a dimension.
-- params: $tenant, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $tz, $unit, $group_by
-- columns: bucket time, group string, delivered integer, with_promise integer, on_time integer, late integer, on_time_rate number, mean_hours_late number
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
), delivered AS (
  SELECT op_bucket(o.created_at, $unit, $tz) AS bucket,
         op_dimension($group_by, o.channel, o.sku_series, o.region, o.customer_tier, o.promotion_id) AS grp,
         o.promised_at, s."at" AS delivered_at
  FROM scoped o JOIN op_stage_times($tenant) s ON s.channel = o.channel AND s.order_id = o.order_id AND s.stage = 'delivered'
)
SELECT op_ms(bucket) AS bucket, grp AS "group",
  count(*)::INTEGER AS delivered,
  count(promised_at)::INTEGER AS with_promise,
  count(*) FILTER (delivered_at <= promised_at)::INTEGER AS on_time,
  count(*) FILTER (delivered_at > promised_at)::INTEGER AS late,
  count(*) FILTER (delivered_at <= promised_at)::DOUBLE / nullif(count(promised_at), 0) AS on_time_rate,
  avg(op_hours(promised_at, delivered_at)) FILTER (delivered_at > promised_at) AS mean_hours_late
FROM delivered
GROUP BY bucket, grp
ORDER BY bucket NULLS FIRST, grp NULLS FIRST
