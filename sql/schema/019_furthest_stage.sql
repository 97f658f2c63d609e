-- What stuck-orders reads per order (sql/README.md, "stuck-orders"): the furthest pipeline stage
-- it reached with a time (position in the pipeline, from 1) and when, and the first time it reached
-- a terminal stage (for one stated without a time, the order's latest time). Filled by the facts
-- rebuild that follows this migration; rebuilt when the pipeline or the terminal stages change.
ALTER TABLE order_facts ADD COLUMN furthest_pos UTINYINT;
ALTER TABLE order_facts ADD COLUMN furthest_at TIMESTAMPTZ;
ALTER TABLE order_facts ADD COLUMN settled_at TIMESTAMPTZ;
