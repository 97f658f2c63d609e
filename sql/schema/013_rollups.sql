-- Rollups of the per-order facts by the local day an order was created (tenant zone) and its
-- channel, kept by every import inside its transaction (server/import/refresh-rollups.ts) and
-- read by the metrics whose scope they can answer: whole local days, channel filters, no other
-- dimension (sql/README.md, "Rollups"). At 10M orders these metrics scanned tens of millions of
-- per-order values for every answer; the rollups hold a few hundred thousand rows in their place.
--
-- Imports add signed deltas rather than rewriting rows: an order the import changes adds its new
-- contribution and takes its old one away with negative counts, so a reader sums whatever rows
-- match. Compaction (refresh-rollups.ts) folds a tenant's deltas back into one row per key.

-- Histograms of durations, per local day and per local month (the months a range covers whole
-- are read from the monthly rows). `measure` names what was measured (server/import/refresh-rollups.ts):
-- a default-funnel step (1 to 5), placed → delivered (100), the first response (101) or a
-- consecutive pipeline step (order_facts.step_pairs, from 65536 up).
-- `bucket` is op_duration_bucket(us): -1 for a negative duration (or no response), else 32
-- buckets per power of two; `n` counts the durations in it, `sum_us` adds them.
CREATE TABLE duration_counts (
  tenant_id VARCHAR NOT NULL,
  monthly   BOOLEAN NOT NULL,
  period    DATE NOT NULL,
  channel   VARCHAR NOT NULL,
  measure   INTEGER NOT NULL,
  bucket    SMALLINT NOT NULL,
  n         BIGINT NOT NULL,
  sum_us    HUGEINT NOT NULL
);

-- Every duration of 32 µs or more once more, by key = measure × 2048 + bucket and kept sorted by
-- key when written, so the exact percentile reads only the row groups of the buckets that
-- hold its rank (DuckDB prunes them by the key's min and max). `n` is +1, or -1 for a duration an
-- import took away. Shorter durations are their own bucket and need no lookup.
CREATE TABLE duration_values (
  tenant_id VARCHAR NOT NULL,
  key       BIGINT NOT NULL,
  us        BIGINT NOT NULL,
  day       DATE NOT NULL,
  channel   VARCHAR NOT NULL,
  n         TINYINT NOT NULL
);

-- Additive per-order figures per local day and channel: roi-compare's KPIs, on-time, friction-cost.
CREATE TABLE order_day_totals (
  tenant_id             VARCHAR NOT NULL,
  day                   DATE NOT NULL,
  channel               VARCHAR NOT NULL,
  orders                BIGINT NOT NULL,
  responded             BIGINT NOT NULL,  -- orders with a first response
  first_response_us     HUGEINT NOT NULL, -- summed over them
  delivered             BIGINT NOT NULL,  -- orders with placed → delivered ≥ 0
  delivery_us           HUGEINT NOT NULL, -- summed over them
  reached_delivered     BIGINT NOT NULL,  -- orders that reached delivered
  with_promise          BIGINT NOT NULL,  -- of them, with a promise
  on_time               BIGINT NOT NULL,  -- of those, delivered by it
  late_us               HUGEINT NOT NULL, -- µs past the promise, summed over the late ones
  data_moves            BIGINT NOT NULL,
  exception_minutes     DOUBLE NOT NULL,
  contact_minutes       DOUBLE NOT NULL,
  expedite_cost         DOUBLE NOT NULL,
  -- Orders with friction by what is priced (order_facts.friction_kinds): an expedite cost (bit 4);
  -- that or exception or contact minutes (6); that or data moves (7). Settings pick one.
  friction_expedite     BIGINT NOT NULL,
  friction_labour       BIGINT NOT NULL,
  friction_any          BIGINT NOT NULL,
  cancelled             BIGINT NOT NULL,
  refunded              BIGINT NOT NULL,
  revenue               DECIMAL(38, 2) NOT NULL -- amount of orders not cancelled, refunded or returned
);

-- Orders touched per actor (actor_keys) and local day of the touch, by the local day the orders
-- were created and their channel: throughput, and its orders per actor-day in roi-compare.
CREATE TABLE touch_counts (
  tenant_id VARCHAR NOT NULL,
  day       DATE NOT NULL,
  channel   VARCHAR NOT NULL,
  actor_key INTEGER NOT NULL,
  touch_day DATE NOT NULL,
  n         BIGINT NOT NULL
);

-- New orders per local wall hour (tenant zone) and channel: surge-alerts.
CREATE TABLE order_hour_counts (
  tenant_id VARCHAR NOT NULL,
  hour      TIMESTAMP NOT NULL,
  channel   VARCHAR NOT NULL,
  n         BIGINT NOT NULL
);

-- Rows each tenant's rollups held after their last compaction, and rows added since.
CREATE TABLE rollup_state (
  tenant_id      VARCHAR PRIMARY KEY,
  compacted_rows BIGINT NOT NULL,
  appended_rows  BIGINT NOT NULL
);
