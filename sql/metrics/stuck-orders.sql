-- metric: stuck-orders
-- Orders in scope placed at or before $as_of whose latest stage as of $as_of is not terminal, by that
-- stage and by how long they have waited in it (age buckets <4h, 4-24h, 1-3d, >3d).
-- A terminal stage wins a tie with another stage at the same instant; otherwise the later pipeline stage.
-- params: $tenant, $stage_names, $stage_ranks, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $group_by, $pipeline, $terminal, $terminal_keys, $as_of
-- columns: stage string, stage_index integer, group string, age_bucket string, age_index integer, orders integer, mean_age_hours number, max_age_hours number, oldest_order_id string
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
  WHERE created_at <= $as_of::TIMESTAMPTZ
    -- Not settled, i.e. not (every stage reached by $as_of and a terminal one among the latest, which
    -- wins the tie). Most orders are settled; setting them aside here spares expanding their stage
    -- lists below. Written as two conjuncts so the list test runs only on orders with several latest
    -- stages, the rare case: ~4× cheaper than one list_has_any per order.
    AND (last_at > $as_of::TIMESTAMPTZ OR NOT list_contains($terminal_keys, last_keys[1]))
    AND (last_at > $as_of::TIMESTAMPTZ OR len(last_keys) = 1 OR NOT list_has_any(last_keys, $terminal_keys))
), scored AS (
  -- Each reached stage by asOf scored by time, then rank ($stage_ranks: terminal 1000, else the
  -- pipeline position, else 0), packed in one BIGINT so list_max picks the latest, a terminal
  -- one among stages reached at the same instant.
  SELECT order_id, stage_keys, stage_at,
    op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id) AS grp,
    list_transform(range(1, len(stage_keys) + 1), i ->
      CASE WHEN stage_at[i] <= $as_of::TIMESTAMPTZ THEN epoch_us(stage_at[i]) * 2048 + $stage_ranks[stage_keys[i]] END) AS scores
  FROM scoped
), latest AS (
  SELECT order_id, grp, stage_keys, stage_at, list_position(scores, list_max(scores)) AS pos FROM scored
), waiting AS (
  SELECT order_id, grp, $stage_names[stage_keys[pos]] AS stage, op_hours(stage_at[pos], $as_of::TIMESTAMPTZ) AS age_hours
  FROM latest
  WHERE pos IS NOT NULL AND NOT list_contains($terminal, $stage_names[stage_keys[pos]])
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
