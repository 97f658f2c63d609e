-- The canonical order store (DOMAIN.md "Canonical data model").
-- No PRIMARY KEY constraints: DuckDB's ART indexes make bulk upserts slow and
-- over-eager; the importer enforces (channel, order_id) uniqueness itself,
-- inside the import transaction.

CREATE TABLE orders (
  order_id      VARCHAR NOT NULL,
  channel       VARCHAR NOT NULL,
  created_at    TIMESTAMPTZ NOT NULL,
  promised_at   TIMESTAMPTZ,
  customer_id   VARCHAR,
  customer_tier VARCHAR,
  sku           VARCHAR,
  sku_series    VARCHAR,
  quantity      INTEGER,
  amount        DECIMAL(18, 2),
  currency      VARCHAR,
  promotion_id  VARCHAR,
  region        VARCHAR
);

CREATE TABLE order_events (
  order_id VARCHAR NOT NULL,
  channel  VARCHAR NOT NULL,
  "at"     TIMESTAMPTZ NOT NULL,  -- quoted: AT is a keyword in DuckDB
  type     VARCHAR NOT NULL,
  stage    VARCHAR,
  actor    VARCHAR,
  minutes  DOUBLE,
  cost     DECIMAL(18, 2)
);

CREATE TABLE promotions (
  promotion_id VARCHAR NOT NULL,
  channel      VARCHAR,
  name         VARCHAR,
  starts_at    TIMESTAMPTZ,
  ends_at      TIMESTAMPTZ,
  spend        DECIMAL(18, 2)
);

-- Settings and store bookkeeping as JSON values by key.
CREATE TABLE store_settings (
  key   VARCHAR PRIMARY KEY,
  value VARCHAR NOT NULL
);

-- One row per committed import, for audit and for /api/health.
CREATE TABLE imports (
  import_id        INTEGER NOT NULL,
  finished_at      TIMESTAMPTZ NOT NULL,
  source           VARCHAR NOT NULL,
  mapping          VARCHAR NOT NULL,
  rows_read        BIGINT NOT NULL,
  orders_inserted  BIGINT NOT NULL,
  orders_updated   BIGINT NOT NULL,
  events_inserted  BIGINT NOT NULL,
  rows_rejected    BIGINT NOT NULL
);
