-- orders: list
-- The orders behind a metric's number (GET /api/orders): the orders in scope, or with $stage those
-- waiting in that stage as of $as_of by stuck-orders' rule (op_stuck, the same macro the metric
-- counts from), of one age bucket with $age_index; with $component, those with friction of that
-- component; with $funnel_step, a funnel step's orders of $funnel_outcome; with $order_id, the one
-- order of $order_channel.
-- Each row: the order's fields, its current stage (where it waits, else the latest stage it
-- reached) with since when and its age if open, its friction cost priced as friction-cost prices
-- it, and every stage it reached with the time. Paged by keyset: sorted by $sort_field
-- ($descending), then order_key; a page starts after ($after_value, $after_key). Times as epoch ms.
-- $page_first (no $stage, not sorted by age): the page is picked from the facts alone and only its
-- rows are looked up in op_stuck; the first page of 1M orders took 1.16 s when every order was.
-- params: $tenant, $store_tz, $stage_names, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $pipeline, $pipeline_keys, $terminal_keys, $as_of, $whole_days, $stage, $age_index, $order_channel, $order_id, $component, $currencies, $steps, $kept_index, $precomputed, $window_hours, $strict, $funnel_step, $funnel_outcome, $customers, $minutes_per_data_move, $labor_cost_per_hour, $sort_field, $descending, $after_value, $after_key, $page_size, $page_first
WITH funnel AS (
  -- A funnel step's orders by outcome, from the rows channel-funnel counts (op_funnel_orders): those
  -- that reached step $funnel_step (`orders`), or stopped at the step before and are decided
  -- (`drop_off`) or undecided (`in_flight`).
  SELECT order_key
  FROM op_funnel_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions,
    '', $steps, $stage_names, $kept_index, $precomputed, $window_hours, $strict, $as_of::TIMESTAMPTZ, $funnel_step IS NULL)
  WHERE CASE $funnel_outcome WHEN 'converted' THEN depth >= $funnel_step
    WHEN 'dropped' THEN depth = $funnel_step - 1 AND NOT in_flight
    WHEN 'in_flight' THEN depth = $funnel_step - 1 AND in_flight END
), scoped AS (
  SELECT *,
    op_cents(data_moves * $minutes_per_data_move / 60.0 * $labor_cost_per_hour
      + (exception_minutes + contact_minutes) / 60.0 * $labor_cost_per_hour + expedite_cost) AS friction_cost
  FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, currencies := $currencies)
  WHERE ($order_id IS NULL OR (channel = $order_channel AND order_id = $order_id))
    -- A friction driver's orders: those with an event of its component (friction-pareto's `orders`).
    AND ($component IS NULL OR CASE $component WHEN 'contact' THEN contacts > 0 WHEN 'data_move' THEN data_moves > 0
      WHEN 'exception' THEN exceptions > 0 WHEN 'expedite' THEN expedites > 0 END)
    AND ($funnel_step IS NULL OR order_key IN (SELECT order_key FROM funnel))
    -- A customer's orders (a token locked to customers, or the customer parameter).
    AND (len($customers) = 0 OR list_contains($customers, customer_id))
-- when $page_first
), keyed AS (
  SELECT order_key, op_order_sort_value($sort_field, $descending, created_at, promised_at, NULL, amount, friction_cost) AS sort_value
  FROM scoped
), first_keys AS (
  -- The page's keys first, then its rows: sorting narrow rows, not every order's lists.
  SELECT order_key, sort_value FROM keyed
  WHERE $after_key IS NULL OR sort_value > $after_value OR (sort_value = $after_value AND order_key > $after_key)
  ORDER BY sort_value, order_key
  -- One more than a page: whether there is a next one.
  LIMIT $page_size + 1
), first_rows AS (
  SELECT s.*, k.sort_value FROM scoped s JOIN first_keys k ON k.order_key = s.order_key
), waiting AS (
  SELECT order_key, stage, since, age_hours
  FROM op_stuck($tenant, $store_tz, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions,
    '', $pipeline, $pipeline_keys, $terminal_keys, $as_of::TIMESTAMPTZ, $whole_days, only_keys := (SELECT list(order_key) FROM first_rows))
), page_rows AS (
  SELECT r.*, w.stage AS waiting_stage, w.since, w.age_hours FROM first_rows r LEFT JOIN waiting w ON w.order_key = r.order_key
), counted AS (
  SELECT count(*)::INTEGER AS total FROM scoped
-- end
-- when not $page_first
), waiting AS (
  SELECT order_key, stage, since, age_hours, age_index
  FROM op_stuck($tenant, $store_tz, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions,
    '', $pipeline, $pipeline_keys, $terminal_keys, $as_of::TIMESTAMPTZ, $whole_days)
  WHERE ($stage IS NULL OR stage = $stage) AND ($age_index IS NULL OR age_index = $age_index)
), selection AS (
  SELECT f.*, w.stage AS waiting_stage, w.since, w.age_hours
  FROM scoped f LEFT JOIN waiting w ON w.order_key = f.order_key
  WHERE $stage IS NULL OR w.order_key IS NOT NULL
), page_rows AS (
  SELECT * FROM (SELECT *, op_order_sort_value($sort_field, $descending, created_at, promised_at, age_hours, amount, friction_cost) AS sort_value FROM selection)
  WHERE $after_key IS NULL OR sort_value > $after_value OR (sort_value = $after_value AND order_key > $after_key)
  ORDER BY sort_value, order_key
  LIMIT $page_size + 1
), counted AS (
  SELECT count(*)::INTEGER AS total FROM selection
-- end
), page AS (
  SELECT sort_value, order_key,
    channel, order_id, epoch_ms(created_at)::DOUBLE AS created_at, epoch_ms(promised_at)::DOUBLE AS promised_at,
    customer_id, customer_tier, region, sku, sku_series, quantity, amount::DOUBLE AS amount, currency, promotion_id,
    coalesce(waiting_stage, $stage_names[last_key]) AS current_stage,
    epoch_ms(coalesce(since, last_at))::DOUBLE AS stage_since, age_hours, epoch_ms(settled_at)::DOUBLE AS settled_at,
    friction_cost::DOUBLE AS friction_cost,
    -- Stages in the order they were reached; at one time, in pipeline order (then by name).
    list_transform(list_sort(list_transform(range(1, len(stage_keys) + 1), i -> {'at': stage_at[i],
        'pos': coalesce(list_position($pipeline, $stage_names[stage_keys[i]]), 1000), 'stage': $stage_names[stage_keys[i]]})),
      s -> {'stage': s.stage, 'at': epoch_ms(s."at")::DOUBLE}) AS stages
  FROM page_rows
)
-- The selection's size on every row, and on one row of its own when the page is empty.
SELECT t.total, p.*
FROM counted t LEFT JOIN page p ON true
ORDER BY p.sort_value, p.order_key
