-- orders: list
-- The orders behind a metric's number (GET /api/orders): the orders in scope, or with $stage those
-- waiting in that stage as of $as_of by stuck-orders' rule (op_stuck, the same macro the metric
-- counts from), of one age bucket with $age_index; with $component, those with friction of that
-- component; with $funnel_step, a funnel step's orders of $funnel_outcome; with $sla_targets, the
-- orders the sla metric counts as $sla_state for those targets (op_sla_judged, op_sla_open); with
-- $order_id, the one order of $order_channel.
-- Each row: the order's fields, its current stage (where it waits, else the latest stage it
-- reached) with since when and its age if open, its friction cost priced as friction-cost prices
-- it, and every stage it reached with the time. Paged by keyset: sorted by $sort_field
-- ($descending), then order_key; a page starts after ($after_value, $after_key). Times as epoch ms.
-- $page_first (no $stage, not sorted by age): the page is picked from the facts alone, by row id,
-- and only its rows are read back and looked up in op_stuck: the first page of 1M demo orders took
-- 1.16 s when every order was looked up, 0.29 s joined back on the order key, 0.10 s by row id.
-- Otherwise (a stage, or sorted by age) the selection is narrow rows, and the page's whole rows are
-- read back by row id the same way; a funnel step, a service level and the forecast's history are
-- matched by row id too (an integer, where the order key is a string).
-- params: $tenant, $store_tz, $stage_names, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $warehouses, $pipeline, $pipeline_keys, $terminal_keys, $as_of, $whole_days, $stage, $age_index, $order_channel, $order_id, $component, $currencies, $steps, $kept_index, $precomputed, $window_hours, $strict, $funnel_step, $funnel_outcome, $tz, $t_from, $t_to, $t_hours, $t_channel, $threshold, $min_history, $h_from_ts, $h_to_ts, $stage_lists, $sla_targets, $sla_state, $sla_open_state, $sla_rollup, $customers, $forecast, $forecast_min, $history_from, $minutes_per_data_move, $labor_cost_per_hour, $sort_field, $descending, $after_value, $after_key, $page_size, $page_first, $newest_first, $funnel_filter, $sla_filter, $stage_only, $stage_columns, $sla_only
WITH funnel AS (
  -- A funnel step's orders by outcome, from the rows channel-funnel counts (op_funnel_orders): those
  -- that reached step $funnel_step (`orders`), or stopped at the step before and are decided
  -- (`drop_off`) or undecided (`in_flight`).
  SELECT row_id
  FROM op_funnel_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses,
    '', $steps, $stage_names, $kept_index, $precomputed, $window_hours, $strict, $as_of::TIMESTAMPTZ, $funnel_step IS NULL)
  WHERE CASE $funnel_outcome WHEN 'converted' THEN depth >= $funnel_step
    WHEN 'dropped' THEN depth = $funnel_step - 1 AND NOT in_flight
    WHEN 'in_flight' THEN depth = $funnel_step - 1 AND in_flight END
), sla AS (
  -- The orders behind one of the sla metric's counts for a target (its channels' own included).
-- when $sla_open_state
  -- A count of open orders: those pairs alone, judged by the history the metric reads ($sla_rollup:
  -- the rollups'), not every pair (4.0 s at 10M orders for the at-risk list).
  SELECT row_id, order_key, created_at
  FROM op_sla_open($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses, $stage_names,
    $as_of::TIMESTAMPTZ, $t_from, $t_to, $t_hours, $t_channel, $threshold, $min_history, $tz, $h_from_ts::TIMESTAMPTZ, $h_to_ts::TIMESTAMPTZ,
    rollup := $sla_rollup, lists := $stage_lists
  )
  WHERE list_contains($sla_targets, t) AND CASE $sla_state WHEN 'open' THEN true WHEN 'due_today' THEN due_today WHEN 'at_risk' THEN at_risk
    WHEN 'open_breached' THEN open_breached END
-- or
-- when not $sla_open_state
  -- A count of decided pairs: judged alone, without the open pairs' survival, which an outer join
  -- computed for every such list (10M demo orders, tmall's breached: 1.5-1.7 s that way, 0.6-0.8 s this).
  SELECT row_id, order_key, created_at
  FROM op_sla_judged($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses, $stage_names,
    $as_of::TIMESTAMPTZ, $t_from, $t_to, $t_hours, $t_channel, lists := $stage_lists)
  WHERE list_contains($sla_targets, t) AND CASE $sla_state WHEN 'due' THEN due WHEN 'met' THEN due AND met WHEN 'breached' THEN due AND NOT met END
-- end
), scoped AS NOT MATERIALIZED (
  SELECT *,
    op_friction_cost(data_moves, exception_minutes, contact_minutes, expedite_cost, $minutes_per_data_move, $labor_cost_per_hour) AS friction_cost
  FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses, currencies := $currencies)
  WHERE ($order_id IS NULL OR (channel = $order_channel AND order_id = $order_id))
    -- A friction driver's orders: those with an event of its component (friction-pareto's `orders`).
    AND ($component IS NULL OR CASE $component WHEN 'contact' THEN contacts > 0 WHEN 'data_move' THEN data_moves > 0
      WHEN 'exception' THEN exceptions > 0 WHEN 'expedite' THEN expedites > 0 END)
    -- By row id: a semi join on the order key read a service level's 2.9M keys twice at 10M orders (0.4 s each).
-- when $funnel_filter
    AND row_id IN (SELECT row_id FROM funnel)
-- end
-- when $sla_filter
-- when not $sla_only
    AND row_id IN (SELECT row_id FROM sla)
-- end
-- end
    -- A customer's orders (a token locked to customers, or the customer parameter).
    AND (len($customers) = 0 OR list_contains($customers, customer_id))
-- when $page_first
), keyed AS (
  SELECT row_id, order_key, op_order_sort_value($sort_field, $descending, created_at, promised_at, NULL, amount, friction_cost) AS sort_value
  FROM scoped
), first_keys AS (
  -- The page's row ids first, then its rows by row id: sorting narrow rows, not every order's lists,
  -- and reading only the page's rows back (a join on the order key read every order's columns).
-- when $newest_first
  -- The newest orders' first page (the default) sorted on the column itself, the sort key computed
  -- for its rows only: DuckDB's top-N then skips the row groups that cannot hold the page (at 10M
  -- orders 6 ms; on the computed key, every order: 190 ms).
-- when $sla_only
  -- A service level's newest orders under no filter of the list's own: from its own rows, which
  -- the count reads too, where a semi join on a million row ids ran twice (10M demo orders,
  -- tmall's breached: 540-561 -> 405-436 ms, interleaved).
  SELECT row_id, order_key, op_order_sort_value($sort_field, $descending, created_at, NULL::TIMESTAMPTZ, NULL::DOUBLE, NULL::DECIMAL(18, 2), NULL::DOUBLE) AS sort_value
  FROM (SELECT * FROM sla ORDER BY created_at DESC, order_key LIMIT $page_size + 1)
-- or
-- when not $sla_only
  SELECT row_id, order_key, op_order_sort_value($sort_field, $descending, created_at, promised_at, NULL, amount, friction_cost) AS sort_value
  FROM (SELECT * FROM scoped ORDER BY created_at DESC, order_key LIMIT $page_size + 1)
-- end
-- or
-- when not $newest_first
  SELECT row_id, order_key, sort_value FROM keyed
  WHERE $after_key IS NULL OR sort_value > $after_value OR (sort_value = $after_value AND order_key > $after_key)
  ORDER BY sort_value, order_key
  -- One more than a page: whether there is a next one.
  LIMIT $page_size + 1
-- end
), first_rows AS (
  SELECT s.*, k.sort_value FROM (SELECT * FROM scoped WHERE row_id IN (SELECT row_id FROM first_keys)) s JOIN first_keys k ON k.row_id = s.row_id
), page_orders AS (
  -- op_stuck_of carries a group through; a list has none.
  SELECT *, NULL::VARCHAR AS grp FROM first_rows
), waiting AS (
  -- The page's rows judged as stuck-orders judges them, where they are.
  SELECT order_key, stage, since, age_us, age_hours
  FROM op_stuck_of('page_orders', $store_tz, $pipeline, $pipeline_keys, $terminal_keys, $as_of::TIMESTAMPTZ, $whole_days)
), page_rows AS (
  SELECT r.*, w.stage AS waiting_stage, w.since, w.age_us, w.age_hours FROM first_rows r LEFT JOIN waiting w ON w.order_key = r.order_key
), counted AS (
-- when $sla_only
  SELECT count(*)::INTEGER AS total FROM sla
-- or
-- when not $sla_only
  SELECT count(*)::INTEGER AS total FROM scoped
-- end
-- end
-- when not $page_first
), waiting AS (
  SELECT *, op_friction_cost(data_moves, exception_minutes, contact_minutes, expedite_cost, $minutes_per_data_move, $labor_cost_per_hour) AS friction_cost
  FROM op_stuck($tenant, $store_tz, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses,
    '', $pipeline, $pipeline_keys, $terminal_keys, $as_of::TIMESTAMPTZ, $whole_days)
  WHERE ($stage IS NULL OR stage = $stage) AND ($age_index IS NULL OR age_index = $age_index)
), selection AS (
  -- Narrow rows (the page's whole rows are read back by row id below), with since when and how
  -- long each has waited.
-- when $stage_only
  -- A stage's orders under no filter of the list's own: op_stuck's rows are the selection.
  SELECT row_id, order_key, stage AS waiting_stage, since, age_us, age_hours,
    op_order_sort_value($sort_field, $descending, created_at, promised_at, age_hours, amount, friction_cost) AS sort_value
  FROM waiting
-- or
-- when not $stage_only
  SELECT f.row_id, f.order_key, w.stage AS waiting_stage, w.since, w.age_us, w.age_hours,
    op_order_sort_value($sort_field, $descending, f.created_at, f.promised_at, w.age_hours, f.amount, f.friction_cost) AS sort_value
  FROM scoped f LEFT JOIN waiting w ON w.row_id = f.row_id
  WHERE $stage IS NULL OR w.row_id IS NOT NULL
-- end
), first_keys AS (
  SELECT * FROM selection
  WHERE $after_key IS NULL OR sort_value > $after_value OR (sort_value = $after_value AND order_key > $after_key)
  ORDER BY sort_value, order_key
  LIMIT $page_size + 1
), page_rows AS (
  SELECT s.*, k.waiting_stage, k.since, k.age_us, k.age_hours, k.sort_value
  FROM (SELECT * FROM scoped WHERE row_id IN (SELECT row_id FROM first_keys)) s JOIN first_keys k ON k.row_id = s.row_id
), counted AS (
  SELECT count(*)::INTEGER AS total FROM selection
-- end
), groups AS (
  SELECT DISTINCT channel, region, waiting_stage AS stage, op_stage_column(waiting_stage) AS stage_column FROM page_rows WHERE $forecast AND waiting_stage IS NOT NULL
), history AS (
  -- In whole microseconds, compared with each order's age in microseconds, as order-forecast compares them.
  SELECT row_id, channel, region, stage, op_us(at_stage, shipped) AS ship_us, op_us(at_stage, delivered) AS delivery_us
  FROM (
    SELECT o.row_id, g.channel, g.region, g.stage,
-- when $stage_columns
      -- Every stage has its column: the stage lists are not read (as order-forecast reads them).
      op_stage_at_column(g.stage_column, o.placed_at, o.paid_at, o.credit_checked_at, o.stock_locked_at, o.dispatched_at, o.picked_at, o.shipped_at, o.delivered_at) AS at_stage,
-- or
-- when not $stage_columns
      op_stage_at(g.stage, $stage_names, o.stage_keys, o.stage_at, o.placed_at, o.paid_at, o.credit_checked_at, o.stock_locked_at,
        o.dispatched_at, o.picked_at, o.shipped_at, o.delivered_at) AS at_stage,
-- end
      -- Only what happened in ($history_from, $as_of] (order-forecast's history).
      op_in_history(o.shipped_at, $history_from::TIMESTAMPTZ, $as_of::TIMESTAMPTZ) AS shipped,
      op_in_history(o.delivered_at, $history_from::TIMESTAMPTZ, $as_of::TIMESTAMPTZ) AS delivered
    FROM op_scoped_orders($tenant, NULL, NULL, [], [], [], [], [], []) o
    JOIN groups g ON o.channel = g.channel AND o.region IS NOT DISTINCT FROM g.region
    WHERE o.last_at > $history_from::TIMESTAMPTZ
  )
  WHERE at_stage IS NOT NULL AND at_stage <= $as_of::TIMESTAMPTZ
), forecast AS (
  -- With $forecast, for each open order of the page: when it should ship and be delivered, as the
  -- p50 and p90 of how long the tenant's orders of the same channel and region took from the stage
  -- it waits in to shipped (delivered), among those that waited at least as long as it has (its age
  -- as of $as_of): an order 40 h at stock_locked is compared with orders that were still there
  -- after 40 h. Fewer than $forecast_min such orders: no estimate. The metric order-forecast gives
  -- the same windows per stage, channel and region (a test checks one against the other).
  -- The history of every (channel, region, stage) the page needs, read in one pass over the facts,
  -- then each order's quantiles over its own group: a lateral lookup per order scanned the facts
  -- once per row (at 10M orders, 50 rows with forecasts: 8.3 s that way, 3.7 s this way; 20 rows 2.3 → 2.0 s).
  SELECT p.row_id,
    quantile_cont(h.ship_us, [0.5, 0.9]) FILTER (p.shipped_at IS NULL AND h.ship_us >= p.age_us) AS ship_us,
    count(*) FILTER (p.shipped_at IS NULL AND h.ship_us >= p.age_us) AS ship_n,
    quantile_cont(h.delivery_us, [0.5, 0.9]) FILTER (h.delivery_us >= p.age_us) AS delivery_us,
    count(*) FILTER (h.delivery_us >= p.age_us) AS delivery_n
  FROM (SELECT * FROM page_rows WHERE $forecast AND waiting_stage IS NOT NULL) p
  JOIN history h ON h.channel = p.channel AND h.region IS NOT DISTINCT FROM p.region AND h.stage = p.waiting_stage AND h.row_id <> p.row_id
  GROUP BY p.row_id
), page AS (
  SELECT sort_value, order_key,
    channel, order_id, epoch_ms(created_at)::DOUBLE AS created_at, epoch_ms(promised_at)::DOUBLE AS promised_at,
    customer_id, customer_tier, region, sku, sku_series, quantity, amount::DOUBLE AS amount, currency, promotion_id, warehouse, carrier, tracking_number,
    coalesce(waiting_stage, $stage_names[last_key]) AS current_stage,
    epoch_ms(coalesce(since, last_at))::DOUBLE AS stage_since, age_hours, epoch_ms(settled_at)::DOUBLE AS settled_at,
    friction_cost::DOUBLE AS friction_cost,
    CASE WHEN fc.ship_n >= $forecast_min THEN [epoch_ms(since + to_microseconds(fc.ship_us[1]::BIGINT))::DOUBLE,
      epoch_ms(since + to_microseconds(fc.ship_us[2]::BIGINT))::DOUBLE] END AS expected_ship,
    CASE WHEN fc.delivery_n >= $forecast_min THEN [epoch_ms(since + to_microseconds(fc.delivery_us[1]::BIGINT))::DOUBLE,
      epoch_ms(since + to_microseconds(fc.delivery_us[2]::BIGINT))::DOUBLE] END AS expected_delivery,
    -- Stages in the order they were reached; at one time, in pipeline order (then by name).
    list_transform(list_sort(list_transform(range(1, len(stage_keys) + 1), i -> {'at': stage_at[i],
        'pos': coalesce(list_position($pipeline, $stage_names[stage_keys[i]]), 1000), 'stage': $stage_names[stage_keys[i]]})),
      s -> {'stage': s.stage, 'at': epoch_ms(s."at")::DOUBLE}) AS stages
  FROM page_rows LEFT JOIN forecast fc USING (row_id)
)
-- The selection's size on every row, and on one row of its own when the page is empty.
SELECT t.total, p.*
FROM counted t LEFT JOIN page p ON true
ORDER BY p.sort_value, p.order_key
