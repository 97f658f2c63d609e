-- metric: friction-cost
-- Friction cost of the orders in scope: manual data moves and the minutes spent on exceptions and
-- customer contacts, at the labour rate, plus expedite surcharges. cost_per_order divides by every
-- order in scope, zero-friction ones included. By interval of created_at and/or a dimension. From
-- the per-order facts, or from the per-day rollups when $rollup (whole local days, at most a
-- channel filter, grouped by channel or not at all: sql/README.md, "Rollups").
-- params: $tenant, $store_tz, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $warehouses, $tz, $unit, $other_zone, $group_by, $minutes_per_data_move, $labor_cost_per_hour, $rollup, $from_day, $to_day, $currencies
-- columns: bucket time, group string, orders integer, orders_with_friction integer, friction_share number, total_cost number, cost_per_order number, data_move_cost number, exception_cost number, contact_cost number, expedite_cost number, data_moves integer
WITH scoped AS (
  -- when $other_zone
  SELECT * FROM op_zoned_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses,
    $tz, $unit, currencies := $currencies)
  WHERE $other_zone AND NOT $rollup
  -- or
  UNION ALL
  -- when not $other_zone
  SELECT * FROM op_bucketed_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses,
    $tz, $store_tz, $unit, currencies := $currencies)
  WHERE NOT $other_zone AND NOT $rollup
  -- end
), inputs AS (
  -- Raw quantities per order; they are priced per group below (a sum of costs is the cost of the
  -- sums). An order has friction when it has a kind of friction (order_facts.friction_kinds,
  -- schema/010) whose price is not zero: every quantity is non-negative.
  SELECT bucket,
         op_dimension($group_by, channel, sku_series, region, customer_tier, promotion_id, warehouse) AS grp,
         data_moves, exception_minutes, contact_minutes, expedite_cost,
         friction_kinds & ((CASE WHEN $minutes_per_data_move * $labor_cost_per_hour > 0 THEN 1 ELSE 0 END)
           + (CASE WHEN $labor_cost_per_hour > 0 THEN 2 ELSE 0 END) + 4) <> 0 AS has_friction
  FROM scoped
), grouped AS (
  SELECT bucket, grp,
    count(*) AS orders,
    count(*) FILTER (has_friction) AS orders_with_friction,
    sum(data_moves) AS data_moves,
    sum(exception_minutes) AS exception_minutes,
    sum(contact_minutes) AS contact_minutes,
    sum(expedite_cost) AS expedite_cost
  FROM inputs
  GROUP BY bucket, grp
  UNION ALL
  -- The same from the per-day sums (schema/013): which orders count as having friction depends on
  -- what the settings price.
  SELECT op_bucket(day, $unit), CASE WHEN $group_by = 'channel' THEN channel END, sum(orders),
    CASE WHEN $minutes_per_data_move * $labor_cost_per_hour > 0 THEN sum(friction_any)
         WHEN $labor_cost_per_hour > 0 THEN sum(friction_labour) ELSE sum(friction_expedite) END,
    sum(data_moves), sum(exception_minutes), sum(contact_minutes), sum(expedite_cost)
  FROM op_day_totals($tenant)
  WHERE $rollup AND day >= $from_day::DATE AND day < $to_day::DATE AND (len($channels) = 0 OR list_contains($channels, channel))
  GROUP BY ALL
  HAVING sum(orders) > 0
), priced AS (
  SELECT bucket, grp, orders, orders_with_friction,
    data_moves * ($minutes_per_data_move / 60.0 * $labor_cost_per_hour) AS data_move_cost,
    exception_minutes * ($labor_cost_per_hour / 60.0) AS exception_cost,
    contact_minutes * ($labor_cost_per_hour / 60.0) AS contact_cost,
    expedite_cost, data_moves
  FROM grouped
), totals AS (
  SELECT *, data_move_cost + exception_cost + contact_cost + expedite_cost AS total_cost FROM priced
)
SELECT op_local_ms(op_bucket_start(bucket, $unit), $tz) AS bucket, grp AS "group",
  orders::INTEGER AS orders,
  orders_with_friction::INTEGER AS orders_with_friction,
  orders_with_friction::DOUBLE / orders AS friction_share,
  op_cents(total_cost) AS total_cost,
  op_cents(total_cost / orders) AS cost_per_order,
  op_cents(data_move_cost) AS data_move_cost, op_cents(exception_cost) AS exception_cost,
  op_cents(contact_cost) AS contact_cost, op_cents(expedite_cost) AS expedite_cost,
  data_moves::INTEGER AS data_moves
FROM totals
ORDER BY bucket NULLS FIRST, grp NULLS FIRST
