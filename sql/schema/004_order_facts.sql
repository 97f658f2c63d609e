-- Per-order facts, one row per order, kept in step with orders, order_events
-- and order_stage_times by every import and the demo generator inside their
-- transactions (server/import/order-facts.ts). Metrics read orders through
-- op_scoped_orders(), which reads this table, so the work of aggregating
-- ~10 events per order happens once at import instead of on every query.

-- A small integer per stage name (custom nodes included), so an order's
-- reached stages are a short SMALLINT list rather than strings.
CREATE TABLE stage_keys (
  stage VARCHAR PRIMARY KEY,
  key   SMALLINT NOT NULL
);

-- Every column of orders (same names and types, so the two never drift), then the facts.
CREATE TABLE order_facts AS
SELECT o.*,
  -- created_at as wall time in the tenant's time zone (settings), so buckets
  -- in that zone need no ICU conversion per row; rewritten when the zone changes.
  NULL::TIMESTAMP AS created_local,
  -- The stages reached (keys, ascending) and the first time each was reached.
  NULL::SMALLINT[] AS stage_keys,
  NULL::TIMESTAMPTZ[] AS stage_at,
  -- The first event strictly after created_at other than a `placed` stage event.
  NULL::TIMESTAMPTZ AS first_response_at,
  -- Friction inputs; costs are derived at query time from the settings.
  NULL::INTEGER AS data_moves,
  NULL::INTEGER AS exceptions,
  NULL::INTEGER AS contacts,
  NULL::INTEGER AS expedites,
  NULL::DOUBLE AS exception_minutes,
  NULL::DOUBLE AS contact_minutes,
  NULL::DOUBLE AS expedite_cost,
  -- Who touched the order on which local day (tenant zone): its distinct
  -- (actor, day) pairs over events with an actor, for throughput.
  NULL::STRUCT(actor VARCHAR, day DATE)[] AS touches
FROM orders o
WHERE false;
