-- Each order's place in the default funnel (placed, paid, shipped, delivered, kept with no
-- window; server/metrics/default-funnel.ts): how many leading steps it reached and the
-- microseconds from each to the next, computed at import by the same macros channel-funnel
-- uses for any other funnel (op_funnel_*), so the default funnel needs no per-order list work per
-- query. Settings do not enter it. Filled for existing orders by the facts backfill after the
-- migrations (server/db/database.ts).
ALTER TABLE order_facts ADD COLUMN funnel_depth TINYINT;
ALTER TABLE order_facts ADD COLUMN funnel_us BIGINT[];
