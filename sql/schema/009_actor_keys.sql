-- A small integer per actor name, so an order's touches (distinct actor and local day, for
-- throughput and roi-compare) are integer pairs rather than strings: throughput over 10M orders
-- (13M touches) took 390 ms grouping on (name, day) and 248 ms on (key, day). Names are
-- looked up after grouping. The facts backfill after the migrations refills touches
-- (server/db/database.ts).
CREATE TABLE actor_keys (
  actor VARCHAR PRIMARY KEY,
  key   INTEGER NOT NULL
);
ALTER TABLE order_facts DROP COLUMN touches;
ALTER TABLE order_facts ADD COLUMN touches STRUCT(actor_key INTEGER, day DATE)[];
