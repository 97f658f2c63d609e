-- metric: surge-alerts
-- Local hours in which a channel's new orders reached $factor × its average over the 24 hours before
-- (empty hours count as 0; a channel needs 24 hours of history), with at least $min_orders orders.
-- Orders per hour from the per-order facts, or from the hourly rollup when $rollup (whole local days
-- in the tenant's zone, at most a channel filter: sql/README.md, "Rollups").
-- params: $tenant, $store_tz, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $tz, $factor, $min_orders, $rollup, $from_day, $to_day
-- columns: channel string, hour time, orders integer, trailing_avg number, ratio number
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
  WHERE NOT $rollup
), hourly AS (
  SELECT channel, op_local_hour(op_local(created_at, created_local, $tz, $store_tz)) AS hour, count(*) AS orders FROM scoped GROUP BY ALL
  UNION ALL
  SELECT channel, hour, sum(n) FROM op_hour_counts($tenant)
  WHERE $rollup AND hour >= $from_day::DATE::TIMESTAMP AND hour < $to_day::DATE::TIMESTAMP
    AND (len($channels) = 0 OR list_contains($channels, channel))
  GROUP BY ALL
  HAVING sum(n) > 0
), with_history AS (
  -- The trailing sum over the 24 hours before, empty hours counting 0: a window over the hours that
  -- have orders, never a grid of every hour between the first and the last (one order dated
  -- 9999-12-31 made that grid 70M hours long).
  SELECT *,
    coalesce(sum(orders) OVER w, 0) / 24.0 AS trailing_avg,
    min(hour) OVER (PARTITION BY channel) AS first_hour
  FROM hourly
  WINDOW w AS (PARTITION BY channel ORDER BY hour RANGE BETWEEN INTERVAL 24 HOUR PRECEDING AND INTERVAL 1 HOUR PRECEDING)
)
SELECT channel, op_local_ms(hour, $tz) AS hour, orders::INTEGER AS orders, trailing_avg,
  orders / nullif(trailing_avg, 0) AS ratio
FROM with_history
WHERE hour >= first_hour + INTERVAL 24 HOUR AND orders >= $min_orders AND orders >= $factor * trailing_avg
ORDER BY hour, channel
