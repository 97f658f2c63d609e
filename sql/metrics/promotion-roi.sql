-- metric: promotion-roi
-- Per promotion overlapping [from, to) (and in the channel / promotion filters): the orders it
-- brought over its own period and in its own channel (the range picks promotions; it does not cut
-- one short: a week of Double 11 is not Double 11), net revenue (orders cancelled, refunded or
-- returned excluded), refund and cancellation rates, spend, ROAS = revenue / spend and ROI =
-- (revenue × margin_rate − spend) / spend. Filters spend cannot follow (region, SKU series,
-- customer tier) are refused before this runs. A locked token's range still bounds its orders.
-- params: $tenant, $stage_names, $from_ts, $to_ts, $channels, $promotions, $margin_rate, $lock_from_ts, $lock_to_ts, $currencies
-- columns: promotion_id string, name string, channel string, starts_at time, ends_at time, orders integer, gross_revenue number, revenue number, refund_rate number, cancellation_rate number, spend number, roas number, roi number
WITH promos AS (
  SELECT * FROM op_promotions($tenant)
  WHERE ($from_ts IS NULL OR ends_at IS NULL OR ends_at > $from_ts::TIMESTAMPTZ)
    AND ($to_ts IS NULL OR starts_at IS NULL OR starts_at < $to_ts::TIMESTAMPTZ)
    AND (len($channels) = 0 OR list_contains($channels, channel))
    AND (len($promotions) = 0 OR list_contains($promotions, promotion_id))
), scoped AS (
  SELECT o.* FROM op_scoped_orders($tenant, $lock_from_ts::TIMESTAMPTZ, $lock_to_ts::TIMESTAMPTZ, $channels, [], [], [], $promotions, [], currencies := $currencies) o
  JOIN promos p ON p.promotion_id = o.promotion_id
  WHERE (p.starts_at IS NULL OR o.created_at >= p.starts_at) AND (p.ends_at IS NULL OR o.created_at < p.ends_at)
    AND (p.channel IS NULL OR o.channel = p.channel)
), outcomes AS (
  SELECT o.promotion_id, o.amount,
    coalesce(list_contains(o.stage_keys, list_position($stage_names, 'cancelled')), false) AS cancelled,
    coalesce(list_contains(o.stage_keys, list_position($stage_names, 'refunded')), false) AS refunded,
    coalesce(list_contains(o.stage_keys, list_position($stage_names, 'returned')), false) AS returned
  FROM scoped o
), per_promotion AS (
  SELECT p.promotion_id, any_value(p.name) AS name, any_value(p.channel) AS channel,
    any_value(p.starts_at) AS starts_at, any_value(p.ends_at) AS ends_at, any_value(p.spend)::DOUBLE AS spend,
    count(x.promotion_id)::INTEGER AS orders,
    coalesce(sum(x.amount), 0)::DOUBLE AS gross_revenue,
    coalesce(sum(x.amount) FILTER (NOT (x.cancelled OR x.refunded OR x.returned)), 0)::DOUBLE AS revenue,
    avg((x.refunded OR x.returned)::INTEGER) AS refund_rate,
    avg(x.cancelled::INTEGER) AS cancellation_rate
  FROM promos p LEFT JOIN outcomes x ON x.promotion_id = p.promotion_id
  GROUP BY p.promotion_id
)
SELECT promotion_id, name, channel, op_ms(starts_at) AS starts_at, op_ms(ends_at) AS ends_at, orders,
  op_cents(gross_revenue) AS gross_revenue, op_cents(revenue) AS revenue, refund_rate, cancellation_rate, op_cents(spend) AS spend,
  revenue / nullif(spend, 0) AS roas,
  (revenue * $margin_rate - spend) / nullif(spend, 0) AS roi
FROM per_promotion
ORDER BY starts_at NULLS LAST, promotion_id
