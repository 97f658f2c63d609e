-- metric: stage-breakdown
-- Duration of each consecutive step among the pipeline stages an order actually reached
-- (ordered by pipeline position), with the bottleneck: the step with the highest median per group.
-- params: $tenant, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $group_by, $pipeline
-- columns: group string, step integer, from_stage string, to_stage string, orders integer, mean_hours number, p50_hours number, p90_hours number, negative_gaps integer, is_bottleneck boolean
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
), reached AS (
  SELECT s.channel, s.order_id, s.stage, s."at", list_position($pipeline, s.stage) AS pos,
         op_dimension($group_by, o.channel, o.sku_series, o.region, o.customer_tier, o.promotion_id) AS grp
  FROM op_stage_times($tenant) s JOIN scoped o ON o.channel = s.channel AND o.order_id = s.order_id
  WHERE list_contains($pipeline, s.stage)
), steps AS (
  SELECT grp, lag(stage) OVER w AS from_stage, stage AS to_stage, lag(pos) OVER w AS from_pos, pos AS to_pos,
         op_hours(lag("at") OVER w, "at") AS hours
  FROM reached
  WINDOW w AS (PARTITION BY channel, order_id ORDER BY pos)
), summary AS (
  SELECT grp, from_pos, to_pos, from_stage, to_stage,
    count(*) FILTER (hours >= 0)::INTEGER AS orders,
    avg(hours) FILTER (hours >= 0) AS mean_hours,
    quantile_cont(hours, 0.5) FILTER (hours >= 0) AS p50_hours,
    quantile_cont(hours, 0.9) FILTER (hours >= 0) AS p90_hours,
    count(*) FILTER (hours < 0)::INTEGER AS negative_gaps
  FROM steps WHERE from_stage IS NOT NULL
  GROUP BY ALL
)
SELECT grp AS "group", from_pos::INTEGER AS step, from_stage, to_stage, orders, mean_hours, p50_hours, p90_hours, negative_gaps,
  coalesce(p50_hours = max(p50_hours) OVER (PARTITION BY grp), false) AS is_bottleneck
FROM summary
ORDER BY grp NULLS FIRST, from_pos, to_pos
