-- metric: stage-breakdown
-- Duration of each consecutive step among the pipeline stages an order actually reached
-- (ordered by pipeline position), with the bottleneck: the step with the highest median per group.
-- params: $tenant, $pipeline_keys, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $group_by, $pipeline
-- columns: group string, step integer, from_stage string, to_stage string, orders integer, mean_hours number, p50_hours number, p90_hours number, negative_gaps integer, is_bottleneck boolean
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
), reached AS (
  -- Per order, the pipeline stages it reached, in pipeline order, with when.
  SELECT op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id) AS grp,
    list_filter(list_transform(range(1, len($pipeline) + 1), j ->
      {'pos': j, 'at': stage_at[list_position(stage_keys, $pipeline_keys[j])]}), x -> x.at IS NOT NULL) AS r
  FROM scoped
), steps AS (
  SELECT grp, unnest(list_transform(range(2, len(r) + 1), i -> {'from_pos': r[i - 1].pos, 'to_pos': r[i].pos, 'hours': op_hours(r[i - 1].at, r[i].at)}), recursive := true)
  FROM reached
  WHERE len(r) > 1
), summary AS (
  SELECT grp, from_pos, to_pos, $pipeline[from_pos] AS from_stage, $pipeline[to_pos] AS to_stage,
    count(*) FILTER (hours >= 0)::INTEGER AS orders,
    avg(hours) FILTER (hours >= 0) AS mean_hours,
    quantile_cont(hours, [0.5, 0.9]) FILTER (hours >= 0) AS q,
    count(*) FILTER (hours < 0)::INTEGER AS negative_gaps
  FROM steps
  GROUP BY ALL
), percentiles AS (
  SELECT * EXCLUDE (q), q[1] AS p50_hours, q[2] AS p90_hours FROM summary
)
SELECT grp AS "group", from_pos::INTEGER AS step, from_stage, to_stage, orders, mean_hours, p50_hours, p90_hours, negative_gaps,
  coalesce(p50_hours = max(p50_hours) OVER (PARTITION BY grp), false) AS is_bottleneck
FROM percentiles
ORDER BY grp NULLS FIRST, from_pos, to_pos
