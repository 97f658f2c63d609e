-- Shipping fields of an order (DOMAIN.md "Canonical data model", issue 21): the parcel's tracking
-- number and carrier, for the customer's order board, and the warehouse that ships it, a dimension
-- every metric filters and groups by. Mirrored in the facts as the other order columns are (the
-- facts copy every column of orders). Orders stored before have none: NULL, as an export without
-- these columns leaves them.
-- Orders are rebuilt rather than altered: DuckDB refuses to commit a transaction that changes a
-- table it has both updated and then altered (016 updates orders, and its follow-up rewrites
-- them, in the same transaction when an old store is migrated).
CREATE TEMP TABLE orders_before_024 AS SELECT * FROM orders;
DROP TABLE orders;
CREATE TABLE orders (
  tenant_id       VARCHAR NOT NULL,
  order_id        VARCHAR NOT NULL,
  channel         VARCHAR NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL,
  promised_at     TIMESTAMPTZ,
  customer_id     VARCHAR,
  customer_tier   VARCHAR,
  sku             VARCHAR,
  sku_series      VARCHAR,
  quantity        INTEGER,
  amount          DECIMAL(18, 2),
  currency        VARCHAR,
  promotion_id    VARCHAR,
  region          VARCHAR,
  source          VARCHAR,
  order_key       VARCHAR,
  tracking_number VARCHAR,
  carrier         VARCHAR,
  warehouse       VARCHAR
);
INSERT INTO orders BY NAME SELECT * FROM orders_before_024;
DROP TABLE orders_before_024;

-- The facts are altered, not copied: no 10M-row copy of the widest table inside the migration's
-- transaction (a 10M-order store migrated from 017 ran out of a 2 GB memory limit).
ALTER TABLE order_facts ADD COLUMN tracking_number VARCHAR;
ALTER TABLE order_facts ADD COLUMN carrier VARCHAR;
ALTER TABLE order_facts ADD COLUMN warehouse VARCHAR;
