-- metric: stuck-orders
-- Orders in scope placed at or before $as_of whose latest stage as of $as_of is not terminal, by that
-- stage and by how long they have waited in it (age buckets <4h, 4-24h, 1-3d, >3d).
-- A terminal stage wins a tie with another stage at the same instant; otherwise the later pipeline stage.
-- params: $tenant, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $group_by, $pipeline, $terminal, $as_of
-- columns: stage string, stage_index integer, group string, age_bucket string, age_index integer, orders integer, mean_age_hours number, max_age_hours number, oldest_order_id string
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
  WHERE created_at <= $as_of::TIMESTAMPTZ
), stage_names AS (
  -- Stage keys are 1..n: the name and tie-break rank of each key, by key.
  SELECT list(stage ORDER BY key) AS names,
         list(CASE WHEN list_contains($terminal, stage) THEN 1000 ELSE coalesce(list_position($pipeline, stage), 0) END ORDER BY key) AS ranks
  FROM stage_keys
), candidates AS (
  SELECT o.order_id, o.stage_keys, o.stage_at, r.names,
    op_dimension($group_by, o.channel, o.sku_series, o.region, o.customer_tier, o.promotion_id) AS grp,
    list_transform(range(1, len(o.stage_keys) + 1), i ->
      CASE WHEN o.stage_at[i] <= $as_of::TIMESTAMPTZ THEN {'at': o.stage_at[i], 'rank': r.ranks[o.stage_keys[i]]} END) AS reached
  FROM scoped o CROSS JOIN stage_names r
), latest AS (
  -- The latest stage reached by asOf; of stages reached at the same instant the highest rank.
  SELECT order_id, grp, names, stage_keys, stage_at, list_position(reached, list_max(reached)) AS pos FROM candidates
), waiting AS (
  SELECT order_id, grp, names[stage_keys[pos]] AS stage, op_hours(stage_at[pos], $as_of::TIMESTAMPTZ) AS age_hours
  FROM latest
  WHERE pos IS NOT NULL AND NOT list_contains($terminal, names[stage_keys[pos]])
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
