-- metric: friction-pareto
-- The largest friction drivers: cost per (component × dimension value), largest first, with each
-- driver's share and the cumulative share. Dimension `stage` attributes an event to the stage the
-- order was in when it happened (its latest stage reached at or before the event; of stages reached
-- at the same instant, the later one in the pipeline).
-- params: $tenant, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $group_by, $minutes_per_data_move, $labor_cost_per_hour, $limit, $pipeline
-- columns: rank integer, component string, value string, cost number, events integer, orders integer, share number, cumulative_share number
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
), friction AS (
  SELECT e.channel, e.order_id, e."at", e.type,
    op_event_cost(e.type, e.minutes, e.cost, $minutes_per_data_move, $labor_cost_per_hour) AS cost,
    op_dimension($group_by, o.channel, o.sku_series, o.region, o.customer_tier, o.promotion_id) AS dim_value
  FROM op_events($tenant) e JOIN scoped o ON o.channel = e.channel AND o.order_id = e.order_id
  WHERE e.type IN ('data_move', 'exception', 'contact', 'expedite')
), stage_times AS (
  SELECT s.channel, s.order_id, s."at", arg_max(s.stage, coalesce(list_position($pipeline, s.stage), 0)) AS stage
  FROM op_stage_times($tenant) s JOIN scoped o ON o.channel = s.channel AND o.order_id = s.order_id
  WHERE $group_by = 'stage'
  GROUP BY ALL
), attributed AS (
  SELECT f.*, s.stage AS at_stage
  FROM friction f ASOF LEFT JOIN stage_times s ON s.channel = f.channel AND s.order_id = f.order_id AND f."at" >= s."at"
), drivers AS (
  SELECT type AS component, CASE WHEN $group_by = 'stage' THEN at_stage ELSE dim_value END AS value,
    sum(cost) AS cost, count(*)::INTEGER AS events, count(DISTINCT (channel, order_id))::INTEGER AS orders
  FROM attributed GROUP BY ALL
  HAVING sum(cost) > 0
), ranked AS (
  SELECT *, row_number() OVER (ORDER BY cost DESC, component, value NULLS LAST) AS rank FROM drivers
)
SELECT rank::INTEGER AS rank, component, value, cost, events, orders,
  cost / sum(cost) OVER () AS share,
  sum(cost) OVER (ORDER BY rank ROWS UNBOUNDED PRECEDING) / sum(cost) OVER () AS cumulative_share
FROM ranked
ORDER BY rank
LIMIT $limit
