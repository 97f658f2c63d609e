-- Freshness and merge latency (sql/README.md, "freshness"): when each order first appeared in the
-- store (order_arrivals: a table of its own, written once per order, rather than a column of
-- orders, which an import rewrites), mirrored in the facts; and per import what each source brought
-- of each channel. Orders stored before this migration have no arrival (unknown: they count in no
-- merge latency); imports before it have no rows.
CREATE TABLE order_arrivals (
  tenant_id     VARCHAR NOT NULL,
  order_key     VARCHAR NOT NULL,
  first_seen_at TIMESTAMPTZ NOT NULL
);
ALTER TABLE order_facts ADD COLUMN first_seen_at TIMESTAMPTZ;
CREATE TABLE import_sources (
  tenant_id       VARCHAR NOT NULL,
  import_id       INTEGER NOT NULL,
  source          VARCHAR NOT NULL,  -- the mapping's name
  channel         VARCHAR NOT NULL,
  imported_at     TIMESTAMPTZ NOT NULL,
  orders          BIGINT NOT NULL,   -- orders of the channel the import's files held
  newest_order_at TIMESTAMPTZ        -- the latest created_at among them
);
