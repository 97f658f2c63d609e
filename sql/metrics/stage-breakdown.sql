-- metric: stage-breakdown
-- Duration of each consecutive step among the pipeline stages an order actually reached
-- (ordered by pipeline position), with the bottleneck: the step with the highest median per group.
-- params: $tenant, $pipeline_keys, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $group_by, $pipeline
-- columns: group string, step integer, from_stage string, to_stage string, orders integer, mean_hours number, p50_hours number, p90_hours number, negative_gaps integer, is_bottleneck boolean
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
), aligned AS (
  -- Per order, when it first reached each pipeline stage (NULL: never), in pipeline order.
  SELECT op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id) AS grp,
    list_transform($pipeline_keys, k -> op_reached_at(stage_keys, stage_at, k)) AS times
  FROM scoped
), reached AS (
  -- The pipeline positions it reached, ascending, and their times: two plain lists, which DuckDB
  -- expands much faster than a list of structs.
  SELECT grp, list_filter(range(1, len(times) + 1), j -> times[j] IS NOT NULL) AS pos, list_filter(times, t -> t IS NOT NULL) AS ats
  FROM aligned
), steps AS (
  -- One row per consecutive pair, its duration in whole microseconds (op_us) until the end.
  SELECT grp, pos[i - 1] AS from_pos, pos[i] AS to_pos, op_us(ats[i - 1], ats[i]) AS us
  FROM (SELECT grp, pos, ats, unnest(range(2, len(pos) + 1)) AS i FROM reached)
), summary AS (
  SELECT grp, from_pos, to_pos, $pipeline[from_pos] AS from_stage, $pipeline[to_pos] AS to_stage,
    count(*) FILTER (us >= 0)::INTEGER AS orders,
    op_us_hours(avg(us) FILTER (us >= 0)) AS mean_hours,
    quantile_cont(us, [0.5, 0.9]) FILTER (us >= 0) AS q,
    count(*) FILTER (us < 0)::INTEGER AS negative_gaps
  FROM steps
  GROUP BY ALL
), percentiles AS (
  SELECT * EXCLUDE (q), op_us_hours(q[1]) AS p50_hours, op_us_hours(q[2]) AS p90_hours FROM summary
)
SELECT grp AS "group", from_pos::INTEGER AS step, from_stage, to_stage, orders, mean_hours, p50_hours, p90_hours, negative_gaps,
  coalesce(p50_hours = max(p50_hours) OVER (PARTITION BY grp), false) AS is_bottleneck
FROM percentiles
ORDER BY grp NULLS FIRST, from_pos, to_pos
