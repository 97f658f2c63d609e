-- What the tenant's data holds, for a dashboard to fit it (GET /api/extent): the first and last
-- order, the latest event, and per channel, currency and stage reached how many orders; which kinds
-- of friction and work events exist. Over the orders a scope lets the caller see (a token's lock).
-- params: $tenant, $from_ts, $to_ts, $channels, $regions, $series, $tiers, $promotions, $warehouses
WITH scoped AS (
  SELECT created_at, last_at, channel, currency, stage_keys, data_moves, exceptions, contacts, expedites, touches
  FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses)
)
SELECT
  count(*)::DOUBLE AS orders,
  epoch_ms(min(created_at))::DOUBLE AS first_order_ms,
  epoch_ms(max(created_at))::DOUBLE AS last_order_ms,
  epoch_ms(max(last_at))::DOUBLE AS latest_event_ms,
  (SELECT list({'code': channel, 'orders': n} ORDER BY n DESC, channel) FROM (SELECT channel, count(*)::DOUBLE AS n FROM scoped GROUP BY ALL)) AS channels,
  (SELECT list({'code': currency, 'orders': n} ORDER BY n DESC, currency)
   FROM (SELECT currency, count(*)::DOUBLE AS n FROM scoped WHERE currency IS NOT NULL GROUP BY ALL)) AS currencies,
  (SELECT list({'key': k, 'orders': n}) FROM (SELECT k, count(*)::DOUBLE AS n FROM (SELECT unnest(stage_keys) AS k FROM scoped) GROUP BY ALL)) AS stages,
  sum(data_moves)::DOUBLE AS data_moves,
  sum(exceptions)::DOUBLE AS exceptions,
  sum(contacts)::DOUBLE AS contacts,
  sum(expedites)::DOUBLE AS expedites,
  count(*) FILTER (len(touches) > 0)::DOUBLE AS touched_orders
FROM scoped
