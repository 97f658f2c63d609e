-- metric: stuck-orders
-- Orders in scope placed at or before $as_of that had not settled by then, by the stage they were
-- in and how long they had waited in it (age buckets <4h, 4-24h, 1-3d, >3d). An order settles when
-- it reaches a terminal stage, whatever the other timestamps say (delivered before "shipped" is
-- delivered). The stage it is in is the furthest pipeline stage it had reached, waiting since it
-- reached it (a correction of an earlier stage does not move it back). sql/README.md, "stuck-orders".
-- With $whole_days (the stage times carry dates only) an age is the whole days from the stage's day to
-- $as_of's, in the store's zone, and the two buckets under a day are one, <1d.
-- params: $tenant, $store_tz, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $group_by, $pipeline, $pipeline_keys, $terminal_keys, $as_of, $whole_days
-- columns: stage string, stage_index integer, group string, age_bucket string, age_index integer, orders integer, mean_age_hours number, max_age_hours number, oldest_order_id string
-- NOT MATERIALIZED: read by both branches below, each of which reads few columns.
WITH scoped AS NOT MATERIALIZED (
  SELECT *, op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id) AS grp
  FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
  WHERE created_at <= $as_of::TIMESTAMPTZ
), settled_by_then AS (
  -- Orders whose every stage was reached by $as_of (most, for a recent $as_of): the facts hold the
  -- answer (schema/019), plain columns, no list read.
  SELECT order_id, grp, furthest_pos AS pos, coalesce(furthest_at, created_at) AS since
  FROM scoped
  WHERE last_at <= $as_of::TIMESTAMPTZ AND settled_at IS NULL
), reached_then AS (
  -- Orders with a stage after $as_of: the stages they had reached by then, from their lists (an
  -- untimed stage has no time, so it counts only in the branch above).
  SELECT order_id, grp, created_at, stage_keys, stage_at,
    list_transform(list_filter(range(1, len(stage_keys) + 1), i -> stage_at[i] <= $as_of::TIMESTAMPTZ), i -> stage_keys[i]) AS keys
  FROM scoped
  WHERE last_at > $as_of::TIMESTAMPTZ
), later AS (
  SELECT order_id, grp, pos,
    CASE WHEN pos IS NULL THEN created_at ELSE stage_at[list_position(stage_keys, $pipeline_keys[pos])] END AS since
  FROM (
    SELECT *, list_max(list_transform(keys, k -> list_position($pipeline_keys, k))) AS pos
    FROM reached_then
    WHERE NOT list_has_any(keys, $terminal_keys)
  )
), waiting AS (
  -- With no pipeline stage reached (a pipeline without `placed`), the order waits since placement.
  SELECT order_id, grp, coalesce($pipeline[pos], 'placed') AS stage,
    CASE WHEN $whole_days THEN (timezone($store_tz, $as_of::TIMESTAMPTZ)::DATE - timezone($store_tz, since)::DATE) * 24.0
         ELSE op_hours(since, $as_of::TIMESTAMPTZ) END AS age_hours
  FROM (SELECT * FROM settled_by_then UNION ALL SELECT * FROM later)
), bucketed AS (
  SELECT *,
    CASE WHEN age_hours < 4 AND NOT $whole_days THEN 1 WHEN age_hours < 24 THEN 2 WHEN age_hours < 72 THEN 3 ELSE 4 END AS age_index
  FROM waiting
)
SELECT stage, list_position($pipeline, stage)::INTEGER AS stage_index, grp AS "group",
  CASE WHEN $whole_days AND age_index = 2 THEN '<1d' ELSE ['<4h', '4-24h', '1-3d', '>3d'][age_index] END AS age_bucket, age_index::INTEGER AS age_index,
  count(*)::INTEGER AS orders, avg(age_hours) AS mean_age_hours, max(age_hours) AS max_age_hours,
  -- The oldest; among orders as old, the first by id (one answer for one request).
  first(order_id ORDER BY age_hours DESC, order_id) AS oldest_order_id
FROM bucketed
GROUP BY ALL
ORDER BY stage_index NULLS LAST, stage, grp NULLS FIRST, age_index
