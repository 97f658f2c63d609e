-- metric: roi-compare
-- KPIs of a baseline scope (a_…) and a current scope (b_…): two time ranges, or two cohorts over one
-- range. For each KPI: baseline, current, delta = current − baseline, and the direction-aware
-- improvement % (op_improvement_pct). Revenue is net: orders cancelled, refunded or returned excluded.
-- merge_latency_hours: the median hours from placement to the order's first arrival in the store.
-- From the per-order facts, or from the per-day and duration rollups when $rollup (both scopes
-- are whole local days in the tenant's zone with at most a channel filter, and the cycle time is
-- placed → delivered: sql/README.md, "Rollups").
-- params: $tenant, $stage_names, $store_tz, $a_from_ts, $a_to_ts, $a_channels, $a_regions, $a_series, $a_tiers, $a_promotions, $a_warehouses, $b_from_ts, $b_to_ts, $b_channels, $b_regions, $b_series, $b_tiers, $b_promotions, $b_warehouses, $tz, $from_stage, $to_stage, $minutes_per_data_move, $labor_cost_per_hour, $rollup, $a_from_day, $a_to_day, $b_from_day, $b_to_day, $a_months_from, $a_months_to, $a_head_from, $a_head_to, $a_tail_from, $a_tail_to, $b_months_from, $b_months_to, $b_head_from, $b_head_to, $b_tail_from, $b_tail_to, $as_of, $date_sources, $date_zones, $date_as_of, $currencies
-- columns: kpi string, unit string, direction string, baseline number, current number, delta number, delta_pp number, improvement_pct number
-- NOT MATERIALIZED: read more than once, and rescanning the columns each reader needs beats
-- DuckDB's default of materializing every column (stage lists included) of every order in scope.
WITH all_sides AS NOT MATERIALIZED (
  SELECT 'baseline' AS side, * FROM op_scoped_orders($tenant, $a_from_ts::TIMESTAMPTZ, $a_to_ts::TIMESTAMPTZ, $a_channels, $a_regions, $a_series, $a_tiers, $a_promotions, $a_warehouses, currencies := $currencies)
  UNION ALL
  SELECT 'current', * FROM op_scoped_orders($tenant, $b_from_ts::TIMESTAMPTZ, $b_to_ts::TIMESTAMPTZ, $b_channels, $b_regions, $b_series, $b_tiers, $b_promotions, $b_warehouses, currencies := $currencies)
), sides AS NOT MATERIALIZED (
  SELECT * FROM all_sides WHERE NOT $rollup
), on_time AS (
  -- As on-time judges it, as of $as_of (the latest event by default), from the facts whether or not
  -- the rest comes from the rollups: they hold deliveries, not what was due as of a moment.
  SELECT side, count(*) FILTER (op_otif_on_time(d, delivered_day, promised_day, delivered_at, promised_at))::DOUBLE / nullif(count(*), 0) AS on_time_rate
  FROM (
    SELECT side, promised_at, delivered_at, settled_at, op_date_source($date_sources, source) AS d,
    op_day_of($date_zones[d], $store_tz, promised_local, promised_at) AS promised_day,
    op_day_of($date_zones[d], $store_tz, delivered_local, delivered_at) AS delivered_day
    FROM all_sides WHERE promised_at IS NOT NULL
  )
  WHERE op_otif_due(d, $date_as_of[d]::DATE, promised_day, promised_at, $as_of::TIMESTAMPTZ, settled_at, delivered_at)
  GROUP BY side
), merge_latency AS (
  -- The median hours from placement to first arrival in the store (freshness: op_merge_us, never
  -- below 0); orders stored before arrivals were kept have none.
-- when not $rollup
  -- Over whole microseconds, converted once per side: the median over hours as doubles cost 33 ms
  -- of roi-compare's 80 at 1M orders.
  SELECT side, op_us_hours(quantile_cont(op_merge_us(created_at, first_seen_at), 0.5)) AS merge_latency_hours
  FROM all_sides WHERE first_seen_at IS NOT NULL
  GROUP BY side
-- or
-- when $rollup
  -- From the duration rollups, every source's merge latencies (measures below 0, schema/026) as
  -- one: from the facts the median sorted 10M latencies (345 of roi-compare's 568 ms at 10M orders).
  SELECT 'baseline' AS side, op_us_hours(q[1]) AS merge_latency_hours
  FROM op_duration_quantiles($tenant, $a_from_day::DATE, $a_to_day::DATE, $a_months_from::DATE, $a_months_to::DATE, $a_head_from::DATE,
    $a_head_to::DATE, $a_tail_from::DATE, $a_tail_to::DATE, $a_channels, false, NULL, -2147483648, -1, [0.5], fold := true)
  WHERE orders > 0
  UNION ALL
  SELECT 'current', op_us_hours(q[1])
  FROM op_duration_quantiles($tenant, $b_from_day::DATE, $b_to_day::DATE, $b_months_from::DATE, $b_months_to::DATE, $b_head_from::DATE,
    $b_head_to::DATE, $b_tail_from::DATE, $b_tail_to::DATE, $b_channels, false, NULL, -2147483648, -1, [0.5], fold := true)
  WHERE orders > 0
-- end
), rolled_sides AS (
  -- The two scopes as day ranges, for the per-day rollups (open ends as ±infinity).
  SELECT * FROM (VALUES ('baseline', $a_from_day::DATE, $a_to_day::DATE, $a_channels), ('current', $b_from_day::DATE, $b_to_day::DATE, $b_channels))
    s(side, from_day, to_day, channels)
  WHERE $rollup
), rolled_days AS (
  SELECT s.side, t.* FROM rolled_sides s JOIN op_day_totals($tenant) t
    ON t.day >= s.from_day AND t.day < s.to_day AND (len(s.channels) = 0 OR list_contains(s.channels, t.channel))
), rolled_touches AS (
  SELECT s.side, t.* FROM rolled_sides s JOIN op_touch_counts($tenant) t
    ON t.day >= s.from_day AND t.day < s.to_day AND (len(s.channels) = 0 OR list_contains(s.channels, t.channel))
), order_kpis AS (
  -- Whole microseconds and raw friction quantities per order; averages are taken over these and
  -- converted or priced per side (a sum of costs is the cost of the sums).
  SELECT side, amount,
    first_response_us,
    op_gap_us($from_stage, $to_stage, $stage_names, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at, delivery_us) AS cycle_us,
    coalesce(list_contains(stage_keys, list_position($stage_names, 'cancelled')), false) AS cancelled,
    coalesce(list_contains(stage_keys, list_position($stage_names, 'refunded')), false) AS refunded,
    coalesce(list_contains(stage_keys, list_position($stage_names, 'returned')), false) AS returned,
    data_moves, exception_minutes + contact_minutes AS labour_minutes, expedite_cost
  FROM sides
), actor_days AS (
  -- Distinct orders per side, actor (as a key, schema/009) and local day: from the facts' touches
  -- in the tenant's zone, else from the events.
  SELECT side, t.actor_key, t.day, count(*) AS orders
  FROM (SELECT side, unnest(touches) AS t FROM sides WHERE $tz = $store_tz)
  GROUP BY ALL
  UNION ALL
  SELECT side, k.key, day, count(*) FROM (
    SELECT DISTINCT s.side, e.actor, e.order_key, timezone($tz, e."at")::DATE AS day
    FROM op_events($tenant) e JOIN sides s ON s.order_key = e.order_key
    WHERE e.actor IS NOT NULL AND $tz <> $store_tz
  ) d JOIN op_actor_keys() k ON k.actor = d.actor
  GROUP BY ALL
  UNION ALL
  -- From the rollups: orders touched per actor and day, summed over the days the orders were created.
  SELECT side, actor_key, touch_day, sum(n) FROM rolled_touches GROUP BY ALL HAVING sum(n) > 0
), throughput AS (
  SELECT side, sum(orders)::DOUBLE / count(*) AS orders_per_actor_day FROM actor_days GROUP BY side
), per_side AS (
  SELECT side,
    op_us_hours(avg(first_response_us)) AS first_response_hours,
    op_us_hours(avg(cycle_us) FILTER (cycle_us >= 0)) AS cycle_time_hours,
    (sum(data_moves) * $minutes_per_data_move + sum(labour_minutes)) / 60.0 * $labor_cost_per_hour / count(*)
      + sum(expedite_cost) / count(*) AS friction_cost_per_order,
    avg(cancelled::INTEGER) AS cancellation_rate,
    avg((refunded OR returned)::INTEGER) AS refund_rate,
    count(*)::DOUBLE AS orders,
    coalesce(sum(amount) FILTER (NOT (cancelled OR refunded OR returned)), 0)::DOUBLE AS revenue
  FROM order_kpis
  GROUP BY side
  UNION ALL
  -- The same from the per-day sums (schema/013).
  SELECT side,
    op_us_hours(sum(first_response_us) / nullif(sum(responded), 0)),
    op_us_hours(sum(delivery_us) / nullif(sum(delivered), 0)),
    (sum(data_moves) * $minutes_per_data_move + sum(exception_minutes) + sum(contact_minutes)) / 60.0 * $labor_cost_per_hour / sum(orders)
      + sum(expedite_cost) / sum(orders),
    sum(cancelled)::DOUBLE / sum(orders),
    sum(refunded)::DOUBLE / sum(orders),
    sum(orders)::DOUBLE,
    sum(revenue)::DOUBLE
  FROM rolled_days
  GROUP BY side
  HAVING sum(orders) > 0
), kpis AS (
  -- Throughput joins the two aggregated rows, not every order.
  SELECT k.side, k.first_response_hours, k.cycle_time_hours, k.friction_cost_per_order, t.orders_per_actor_day,
    o.on_time_rate, k.cancellation_rate, k.refund_rate, k.orders, k.revenue, m.merge_latency_hours
  FROM per_side k LEFT JOIN throughput t ON t.side = k.side LEFT JOIN on_time o ON o.side = k.side
  LEFT JOIN merge_latency m ON m.side = k.side
), sides_present AS (
  SELECT * FROM (VALUES ('baseline'), ('current')) v(side)
), wide AS (
  SELECT sp.side, k.* EXCLUDE (side) FROM sides_present sp LEFT JOIN kpis k ON k.side = sp.side
), long AS (
  SELECT * FROM wide UNPIVOT INCLUDE NULLS (value FOR kpi IN (
    first_response_hours, cycle_time_hours, friction_cost_per_order, orders_per_actor_day, on_time_rate,
    cancellation_rate, refund_rate, orders, revenue, merge_latency_hours))
), catalogue AS (
  SELECT * FROM (VALUES
    (1, 'first_response_hours', 'hours', 'lower'), (2, 'cycle_time_hours', 'hours', 'lower'),
    (3, 'friction_cost_per_order', 'currency', 'lower'), (4, 'orders_per_actor_day', 'orders', 'higher'),
    (5, 'on_time_rate', 'ratio', 'higher'), (6, 'cancellation_rate', 'ratio', 'lower'),
    (7, 'refund_rate', 'ratio', 'lower'), (8, 'orders', 'orders', 'higher'), (9, 'revenue', 'currency', 'higher'),
    (10, 'merge_latency_hours', 'hours', 'lower')
  ) c(ord, kpi, unit, direction)
)
SELECT kpi, unit, direction,
  -- Money to cents; the change and improvement from the exact values.
  CASE WHEN unit = 'currency' THEN op_cents(baseline) ELSE baseline END AS baseline,
  CASE WHEN unit = 'currency' THEN op_cents(current) ELSE current END AS current,
  CASE WHEN unit = 'currency' THEN op_cents(current - baseline) ELSE current - baseline END AS delta,
  -- A rate's change in percentage points (0.30 → 0.40: +10 pp), beside its relative change.
  CASE WHEN unit = 'ratio' THEN (current - baseline) * 100 END AS delta_pp,
  op_improvement_pct(baseline, current, direction = 'higher') AS improvement_pct
FROM (
  -- A side with no orders has 0 orders and 0 revenue; its averages and rates stay null.
  SELECT c.ord, c.kpi, c.unit, c.direction,
    CASE WHEN c.kpi IN ('orders', 'revenue') THEN coalesce(b.value, 0) ELSE b.value END AS baseline,
    CASE WHEN c.kpi IN ('orders', 'revenue') THEN coalesce(n.value, 0) ELSE n.value END AS current
  FROM catalogue c
  LEFT JOIN long b ON b.kpi = c.kpi AND b.side = 'baseline'
  LEFT JOIN long n ON n.kpi = c.kpi AND n.side = 'current'
)
ORDER BY ord
