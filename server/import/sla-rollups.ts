import type { DuckDBConnection } from '@duckdb/node-api';
import { DOUBLE, LIST, VARCHAR, listValue } from '@duckdb/node-api';
import { settingsFromJson, slaTargetsKey } from '../settings.js';
import { replaceTenantRows, signedDelta } from './rollup-rows.js';

/**
 * The sla rollups (schema/025): the (order, target) pairs no later "as of" can change, kept by
 * every import as signed deltas like the other rollups (refresh-rollups.ts), judged against the
 * tenant's SLA targets with the sla macros' own rules (sql/macros/sla.sql).
 */

/** The tables that hold them, per tenant. */
export const SLA_TABLES = ['sla_counts', 'sla_minutes', 'sla_state'];

/** The order_facts columns the sla rollups are computed from (within ROLLUP_FACT_COLUMNS). */
export const SLA_FACT_COLUMNS =
  'channel, created_at, created_local, settled_at, last_at, stage_keys, stage_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at';

/**
 * Each pair of `facts` (rows with SLA_FACT_COLUMNS) and a target of rollup_sla_targets that judges
 * it, with the times op_sla_judged reads, in epoch µs; pairs whose `from` was never reached have none.
 */
function pairs(facts: string): string {
  const stages = 'n.names, o.stage_keys, o.stage_at, o.placed_at, o.paid_at, o.credit_checked_at, o.stock_locked_at, o.dispatched_at, o.picked_at, o.shipped_at, o.delivered_at';
  return `(SELECT *, started_us + hours_us AS deadline_us FROM (
      SELECT o.created_local::DATE AS day, o.channel, g.t, g.hours_us,
        epoch_us(op_stage_at(g.from_stage, ${stages})) AS started_us,
        epoch_us(op_stage_at(g.to_stage, ${stages})) AS finished_us,
        epoch_us(o.settled_at) AS settled_us
      FROM ${facts} o JOIN rollup_sla_targets g ON op_sla_applies(g.target_channel, g.overridden, o.channel),
        (SELECT list(stage ORDER BY key) AS names FROM stage_keys) n
    ) WHERE started_us IS NOT NULL)`;
}

/**
 * What the pairs of `facts` contribute once decided, as plain rows (two sets compare): to
 * sla_counts, those that reached `to` and those settled after their deadline without it (as
 * op_sla_judged judges them for any as_of from the latest of their times on); to sla_minutes, the
 * completed durations.
 */
function contributions(facts: string) {
  const p = pairs(facts);
  return {
    counts: `SELECT day, channel, t, finished_us IS NOT NULL AS done, coalesce(finished_us <= deadline_us, false) AS met,
        op_sla_decided_us(finished_us, deadline_us) // 900000000 AS qh,
        CASE WHEN finished_us IS NOT NULL THEN finished_us - deadline_us ELSE -deadline_us END AS late_us
      FROM ${p} WHERE finished_us IS NOT NULL OR settled_us > deadline_us`,
    minutes: `SELECT t, channel, (finished_us - started_us) // 60000000 AS m, finished_us - started_us > hours_us AS over
      FROM ${p} WHERE finished_us IS NOT NULL`,
  };
}

/** The latest time an order of `facts` reached a stage or settled (what sla_state.watermark is raised to). */
const latestTime = (facts: string) =>
  `(SELECT max(greatest(last_at, settled_at, created_at, placed_at, paid_at, credit_checked_at, stock_locked_at, dispatched_at, picked_at, shipped_at, delivered_at)) FROM ${facts})`;

/**
 * Adds to the tenant's sla rollups what changed between `before` and `after` (see updateRollups),
 * judged against the targets in its settings, inside the caller's transaction; returns how many
 * rows it added. The rollups must already hold those targets (rebuildSlaRollups otherwise).
 */
export async function addSlaDeltas(connection: DuckDBConnection, tenant: string, change: { before?: string; after: string }): Promise<number> {
  const settings = await tenantSettings(connection, tenant);
  const targets = settings.slaTargets;
  const [kept] = (await connection.runAndReadAll('SELECT targets FROM sla_state WHERE tenant_id = $tenant', { tenant })).getRowObjectsJson();
  if (kept ? kept.targets !== slaTargetsKey(targets) : change.before !== undefined) {
    // Judged against other targets (or never): deltas would mix two judgments. order_facts already
    // holds `after`.
    await rebuildSlaRollups(connection, tenant);
    return slaRows(connection, tenant);
  }
  await connection.run(
    `INSERT INTO sla_state VALUES ($tenant, $targets, ${latestTime(change.after)})
     ON CONFLICT DO UPDATE SET targets = excluded.targets, watermark = greatest(sla_state.watermark, excluded.watermark)`,
    { tenant, targets: slaTargetsKey(targets) },
  );
  if (targets.length === 0) return 0;
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE rollup_sla_targets AS SELECT * FROM op_sla_targets($t_from, $t_to, $t_hours, $t_channel)`,
    {
      t_from: listValue(targets.map((t) => t.from)),
      t_to: listValue(targets.map((t) => t.to)),
      t_hours: listValue(targets.map((t) => t.hours)),
      t_channel: listValue(targets.map((t) => t.channel ?? '')),
    },
    { t_from: LIST(VARCHAR), t_to: LIST(VARCHAR), t_hours: LIST(DOUBLE), t_channel: LIST(VARCHAR) },
  );
  const after = contributions(change.after);
  const before = change.before ? contributions(change.before) : undefined;
  // Summed per UTC quarter hour, then one zone conversion per quarter hour: every zone's offset is
  // a whole number of them, so each falls in one local day.
  const counts = await connection.run(
    `INSERT INTO sla_counts BY NAME
     WITH d AS (
       SELECT day, channel, t, done, met, qh, sum(sign) AS n, sum(sign * late_us) AS late_us FROM ${signedDelta(after.counts, before?.counts)} GROUP BY ALL
     ), local AS (
       SELECT qh, timezone($tz, to_timestamp(qh * 900))::DATE AS decided FROM (SELECT DISTINCT qh FROM d)
     )
     SELECT $tenant AS tenant_id, day, channel, t, decided, met, done, sum(n) AS n, sum(late_us) AS late_us
     FROM d JOIN local USING (qh) GROUP BY ALL HAVING sum(n) <> 0 OR sum(late_us) <> 0
     ORDER BY day, channel`,
    { tenant, tz: settings.timeZone },
  );
  const minutes = await connection.run(
    `INSERT INTO sla_minutes BY NAME
     SELECT $tenant AS tenant_id, t, channel, m, over, sum(sign) AS n FROM ${signedDelta(after.minutes, before?.minutes)}
     GROUP BY ALL HAVING sum(sign) <> 0`,
    { tenant },
  );
  await connection.run('DROP TABLE rollup_sla_targets');
  return counts.rowsChanged + minutes.rowsChanged;
}

/** Folds the tenant's sla deltas into one row per key (compactRollups' part), inside the caller's transaction. */
export async function compactSlaRollups(connection: DuckDBConnection, tenant: string): Promise<void> {
  const rewrite = (table: string, folded: string) => replaceTenantRows(connection, tenant, table, folded);
  await rewrite(
    'sla_counts',
    `SELECT tenant_id, day, channel, t, decided, met, done, sum(n) AS n, sum(late_us) AS late_us FROM sla_counts
     WHERE tenant_id = $tenant GROUP BY ALL HAVING sum(n) <> 0 OR sum(late_us) <> 0 ORDER BY day, channel`,
  );
  await rewrite(
    'sla_minutes',
    `SELECT tenant_id, t, channel, m, over, sum(n) AS n FROM sla_minutes WHERE tenant_id = $tenant GROUP BY ALL HAVING sum(n) <> 0`,
  );
}

/** Recomputes the tenant's sla rollups from its facts, against the targets in its settings (after they change). */
export async function rebuildSlaRollups(connection: DuckDBConnection, tenant: string): Promise<void> {
  for (const table of SLA_TABLES) await connection.run(`DELETE FROM ${table} WHERE tenant_id = $tenant`, { tenant });
  await addSlaDeltas(connection, tenant, { after: `(SELECT ${SLA_FACT_COLUMNS} FROM order_facts WHERE tenant_id = $tenant)` });
}

/** How many rows the tenant's sla rollups hold (what a fold leaves). */
export const slaRowsSql = `(SELECT count(*) FROM sla_counts WHERE tenant_id = $tenant) + (SELECT count(*) FROM sla_minutes WHERE tenant_id = $tenant)`;

async function slaRows(connection: DuckDBConnection, tenant: string): Promise<number> {
  const [row] = (await connection.runAndReadAll(`SELECT (${slaRowsSql})::DOUBLE AS n`, { tenant })).getRowObjectsJson();
  return Number(row!.n);
}

async function tenantSettings(connection: DuckDBConnection, tenant: string) {
  const [row] = (await connection.runAndReadAll('SELECT settings FROM tenants WHERE tenant_id = $tenant', { tenant })).getRowObjectsJson();
  return settingsFromJson((row?.settings as string | null) ?? null);
}
