-- metric: on-time
-- OTIF-style, as of $as_of: an order in scope with a promise is *due* once its promise has passed;
-- due orders delivered by the promise are on time, the rest late (delivered late, or still open).
-- An order that settled by $as_of without a timed delivery (cancelled, refunded before delivery) is
-- not due. A promise from a source whose promises carry no time of day ($date_sources, from the
-- import) is a day of the zone it was read in ($date_zones): due once that day is over there, on
-- time when delivered on it or before. Bucketed by the promise ($basis 'promised') or by creation ('created'); the scope
-- (range, filters) selects orders by creation, as every metric's does. sql/README.md, "on-time".
-- params: $tenant, $store_tz, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $warehouses, $tz, $unit, $group_by, $as_of, $basis, $date_sources, $date_zones, $date_as_of
-- columns: bucket time, group string, due integer, on_time integer, late integer, delivered_late integer, open_late integer, on_time_rate number, mean_hours_late number
WITH judged AS (
  SELECT *, op_date_source($date_sources, source) AS d,
    op_day_of($date_zones[d], $store_tz, promised_local, promised_at) AS promised_day,
    op_day_of($date_zones[d], $store_tz, delivered_local, delivered_at) AS delivered_day
  FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses)
  WHERE promised_at IS NOT NULL
), due AS (
  SELECT
    -- A promised day is bucketed as that day, whatever the display zone. Counted per local day
    -- first, then per bucket (every bucket is whole days): a date per order, where a bucket per
    -- order read its year and month (10M demo orders by month, interleaved, medians of 9: 349 ->
    -- 273-275 ms, CPU 683-686 -> 534-540 ms).
    CASE WHEN $unit IS NULL THEN NULL WHEN $basis = 'created' THEN op_local(created_at, created_local, $tz, $store_tz)::DATE
         WHEN d IS NOT NULL THEN promised_day ELSE op_local(promised_at, promised_local, $tz, $store_tz)::DATE END AS day,
    op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id, warehouse) AS grp,
    delivered_at IS NOT NULL AND delivered_at <= $as_of::TIMESTAMPTZ AS delivered,
    op_otif_on_time(d, delivered_day, promised_day, delivered_at, promised_at) AS on_time,
    op_otif_late_us(d, delivered_day, promised_day, delivered_at, promised_at) AS late_us
  FROM judged
  -- $date_as_of: the day $as_of falls on in each of those zones.
  WHERE op_otif_due(d, $date_as_of[d]::DATE, promised_day, promised_at, $as_of::TIMESTAMPTZ, settled_at, delivered_at)
), per_day AS (
  SELECT day, grp,
    count(*) AS due,
    count(*) FILTER (on_time) AS on_time,
    count(*) FILTER (delivered AND NOT on_time) AS delivered_late,
    sum(late_us) FILTER (delivered AND NOT on_time) AS late_us
  FROM due
  GROUP BY day, grp
), counts AS (
  SELECT op_bucket(day, $unit) AS bucket, grp, sum(due) AS due, sum(on_time) AS on_time, sum(delivered_late) AS delivered_late, sum(late_us) AS late_us
  FROM per_day
  GROUP BY bucket, grp
)
SELECT op_local_ms(op_bucket_start(bucket, $unit), $tz) AS bucket, grp AS "group",
  due::INTEGER AS due,
  on_time::INTEGER AS on_time,
  (due - on_time)::INTEGER AS late,
  delivered_late::INTEGER AS delivered_late,
  (due - on_time - delivered_late)::INTEGER AS open_late,
  on_time::DOUBLE / due AS on_time_rate,
  op_us_hours(late_us / nullif(delivered_late, 0)) AS mean_hours_late
FROM counts
ORDER BY bucket NULLS FIRST, grp NULLS FIRST
