-- metric: stuck-orders
-- Orders in scope placed at or before $as_of that had not settled by then, by the stage they were
-- in and how long they had waited in it (age buckets <4h, 4-24h, 1-3d, >3d). An order settles when
-- it reaches a terminal stage, whatever the other timestamps say (delivered before "shipped" is
-- delivered). The stage it is in is the furthest pipeline stage it had reached, waiting since it
-- reached it (a correction of an earlier stage does not move it back). sql/README.md, "stuck-orders".
-- With $whole_days (the stage times carry dates only) an age is the whole days from the stage's day to
-- $as_of's, in the store's zone, and the two buckets under a day are one, <1d.
-- params: $tenant, $store_tz, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $warehouses, $group_by, $pipeline, $pipeline_keys, $terminal_keys, $as_of, $whole_days
-- columns: stage string, stage_index integer, group string, age_bucket string, age_index integer, orders integer, mean_age_hours number, max_age_hours number, oldest_order_id string
-- Per order: op_stuck (sql/macros/metrics.sql), which GET /api/orders lists from too.
SELECT stage, list_position($pipeline, stage)::INTEGER AS stage_index, grp AS "group",
  op_age_bucket(age_index, $whole_days) AS age_bucket, age_index::INTEGER AS age_index,
  count(*)::INTEGER AS orders, op_us_hours(avg(age_us)) AS mean_age_hours, max(age_hours) AS max_age_hours,
  -- The oldest; among orders as old, the first by id (one answer for one request).
  first(order_id ORDER BY age_hours DESC, order_id) AS oldest_order_id
FROM op_stuck($tenant, $store_tz, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses,
  $group_by, $pipeline, $pipeline_keys, $terminal_keys, $as_of::TIMESTAMPTZ, $whole_days)
GROUP BY ALL
ORDER BY stage_index NULLS LAST, stage, grp NULLS FIRST, age_index
