-- metric: friction-cost
-- Friction cost of the orders in scope: manual data moves and the minutes spent on exceptions and
-- customer contacts, at the labour rate, plus expedite surcharges. cost_per_order divides by every
-- order in scope, zero-friction ones included. By interval of created_at and/or a dimension.
-- params: $tenant, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $tz, $unit, $group_by, $minutes_per_data_move, $labor_cost_per_hour
-- columns: bucket time, group string, orders integer, orders_with_friction integer, friction_share number, total_cost number, cost_per_order number, data_move_cost number, exception_cost number, contact_cost number, expedite_cost number, data_moves integer
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
), per_order AS (
  SELECT e.channel, e.order_id,
    count(*) FILTER (e.type = 'data_move') AS data_moves,
    sum(op_event_cost(e.type, e.minutes, e.cost, $minutes_per_data_move, $labor_cost_per_hour)) FILTER (e.type = 'data_move') AS data_move_cost,
    sum(op_event_cost(e.type, e.minutes, e.cost, $minutes_per_data_move, $labor_cost_per_hour)) FILTER (e.type = 'exception') AS exception_cost,
    sum(op_event_cost(e.type, e.minutes, e.cost, $minutes_per_data_move, $labor_cost_per_hour)) FILTER (e.type = 'contact') AS contact_cost,
    sum(op_event_cost(e.type, e.minutes, e.cost, $minutes_per_data_move, $labor_cost_per_hour)) FILTER (e.type = 'expedite') AS expedite_cost
  FROM op_events($tenant) e JOIN scoped o ON o.channel = e.channel AND o.order_id = e.order_id
  WHERE e.type IN ('data_move', 'exception', 'contact', 'expedite')
  GROUP BY ALL
), costs AS (
  SELECT op_bucket(o.created_at, $unit, $tz) AS bucket,
         op_dimension($group_by, o.channel, o.sku_series, o.region, o.customer_tier, o.promotion_id) AS grp,
         coalesce(f.data_moves, 0) AS data_moves,
         coalesce(f.data_move_cost, 0) AS data_move_cost, coalesce(f.exception_cost, 0) AS exception_cost,
         coalesce(f.contact_cost, 0) AS contact_cost, coalesce(f.expedite_cost, 0) AS expedite_cost
  FROM scoped o LEFT JOIN per_order f ON f.channel = o.channel AND f.order_id = o.order_id
), totals AS (
  SELECT *, data_move_cost + exception_cost + contact_cost + expedite_cost AS total FROM costs
)
SELECT op_ms(bucket) AS bucket, grp AS "group",
  count(*)::INTEGER AS orders,
  count(*) FILTER (total > 0)::INTEGER AS orders_with_friction,
  count(*) FILTER (total > 0)::DOUBLE / count(*) AS friction_share,
  sum(total) AS total_cost,
  sum(total) / count(*) AS cost_per_order,
  sum(data_move_cost) AS data_move_cost,
  sum(exception_cost) AS exception_cost,
  sum(contact_cost) AS contact_cost,
  sum(expedite_cost) AS expedite_cost,
  sum(data_moves)::INTEGER AS data_moves
FROM totals
GROUP BY bucket, grp
ORDER BY bucket NULLS FIRST, grp NULLS FIRST
