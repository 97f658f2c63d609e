-- First time each order reached each stage, kept in step with orders and
-- order_events by every import and the demo generator, inside their
-- transactions (server/import/stage-times.ts). Metrics read it through
-- op_stage_times() instead of aggregating every event on every query.
-- Every order reached `placed` at its created_at (an earlier placed event wins).
CREATE TABLE order_stage_times (
  channel  VARCHAR NOT NULL,
  order_id VARCHAR NOT NULL,
  stage    VARCHAR NOT NULL,
  "at"     TIMESTAMPTZ NOT NULL
);

INSERT INTO order_stage_times
SELECT channel, order_id, stage, min("at")
FROM (
  SELECT channel, order_id, stage, "at" FROM order_events WHERE type = 'stage'
  UNION ALL
  SELECT channel, order_id, 'placed', created_at FROM orders
)
GROUP BY ALL;
