-- Rollups of the sla metric (sql/README.md, "sla"), kept by every import with the others
-- (server/import/sla-rollups.ts) as signed deltas, folded with them, and rebuilt when the SLA
-- targets, the pipeline or the zone change. They hold what no later "as of" can change: each
-- (order, target) pair whose order reached the target's `to` stage or settled without it. The
-- pairs still open are read from the facts (a few per cent of them). At 10M orders the metric
-- judged 27M pairs three times from the facts for every answer (5.4-7.9 s).
--
-- The decided pairs, by the local day the order was created (tenant zone), channel, target (its
-- position in sla_state.targets), the local day it was decided and how: `met`; `done` when it
-- reached `to` (late_us: its µs past the deadline, negative when met), else settled after its
-- deadline without reaching `to` (late_us: minus the deadline in epoch µs, as its lateness grows
-- with "as of": n × as_of + late_us). A pair settled before its deadline is never due: no row.
CREATE TABLE sla_counts (
  tenant_id VARCHAR NOT NULL,
  day       DATE NOT NULL,
  channel   VARCHAR NOT NULL,
  t         INTEGER NOT NULL,
  decided   DATE NOT NULL,
  met       BOOLEAN NOT NULL,
  done      BOOLEAN NOT NULL,
  n         BIGINT NOT NULL,
  late_us   HUGEINT NOT NULL
);

-- The steps' completed durations in whole minutes (floor), per target and channel, and whether
-- they took longer than the target: the history the at-risk estimate counts from.
CREATE TABLE sla_minutes (
  tenant_id VARCHAR NOT NULL,
  t         INTEGER NOT NULL,
  channel   VARCHAR NOT NULL,
  m         BIGINT NOT NULL,
  over      BOOLEAN NOT NULL,
  n         BIGINT NOT NULL
);

-- The targets the rows were judged against (settings slaTargets as JSON: the service reads the
-- rollups only while they are the tenant's), and the latest time any stored order reached a stage
-- or settled: an "as of" before it could see a pair undecided, and is answered from the facts.
-- Only raised by imports (an order corrected to earlier times leaves it high: the facts answer then).
CREATE TABLE sla_state (
  tenant_id VARCHAR PRIMARY KEY,
  targets   VARCHAR NOT NULL,
  watermark TIMESTAMPTZ
);
