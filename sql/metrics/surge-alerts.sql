-- metric: surge-alerts
-- UTC hours (returned as instants, shown in the display zone) in [$from_ts, $to_ts) in which a channel's new orders
-- exceeded $factor × its baseline, with at least $min_orders orders. The baseline is the mean of the
-- 24 hours before (empty hours count as 0; read from $history_from_ts, 24 hours before the range
-- unless a lock starts later), floored at 1 order an hour: a channel with no recent orders needs more
-- than $factor orders in the hour. Orders per hour from the per-order facts, or from the hourly
-- rollup when $rollup (range at whole UTC hours, at most a channel filter: sql/README.md, "Rollups").
-- With $all_hours, also every other hour with orders in the range of each channel that surged in it
-- (`surge` false): the hours the widget draws the surges against.
-- params: $tenant, $from_ts, $to_ts, $history_from_ts, $channels, $regions, $series, $tiers, $promotions, $warehouses, $factor, $min_orders, $rollup, $all_hours
-- columns: channel string, hour time, orders integer, trailing_avg number, ratio number, surge boolean
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $history_from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses)
  WHERE NOT $rollup
), hourly AS (
  SELECT channel, op_utc_hour(created_at) AS hour, count(*) AS orders FROM scoped GROUP BY ALL
  UNION ALL
  SELECT channel, hour, sum(n) FROM op_hour_counts($tenant)
  WHERE $rollup AND ($history_from_ts IS NULL OR hour >= op_utc_hour($history_from_ts::TIMESTAMPTZ))
    AND ($to_ts IS NULL OR hour < op_utc_hour($to_ts::TIMESTAMPTZ))
    AND (len($channels) = 0 OR list_contains($channels, channel))
  GROUP BY ALL
  HAVING sum(n) > 0
), with_history AS (
  -- The trailing sum over the 24 hours before, empty hours counting 0: a window over the hours that
  -- have orders, never a grid of every hour between the first and the last (one order dated
  -- 9999-12-31 made that grid 70M hours long).
  SELECT *, coalesce(sum(orders) OVER w, 0) / 24.0 AS trailing_avg
  FROM hourly
  WINDOW w AS (PARTITION BY channel ORDER BY hour RANGE BETWEEN INTERVAL 24 HOUR PRECEDING AND INTERVAL 1 HOUR PRECEDING)
), flagged AS (
  SELECT *, orders >= $min_orders AND orders > $factor * greatest(trailing_avg, 1) AS surge
  FROM with_history
  WHERE $from_ts IS NULL OR hour >= op_utc_hour($from_ts::TIMESTAMPTZ)
)
SELECT channel, epoch_ms(hour)::DOUBLE AS hour, orders::INTEGER AS orders, trailing_avg,
  orders / nullif(trailing_avg, 0) AS ratio, surge
FROM flagged
WHERE surge OR ($all_hours AND channel IN (SELECT channel FROM flagged WHERE surge))
ORDER BY hour, channel
