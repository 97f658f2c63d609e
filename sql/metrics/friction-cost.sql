-- metric: friction-cost
-- Friction cost of the orders in scope: manual data moves and the minutes spent on exceptions and
-- customer contacts, at the labour rate, plus expedite surcharges. cost_per_order divides by every
-- order in scope, zero-friction ones included. By interval of created_at and/or a dimension.
-- params: $tenant, $store_tz, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $tz, $unit, $group_by, $minutes_per_data_move, $labor_cost_per_hour
-- columns: bucket time, group string, orders integer, orders_with_friction integer, friction_share number, total_cost number, cost_per_order number, data_move_cost number, exception_cost number, contact_cost number, expedite_cost number, data_moves integer
WITH scoped AS (
  SELECT * FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions)
), costs AS (
  SELECT op_local_bucket(op_local(created_at, created_local, $tz, $store_tz), $unit) AS bucket,
         op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id) AS grp,
         data_moves,
         data_moves * $minutes_per_data_move / 60.0 * $labor_cost_per_hour AS data_move_cost,
         exception_minutes / 60.0 * $labor_cost_per_hour AS exception_cost,
         contact_minutes / 60.0 * $labor_cost_per_hour AS contact_cost,
         expedite_cost
  FROM scoped
), totals AS (
  SELECT *, data_move_cost + exception_cost + contact_cost + expedite_cost AS total FROM costs
)
SELECT op_local_ms(bucket, $tz) AS bucket, grp AS "group",
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
