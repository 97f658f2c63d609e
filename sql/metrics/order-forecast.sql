-- metric: order-forecast
-- How long orders take from a stage to shipped and to delivered, per stage, channel and region:
-- the p50 and p90 of the tenant's own history (orders in scope that reached the stage by $as_of
-- and then shipped, or were delivered, in ($history_from, $as_of]: how orders flow lately, not
-- a year ago before a change of process), among those that took at least $waited_us µs
-- (the time an open order has already spent since reaching the stage: the estimate for an order
-- 40 h at stock_locked comes from the orders that were still unshipped 40 h after it). With fewer
-- than $min_orders such orders, no estimate (nulls). GET /api/orders?forecast=true gives each open
-- order the same windows (sql/orders/list.sql, forecast). sql/README.md, "order-forecast".
-- params: $tenant, $stage_names, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $warehouses, $stages, $waited_us, $as_of, $history_from, $min_orders, $stage_columns
-- columns: stage string, channel string, region string, ship_orders integer, ship_p50_hours number, ship_p90_hours number, delivery_orders integer, delivery_p50_hours number, delivery_p90_hours number
WITH history AS (
  SELECT s.stage, o.channel, o.region,
-- when $stage_columns
    -- Every stage has its column: the stage lists are not read (half the time at 10M orders).
    op_stage_at_column(s.stage_column, o.placed_at, o.paid_at, o.credit_checked_at, o.stock_locked_at, o.dispatched_at, o.picked_at, o.shipped_at, o.delivered_at) AS at_stage,
-- or
-- when not $stage_columns
    op_stage_at(s.stage, $stage_names, o.stage_keys, o.stage_at, o.placed_at, o.paid_at, o.credit_checked_at, o.stock_locked_at, o.dispatched_at, o.picked_at, o.shipped_at, o.delivered_at) AS at_stage,
-- end
    op_in_history(o.shipped_at, $history_from::TIMESTAMPTZ, $as_of::TIMESTAMPTZ) AS shipped,
    op_in_history(o.delivered_at, $history_from::TIMESTAMPTZ, $as_of::TIMESTAMPTZ) AS delivered
  FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses) o,
    -- Each stage's column number once, not per order.
    (SELECT stage, op_stage_column(stage) AS stage_column FROM (SELECT unnest($stages) AS stage)) s
  -- An order shipped or delivered in the history reached its latest stage after its start: a
  -- filter on one column, by which DuckDB skips row groups (at 10M orders 144 against 420 ms).
  WHERE o.last_at > $history_from::TIMESTAMPTZ
), durations AS (
  SELECT stage, channel, region, op_us(at_stage, shipped) AS ship_us, op_us(at_stage, delivered) AS delivery_us
  FROM history
  WHERE at_stage <= $as_of::TIMESTAMPTZ
), summed AS (
  -- Durations and the wait in whole microseconds: no division per row (at 10M orders, stock_locked
  -- with waited=24h, 656-672 -> 555-587 ms).
  SELECT stage, channel, region,
    count(*) FILTER (ship_us >= w.us) AS ship_orders,
    quantile_cont(ship_us, [0.5, 0.9]) FILTER (ship_us >= w.us) AS ship_q,
    count(*) FILTER (delivery_us >= w.us) AS delivery_orders,
    quantile_cont(delivery_us, [0.5, 0.9]) FILTER (delivery_us >= w.us) AS delivery_q
  FROM durations, (SELECT $waited_us::BIGINT AS us) w GROUP BY stage, channel, region
)
SELECT stage, channel, region,
  ship_orders::INTEGER AS ship_orders,
  CASE WHEN ship_orders >= $min_orders THEN op_us_hours(ship_q[1]) END AS ship_p50_hours,
  CASE WHEN ship_orders >= $min_orders THEN op_us_hours(ship_q[2]) END AS ship_p90_hours,
  delivery_orders::INTEGER AS delivery_orders,
  CASE WHEN delivery_orders >= $min_orders THEN op_us_hours(delivery_q[1]) END AS delivery_p50_hours,
  CASE WHEN delivery_orders >= $min_orders THEN op_us_hours(delivery_q[2]) END AS delivery_p90_hours
FROM summed
ORDER BY list_position($stages, stage), channel, region NULLS LAST
