-- metric: freshness
-- How fresh each source's data is, and how long orders took to reach the store. Per source (the
-- mapping that imported them) and channel: its last import as of $as_of, the newest order in scope
-- that had reached the store by then, and that order's age as of $as_of; per period of the orders' creation (or over the
-- whole range): the orders first seen in the store (orders.first_seen_at, schema/023) and their
-- merge latency, first seen − placed, median and p95 in hours. Orders stored before the store kept
-- first_seen_at count in no latency. sql/README.md, "freshness".
-- A source is `late` when its last import is older than the hours expected between its imports
-- (settings sourceIntervalHours: $interval_sources, $interval_hours; else $default_interval_hours).
-- With $rollup (whole local days of the tenant's zone, channels alone, $as_of after every arrival)
-- the latencies come from the duration rollups.
-- params: $tenant, $store_tz, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $warehouses, $tz, $unit, $as_of, $interval_sources, $interval_hours, $default_interval_hours, $rollup, $from_day, $to_day, $months_from, $months_to, $head_from, $head_to, $tail_from, $tail_to
-- columns: source string, channel string, bucket time, status string, expected_interval_hours number, last_import_at time, newest_order_at time, newest_order_age_hours number, orders integer, merge_p50_hours number, merge_p95_hours number
WITH scoped AS (
  SELECT source, channel, created_at, created_local, first_seen_at
  FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses)
  WHERE first_seen_at IS NOT NULL AND first_seen_at <= $as_of::TIMESTAMPTZ
), imports AS (
  -- When each source last sent each channel's orders: the source's own record, whatever it held.
  SELECT source, channel, max(imported_at) AS last_import_at
  FROM op_import_sources($tenant)
  WHERE imported_at <= $as_of::TIMESTAMPTZ AND (len($channels) = 0 OR list_contains($channels, channel))
  GROUP BY ALL
), merged AS (
  -- Latencies in whole microseconds (op_merge_us: never below 0), in hours at the end.
-- when not $rollup
  -- One pass over the orders, for the periods and the newest order alike (two passes over a
  -- materialized scope took 1.0 s at 10M orders).
  SELECT source, channel, op_bucket(op_local(created_at, created_local, $tz, $store_tz), $unit) AS bucket,
    count(*) AS orders, max(created_at) AS newest_order_at,
    quantile_cont(op_merge_us(created_at, first_seen_at), [0.5, 0.95]) AS q_us
  FROM scoped
  GROUP BY ALL
-- or
-- when $rollup
  -- From the duration rollups, where each source's latencies are a measure (schema/026): exact
  -- quantiles per channel and period of creation without reading every order.
  SELECT k.source, q.gkey AS channel, CASE WHEN $unit IS NOT NULL THEN q.pkey END AS bucket, q.orders, NULL::TIMESTAMPTZ AS newest_order_at, q.q AS q_us
  FROM op_duration_quantiles($tenant, $from_day::DATE, $to_day::DATE, $months_from::DATE, $months_to::DATE, $head_from::DATE,
      $head_to::DATE, $tail_from::DATE, $tail_to::DATE, $channels, true, $unit, -2147483648, -1, [0.5, 0.95]) q
    JOIN source_keys k ON q.measure = -1 - k.key
  WHERE q.orders > 0
-- end
), newest AS (
  -- The newest order in scope that had reached the store by then (a lock's own orders only).
-- when not $rollup
  SELECT source, channel, max(newest_order_at) AS newest_order_at FROM merged GROUP BY ALL
-- or
-- when $rollup
  SELECT source, channel, max(created_at) AS newest_order_at FROM scoped GROUP BY ALL
-- end
), latest AS (
  SELECT coalesce(i.source, n.source) AS source, coalesce(i.channel, n.channel) AS channel, i.last_import_at, n.newest_order_at
  FROM imports i FULL JOIN newest n ON n.source = i.source AND n.channel = i.channel
)
SELECT coalesce(m.source, l.source) AS source, coalesce(m.channel, l.channel) AS channel,
  CASE WHEN m.bucket IS NOT NULL THEN op_local_ms(op_bucket_start(m.bucket, $unit), $tz) END AS bucket,
  CASE WHEN l.last_import_at IS NULL THEN 'unknown'
    WHEN op_hours(l.last_import_at, $as_of::TIMESTAMPTZ) <= coalesce($interval_hours[list_position($interval_sources, coalesce(m.source, l.source))], $default_interval_hours) THEN 'fresh'
    ELSE 'late' END AS status,
  coalesce($interval_hours[list_position($interval_sources, coalesce(m.source, l.source))], $default_interval_hours) AS expected_interval_hours,
  op_ms(l.last_import_at) AS last_import_at, op_ms(l.newest_order_at) AS newest_order_at,
  op_hours(l.newest_order_at, $as_of::TIMESTAMPTZ) AS newest_order_age_hours,
  coalesce(m.orders, 0)::INTEGER AS orders, op_us_hours(m.q_us[1]) AS merge_p50_hours, op_us_hours(m.q_us[2]) AS merge_p95_hours
FROM merged m FULL JOIN latest l ON l.source = m.source AND l.channel = m.channel
ORDER BY source, channel, bucket NULLS FIRST
