-- orders: list
-- The orders behind a metric's number (GET /api/orders): the orders in scope, or with $stage those
-- waiting in that stage as of $as_of by stuck-orders' rule (op_stuck, the same macro the metric
-- counts from), of one age bucket with $age_index; with $order_id, the one order of $order_channel. Each row: the order's fields, its current stage
-- (where it waits, else the latest stage it reached) with since when and its age if open, its
-- friction cost priced as friction-cost prices it, and every stage it reached with the time.
-- Paged by keyset: sorted by $sort_field ($descending), then order_key; a page starts after
-- ($after_value, $after_key). Times come back as epoch ms.
-- params: $tenant, $store_tz, $stage_names, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $pipeline, $pipeline_keys, $terminal_keys, $as_of, $whole_days, $stage, $age_index, $order_channel, $order_id, $minutes_per_data_move, $labor_cost_per_hour, $sort_field, $descending, $after_value, $after_key, $page_size
WITH waiting AS (
  SELECT order_key, stage, since, age_hours, age_index
  FROM op_stuck($tenant, $store_tz, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions,
    '', $pipeline, $pipeline_keys, $terminal_keys, $as_of::TIMESTAMPTZ, $whole_days)
  WHERE ($stage IS NULL OR stage = $stage) AND ($age_index IS NULL OR age_index = $age_index)
), selection AS (
  SELECT f.*, w.stage AS waiting_stage, w.since, w.age_hours,
    op_cents(f.data_moves * $minutes_per_data_move / 60.0 * $labor_cost_per_hour
      + (f.exception_minutes + f.contact_minutes) / 60.0 * $labor_cost_per_hour + f.expedite_cost) AS friction_cost
  FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions) f
  LEFT JOIN waiting w ON w.order_key = f.order_key
  WHERE ($stage IS NULL OR w.order_key IS NOT NULL)
    AND ($order_id IS NULL OR (f.channel = $order_channel AND f.order_id = $order_id))
), keyed AS (
  -- One number to sort and page by: larger first when $descending, NULLs last either way (a finite
  -- stand-in for infinity, which a cursor's JSON could not carry).
  SELECT *, coalesce(CASE WHEN $descending THEN -1 ELSE 1 END * CASE $sort_field
      WHEN 'created_at' THEN epoch_us(created_at)::DOUBLE
      WHEN 'promised_at' THEN epoch_us(promised_at)::DOUBLE
      WHEN 'age' THEN age_hours
      WHEN 'amount' THEN amount::DOUBLE
      WHEN 'friction_cost' THEN friction_cost::DOUBLE
    END, 1e300) AS sort_value
  FROM selection
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
  FROM keyed
  WHERE $after_key IS NULL OR sort_value > $after_value OR (sort_value = $after_value AND order_key > $after_key)
  ORDER BY sort_value, order_key
  -- One more than a page: whether there is a next one.
  LIMIT $page_size + 1
)
-- The selection's size on every row, and on one row of its own when the page is empty.
SELECT t.total, p.*
FROM (SELECT count(*)::INTEGER AS total FROM selection) t LEFT JOIN page p ON true
ORDER BY p.sort_value, p.order_key
