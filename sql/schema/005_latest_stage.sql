-- When each order last reached a stage, and which stages it reached then (usually one), so
-- stuck-orders can set aside the orders already settled in a terminal stage with plain
-- comparisons instead of expanding every order's stage list. Filled for existing orders by the
-- facts backfill after the migrations (server/db/database.ts), then kept by
-- server/import/refresh-facts.ts like the other facts.
ALTER TABLE order_facts ADD COLUMN last_at TIMESTAMPTZ;
ALTER TABLE order_facts ADD COLUMN last_keys SMALLINT[];
