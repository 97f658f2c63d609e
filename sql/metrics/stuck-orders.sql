-- metric: stuck-orders
-- Orders in scope placed at or before $as_of whose latest stage as of $as_of is not terminal, by that
-- stage and by how long they have waited in it (age buckets <4h, 4-24h, 1-3d, >3d).
-- A terminal stage wins a tie with another stage at the same instant; otherwise the later pipeline stage.
-- params: $tenant, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $group_by, $pipeline, $terminal, $as_of
-- columns: stage string, stage_index integer, group string, age_bucket string, age_index integer, orders integer, mean_age_hours number, max_age_hours number, oldest_order_id string
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
  WHERE created_at <= $as_of::TIMESTAMPTZ
), latest AS (
  SELECT s.channel, s.order_id,
    arg_max(s.stage, {'at': s."at", 'rank': CASE WHEN list_contains($terminal, s.stage) THEN 1000 ELSE coalesce(list_position($pipeline, s.stage), 0) END}) AS stage,
    max(s."at") AS since
  FROM op_stage_times($tenant) s JOIN scoped o ON o.channel = s.channel AND o.order_id = s.order_id
  WHERE s."at" <= $as_of::TIMESTAMPTZ
  GROUP BY ALL
), waiting AS (
  SELECT l.*, op_hours(l.since, $as_of::TIMESTAMPTZ) AS age_hours,
         op_dimension($group_by, o.channel, o.sku_series, o.region, o.customer_tier, o.promotion_id) AS grp
  FROM latest l JOIN scoped o ON o.channel = l.channel AND o.order_id = l.order_id
  WHERE NOT list_contains($terminal, l.stage)
), bucketed AS (
  SELECT *,
    CASE WHEN age_hours < 4 THEN 1 WHEN age_hours < 24 THEN 2 WHEN age_hours < 72 THEN 3 ELSE 4 END AS age_index
  FROM waiting
)
SELECT stage, list_position($pipeline, stage)::INTEGER AS stage_index, grp AS "group",
  ['<4h', '4-24h', '1-3d', '>3d'][age_index] AS age_bucket, age_index::INTEGER AS age_index,
  count(*)::INTEGER AS orders, avg(age_hours) AS mean_age_hours, max(age_hours) AS max_age_hours,
  arg_max(order_id, age_hours) AS oldest_order_id
FROM bucketed
GROUP BY ALL
ORDER BY stage_index NULLS LAST, stage, grp NULLS FIRST, age_index
