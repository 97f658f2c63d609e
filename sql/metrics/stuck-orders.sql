-- metric: stuck-orders
-- Orders in scope placed at or before $as_of whose latest stage as of $as_of is not terminal, by that
-- stage and by how long they have waited in it (age buckets <4h, 4-24h, 1-3d, >3d).
-- A terminal stage wins a tie with another stage at the same instant; otherwise the later pipeline stage.
-- params: $tenant, $stage_names, $stage_ranks, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $group_by, $pipeline, $terminal, $terminal_keys, $as_of
-- columns: stage string, stage_index integer, group string, age_bucket string, age_index integer, orders integer, mean_age_hours number, max_age_hours number, oldest_order_id string
-- NOT MATERIALIZED: read by both branches below, each of which reads few columns.
WITH scoped AS NOT MATERIALIZED (
  SELECT *, op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id) AS grp
  FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
  WHERE created_at <= $as_of::TIMESTAMPTZ
), settled_by_then AS (
  -- Orders whose every stage was reached by $as_of (most, for a recent $as_of): their latest stages
  -- are last_keys, at last_at, and the one that counts is the highest ranked ($stage_ranks: terminal
  -- 1000, else the pipeline position, else 0; the first in key order on a tie). No stage list is
  -- read but for orders with several latest stages (last_key is the first, last_count how many).
  SELECT order_id, grp, last_at AS since,
    CASE WHEN last_count = 1 THEN last_key
      ELSE list_reduce(last_keys, (a, b) -> CASE WHEN $stage_ranks[b] > $stage_ranks[a] THEN b ELSE a END) END AS key
  FROM scoped
  WHERE last_at <= $as_of::TIMESTAMPTZ
    -- Terminal among the latest: set aside before picking (two conjuncts, so the list test runs
    -- only on orders with several latest stages, the rare case).
    AND NOT list_contains($terminal_keys, last_key)
    AND (last_count = 1 OR NOT list_has_any(last_keys, $terminal_keys))
), scored AS (
  -- Orders with a stage after $as_of: each stage reached by then scored by time, then rank, packed
  -- in one BIGINT so list_max picks the latest, the highest ranked among stages at the same instant.
  SELECT order_id, grp, stage_keys, stage_at,
    list_transform(range(1, len(stage_keys) + 1), i ->
      CASE WHEN stage_at[i] <= $as_of::TIMESTAMPTZ THEN epoch_us(stage_at[i]) * 2048 + $stage_ranks[stage_keys[i]] END) AS scores
  FROM scoped
  WHERE last_at > $as_of::TIMESTAMPTZ
), latest AS (
  SELECT order_id, grp, stage_at[pos] AS since, stage_keys[pos] AS key
  FROM (SELECT *, list_position(scores, list_max(scores)) AS pos FROM scored)
  WHERE pos IS NOT NULL
), waiting AS (
  SELECT order_id, grp, $stage_names[key] AS stage, op_hours(since, $as_of::TIMESTAMPTZ) AS age_hours
  FROM (SELECT * FROM settled_by_then UNION ALL SELECT * FROM latest)
  WHERE NOT list_contains($terminal, $stage_names[key])
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
