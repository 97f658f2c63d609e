-- An order's identity (DOMAIN.md): its tenant, its source (the mapping that imports it) and the key
-- columns that mapping names, as one text: `order_key` = source, then each key value, separated by
-- chr(31). Never a value a lookup or a later batch may change: channel is an attribute now, and
-- events, facts and every join follow the key. Orders stored before carry the identity today's rule
-- gave them, (channel, order_id), as if imported through the canonical mapping, whose key is that
-- pair; tenants imported only through a preset keyed on order_id alone are re-keyed, and the
-- duplicates the old rule made merged, by the migration's follow-up (server/db/backfills.ts).
ALTER TABLE orders ADD COLUMN source VARCHAR;
ALTER TABLE orders ADD COLUMN order_key VARCHAR;
UPDATE orders SET source = 'canonical', order_key = concat_ws(chr(31), 'canonical', channel, order_id);

-- Provenance: which source and which input gave an event. `<source>/<column>` for a stage read from
-- a column of an order row (the source's current claim: a newer import of it replaces the claim),
-- `<source>/status:<column>` for one read from a status column, `<source>/events` for a line of an
-- events file. NULL for events stored before: they count as events-file events. `event_id`: the
-- events file's own id of the event, when it has one (a re-sent event with it takes its new values).
ALTER TABLE order_events ADD COLUMN order_key VARCHAR;
ALTER TABLE order_events ADD COLUMN origin VARCHAR;
ALTER TABLE order_events ADD COLUMN event_id VARCHAR;
UPDATE order_events SET order_key = concat_ws(chr(31), 'canonical', channel, order_id);

ALTER TABLE order_facts ADD COLUMN source VARCHAR;
ALTER TABLE order_facts ADD COLUMN order_key VARCHAR;
UPDATE order_facts SET source = 'canonical', order_key = concat_ws(chr(31), 'canonical', channel, order_id);
