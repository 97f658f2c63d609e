-- When each order was placed and delivered (NULL: not yet), the two stages most metrics ask for
-- (cycle-time's default, on-time, roi-compare), as plain columns: reading one is about a third of
-- the cost of looking the stage up in the order's stage list. op_stage_at picks them. Filled for
-- existing orders by the facts backfill after the migrations (server/db/database.ts).
ALTER TABLE order_facts ADD COLUMN placed_at TIMESTAMPTZ;
ALTER TABLE order_facts ADD COLUMN delivered_at TIMESTAMPTZ;
