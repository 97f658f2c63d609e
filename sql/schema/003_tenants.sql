-- Tenants: every order, event, promotion, import and stage time belongs to
-- one, and every metric query is scoped to the caller's tenant by the server
-- (the macros of sql/macros/metrics.sql take it as their first argument).
-- The `default` tenant keeps a single-company store simple. A tenant's
-- settings (DOMAIN.md defaults where NULL) and the origins allowed to embed
-- its widgets (CORS) live on its row.
CREATE TABLE tenants (
  tenant_id       VARCHAR PRIMARY KEY,
  name            VARCHAR NOT NULL,
  allowed_origins VARCHAR[] NOT NULL,
  settings        VARCHAR,
  created_at      TIMESTAMPTZ NOT NULL
);
INSERT INTO tenants
SELECT 'default', 'Default', [], (SELECT value FROM store_settings WHERE key = 'settings'), now();
DELETE FROM store_settings WHERE key = 'settings';

-- Rebuilt rather than altered so tenant_id comes first and is NOT NULL.
CREATE TABLE orders_t (
  tenant_id     VARCHAR NOT NULL,
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
INSERT INTO orders_t SELECT 'default', * FROM orders;
DROP TABLE orders;
ALTER TABLE orders_t RENAME TO orders;

CREATE TABLE order_events_t (
  tenant_id VARCHAR NOT NULL,
  order_id  VARCHAR NOT NULL,
  channel   VARCHAR NOT NULL,
  "at"      TIMESTAMPTZ NOT NULL,
  type      VARCHAR NOT NULL,
  stage     VARCHAR,
  actor     VARCHAR,
  minutes   DOUBLE,
  cost      DECIMAL(18, 2)
);
INSERT INTO order_events_t SELECT 'default', * FROM order_events;
DROP TABLE order_events;
ALTER TABLE order_events_t RENAME TO order_events;

CREATE TABLE promotions_t (
  tenant_id    VARCHAR NOT NULL,
  promotion_id VARCHAR NOT NULL,
  channel      VARCHAR,
  name         VARCHAR,
  starts_at    TIMESTAMPTZ,
  ends_at      TIMESTAMPTZ,
  spend        DECIMAL(18, 2)
);
INSERT INTO promotions_t SELECT 'default', * FROM promotions;
DROP TABLE promotions;
ALTER TABLE promotions_t RENAME TO promotions;

CREATE TABLE order_stage_times_t (
  tenant_id VARCHAR NOT NULL,
  channel   VARCHAR NOT NULL,
  order_id  VARCHAR NOT NULL,
  stage     VARCHAR NOT NULL,
  "at"      TIMESTAMPTZ NOT NULL
);
INSERT INTO order_stage_times_t SELECT 'default', * FROM order_stage_times;
DROP TABLE order_stage_times;
ALTER TABLE order_stage_times_t RENAME TO order_stage_times;

CREATE TABLE imports_t (
  import_id        INTEGER NOT NULL,
  tenant_id        VARCHAR NOT NULL,
  finished_at      TIMESTAMPTZ NOT NULL,
  source           VARCHAR NOT NULL,
  mapping          VARCHAR NOT NULL,
  rows_read        BIGINT NOT NULL,
  orders_inserted  BIGINT NOT NULL,
  orders_updated   BIGINT NOT NULL,
  events_inserted  BIGINT NOT NULL,
  rows_rejected    BIGINT NOT NULL
);
INSERT INTO imports_t SELECT import_id, 'default', * EXCLUDE (import_id) FROM imports;
DROP TABLE imports;
ALTER TABLE imports_t RENAME TO imports;
