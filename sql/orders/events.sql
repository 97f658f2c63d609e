-- orders: events
-- One order's events, oldest first (GET /api/orders/{channel}/{id}): every stage, friction and
-- contact event the store holds for it. Times as epoch ms.
-- params: $tenant, $order_key
SELECT epoch_ms("at")::DOUBLE AS "at", type, stage, actor, minutes, cost::DOUBLE AS cost
FROM op_events($tenant)
WHERE order_key = $order_key
ORDER BY "at" NULLS LAST, type, stage
