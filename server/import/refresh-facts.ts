import { INTEGER, LIST, VARCHAR, listValue, type DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_FUNNEL_STEPS } from '../metrics/default-funnel.js';
import { STAGE_TIME_COLUMNS } from '../metrics/stage-columns.js';
import type { Settings } from '../settings.js';
import { one } from './one-row.js';
import { ROLLUP_FACT_COLUMNS, updateRollups } from './refresh-rollups.js';

/** The settings the facts depend on: a change of any rebuilds the tenant's facts. */
export type FactSettings = Pick<Settings, 'timeZone' | 'pipeline' | 'terminalStages'>;

/**
 * What an import already knows about the orders it touched, so the refresh reads none of the
 * tenant's other events. Without it, the refresh looks up the touched orders' events in every stored
 * event, more than once: adding one event to each of 1,000 orders of a 10M-order store (97M events)
 * took 17 s; with the stored events read once by the import (and no per-stage table), 8 s.
 */
export interface ImportScope {
  /** A table or subquery of every event of the touched orders, stored and new (order_events' columns but tenant_id). */
  events: string;
  /** The events the import adds: only their stage and actor names can lack a key. */
  newEvents: string;
  /** Temp table (order_key) of the touched orders stored before the import, the only ones with facts to delete; none if absent. */
  stored?: string;
}

/**
 * Recomputes the derived per-order tables (`stage_keys`, `actor_keys`,
 * `order_facts`) for the `tenant`'s orders in `touched` (a query giving
 * order_key). Runs inside the caller's transaction, after the
 * orders and events are written, so the facts never disagree with them.
 * `settings` are the tenant's: `created_local` is wall time in its time zone,
 * and the pipeline steps follow its pipeline. The rollups (schema/013) follow
 * the facts, unless `rollups` is false (a rebuild recomputes them after).
 */
export async function refreshFacts(
  connection: DuckDBConnection,
  tenant: string,
  settings: FactSettings,
  touched: string,
  scope?: ImportScope,
  { rollups = true }: { rollups?: boolean } = {},
): Promise<void> {
  const run = (sql: string, params: Record<string, string> = { tenant }) => connection.run(sql, params);
  // `touched` may use $tenant.
  await run(`CREATE OR REPLACE TEMP TABLE touched_orders AS SELECT DISTINCT order_key FROM (${touched})`, touched.includes('$tenant') ? { tenant } : {});
  const events =
    scope?.events ??
    `(SELECT e.* EXCLUDE (tenant_id) FROM order_events e
      JOIN touched_orders t ON t.order_key = e.order_key WHERE e.tenant_id = $tenant)`;
  const stale = scope ? scope.stored : 'touched_orders';
  const named = scope?.newEvents ?? events;
  // New stage and actor names get the next small integer keys (dense from 1, so a list indexed by key names them).
  const addKeys = (table: string, name: string, names: string) =>
    run(
      `INSERT INTO ${table}
       SELECT ${name}, (SELECT coalesce(max(key), 0) FROM ${table}) + row_number() OVER (ORDER BY ${name})
       FROM (${names}) WHERE ${name} NOT IN (SELECT ${name} FROM ${table})`,
      names.includes('$tenant') ? { tenant } : {},
    );
  // Every order reached `placed`.
  await addKeys('stage_keys', 'stage', `SELECT DISTINCT stage FROM (SELECT stage FROM ${named} WHERE type = 'stage' UNION ALL SELECT 'placed')`);
  await addKeys('actor_keys', 'actor', `SELECT DISTINCT actor FROM ${named} WHERE actor IS NOT NULL`);
  // The stored facts of the touched orders, for the rollups to take away (none: every order is new).
  let before: string | undefined;
  if (stale && rollups) {
    await run(
      `CREATE OR REPLACE TEMP TABLE rollup_before AS
       SELECT ${ROLLUP_FACT_COLUMNS} FROM order_facts f SEMI JOIN ${stale} t ON f.order_key = t.order_key
       WHERE f.tenant_id = $tenant`,
    );
    if ((await one(connection, 'SELECT count(*)::DOUBLE AS n FROM rollup_before')).n! > 0) before = 'rollup_before';
  }
  if (stale) {
    await run(
      `DELETE FROM order_facts f USING ${stale} t
       WHERE f.tenant_id = $tenant AND f.order_key = t.order_key`,
    );
  }
  // Orders without events take a path of their own only when none of the touched orders has one:
  // splitting a mixed import into the two paths referenced the events' aggregate three times and
  // derived twice, which DuckDB then held whole (1M orders with 9.7M events ran out of a 2 GB limit).
  const evented = (await one(connection, `SELECT EXISTS (SELECT 1 FROM ${events}) AS found`, events.includes('$tenant') ? { tenant } : {})).found === 1;
  // The touched orders and their arrivals, each narrowed by its own semi join, which DuckDB turns
  // into a filter on the scan: a left join of the arrivals onto the joined orders scanned every
  // stored order and arrival (1.5 s of a 1,000-order import at 10M orders).
  const factsQuery = `WITH o AS (
       SELECT o.*, a.first_seen_at
       FROM (SELECT * FROM orders o SEMI JOIN touched_orders t ON t.order_key = o.order_key WHERE o.tenant_id = $tenant) o
       LEFT JOIN (SELECT a.order_key, a.first_seen_at FROM order_arrivals a SEMI JOIN touched_orders t ON t.order_key = a.order_key
                  WHERE a.tenant_id = $tenant) a ON a.order_key = o.order_key
     ), coarse AS (
       -- Sources whose creation times carry only minutes or days (source_columns): an event at the
       -- placement's instant happened at or after it, so it can be the first response. Only for an
       -- order whose own creation time is a whole minute: one with seconds was not cut to minutes.
       SELECT source FROM source_columns
       WHERE tenant_id = $tenant AND precision IN ('minute', 'date') AND list_contains(string_split(fields, ','), 'created_at')
     ), activity AS (
       -- One pass over the orders' events for every event-derived fact.
       SELECT e.order_key,
         min(e."at") FILTER ((e."at" > o.created_at OR (e."at" = o.created_at AND epoch_us(o.created_at) % 60000000 = 0 AND o.source IN (SELECT source FROM coarse)))
           AND NOT (e.type = 'stage' AND e.stage = 'placed')) AS first_response_at,
         count(*) FILTER (e.type = 'data_move')::INTEGER AS data_moves,
         count(*) FILTER (e.type = 'exception')::INTEGER AS exceptions,
         count(*) FILTER (e.type = 'contact')::INTEGER AS contacts,
         count(*) FILTER (e.type = 'expedite')::INTEGER AS expedites,
         sum(coalesce(e.minutes, 0)) FILTER (e.type = 'exception') AS exception_minutes,
         sum(coalesce(e.minutes, 0)) FILTER (e.type = 'contact') AS contact_minutes,
         sum(coalesce(e.cost, 0)::DOUBLE) FILTER (e.type = 'expedite') AS expedite_cost,
         -- The local day only where there is an actor: the time zone conversion goes through ICU.
         list(DISTINCT {'actor_key': k.key, 'day': CASE WHEN e.actor IS NOT NULL THEN timezone($tz, e."at")::DATE END}) FILTER (e.actor IS NOT NULL) AS touches,
         list({'k': s.key, 'at': e."at"}) FILTER (e.type = 'stage') AS stage_events
       FROM ${events} e JOIN o ON o.order_key = e.order_key
       LEFT JOIN actor_keys k ON k.actor = e.actor
       LEFT JOIN stage_keys s ON s.stage = e.stage
       GROUP BY ALL
     ), reached AS (
       -- The first time each order reached each stage, by stage key: sorted by key, then time, the
       -- first of each key (a stage stated without a time sorts after its timed ones: a time wins).
       -- Every order reached \`placed\` at its created_at (an earlier placed event
       -- wins). From the same pass over the events as the rest, rather than grouping the stage events
       -- by (order, stage) first: the refresh of 100k orders went from 1.39 to 1.10 s.
       SELECT * EXCLUDE (sorted, firsts), list_transform(firsts, x -> x.k) AS stage_keys, list_transform(firsts, x -> x."at") AS stage_at
       FROM (
         SELECT *, list_filter(sorted, (x, i) -> i = 1 OR sorted[i - 1].k <> x.k) AS firsts
         FROM (
           SELECT o.order_key, a.* EXCLUDE (order_key, stage_events),
             list_sort(list_append(coalesce(a.stage_events, []), {'k': (SELECT key FROM stage_keys WHERE stage = 'placed'), 'at': o.created_at})) AS sorted
           FROM ${evented ? 'o' : `(SELECT NULL AS order_key, ${LONE_PLACED_AT} AS created_at)`} o
           LEFT JOIN activity a ON a.order_key = o.order_key
         )
       )
     ), pipeline AS (
       -- The pipeline's stage keys in pipeline order (0 for a stage no order has reached yet).
       SELECT list(coalesce(k.key, 0) ORDER BY p.pos) AS keys
       FROM (SELECT unnest($pipeline) AS stage, generate_subscripts($pipeline, 1) AS pos) p
       LEFT JOIN stage_keys k ON k.stage = p.stage
     ), names AS (
       -- Stage names by key (keys run 1..n), and the default funnel's stage keys: once, not per order.
       SELECT names, list_transform($funnel_stages, s -> list_position(names, s)) AS funnel_keys,
         list_transform($terminal, s -> coalesce(list_position(names, s), 0)) AS terminal_keys
       FROM (SELECT list(stage ORDER BY key) AS names FROM stage_keys)
     ), derived AS (
       -- Everything that follows from the stage lists, in one chain over them, joined once (with a CTE
       -- per fact, each joined back, a 10M run in 1M-order batches ran out of a 2 GB limit).
       SELECT * EXCLUDE (pos, ats, times, t, terminal_at),
         -- The furthest pipeline stage reached with a time, and when (stuck-orders).
         pos[len(pos)] AS furthest_pos, ats[len(ats)] AS furthest_at,
         -- The first time a terminal stage was reached; one stated without a time counts at last_at.
         CASE WHEN list_has_any(stage_keys, terminal_keys)
           THEN coalesce(list_min(list_filter(terminal_at, x -> x IS NOT NULL)), last_at) END AS settled_at,
         -- Consecutive pipeline stages reached: (from position × 65536 + to position) and microseconds.
         list_transform(range(2, len(pos) + 1), i -> (pos[i - 1] * 65536 + pos[i])::INTEGER) AS step_pairs,
         list_transform(range(2, len(pos) + 1), i -> epoch_us(ats[i]) - epoch_us(ats[i - 1])) AS step_us,
         -- The default funnel, no window (schema/007), by channel-funnel's own macros.
         op_funnel_gaps(t, depth) AS gaps
       FROM (
         SELECT *, list_filter(range(1, len(times) + 1), j -> times[j] IS NOT NULL) AS pos,
           list_filter(times, x -> x IS NOT NULL) AS ats, op_funnel_depth(t) AS depth,
           list_transform(list_filter(range(1, len(stage_keys) + 1), i -> list_contains(terminal_keys, stage_keys[i])), i -> stage_at[i]) AS terminal_at
         FROM (
           -- The latest stages: those reached at last_at, and those stated without a time (a
           -- status column without its date: the export's word as of its latest time).
           SELECT *, list_filter(stage_keys, (k, i) -> stage_at[i] = last_at OR stage_at[i] IS NULL) AS last_keys
           FROM (
             SELECT r.*, n.terminal_keys, list_max(r.stage_at) AS last_at,
               op_reached_at(r.stage_keys, r.stage_at, list_position(n.names, 'placed')) AS placed_at,
               op_reached_at(r.stage_keys, r.stage_at, list_position(n.names, 'delivered')) AS delivered_at,
               ${STAGE_TIME_COLUMNS.map((stage) => `op_reached_at(r.stage_keys, r.stage_at, list_position(n.names, '${stage}')) AS ${stage}_at`).join(',\n               ')},
               -- When it reached each pipeline stage, in pipeline order.
               list_transform(p.keys, k -> r.stage_at[list_position(r.stage_keys, k)]) AS times,
               op_funnel_times(r.stage_keys, r.stage_at, n.funnel_keys, $kept_index, op_undone(r.stage_keys, n.names)) AS t
             FROM reached r CROSS JOIN pipeline p CROSS JOIN names n
           )
         )
       )
     )
     ${
       evented
         ? `SELECT ${factColumns((c) => `d.${c}`)} FROM o JOIN derived d ON d.order_key = o.order_key`
         : // Without events every order reached only \`placed\`, at its created_at: its facts are those of
           // the one order placed at LONE_PLACED_AT (derived's one row), each time its own created_at.
           `SELECT ${factColumns((c) => (c === 'stage_at' ? '[o.created_at]' : LONE_TIMES.includes(c) ? `CASE WHEN d.${c} IS NOT NULL THEN o.created_at END` : `d.${c}`))}
            FROM o CROSS JOIN derived d`
     }
     ORDER BY o.created_at`;
  const factsParams = [
    {
      tenant,
      tz: settings.timeZone,
      pipeline: listValue([...settings.pipeline]),
      // `kept` is read at the delivered time.
      funnel_stages: listValue(DEFAULT_FUNNEL_STEPS.map((s) => (s === 'kept' ? 'delivered' : s))),
      kept_index: DEFAULT_FUNNEL_STEPS.indexOf('kept') + 1,
      terminal: listValue([...settings.terminalStages]),
    },
    { pipeline: LIST(VARCHAR), funnel_stages: LIST(VARCHAR), kept_index: INTEGER, terminal: LIST(VARCHAR) },
  ] as const;
  if (!rollups) {
    await connection.run(`INSERT INTO order_facts BY NAME ${factsQuery}`, ...factsParams);
    return;
  }
  // Through a temp table, which the rollups read next: reading the new rows back out of
  // order_facts scanned every stored order's key.
  await connection.run(`CREATE OR REPLACE TEMP TABLE fresh_facts AS ${factsQuery}`, ...factsParams);
  await run('INSERT INTO order_facts BY NAME SELECT * FROM fresh_facts', {});
  await updateRollups(connection, tenant, { ...(before ? { before } : {}), after: `(SELECT ${ROLLUP_FACT_COLUMNS} FROM fresh_facts)` });
  await run('DROP TABLE fresh_facts', {});
  if (stale) await run('DROP TABLE rollup_before', {});
}

/**
 * Where the facts query places its one order without events: every order without events has that
 * order's facts, its own created_at in each time (all of its times are that one). Computing them
 * once instead of per order took the facts of 1M orders without events from 6.4-6.5 to 3.7-4.2 s.
 */
const LONE_PLACED_AT = `'2000-01-01 00:00:00+00'::TIMESTAMPTZ`;
/** The facts' times other than stage_at, a list: for an order without events, each is its created_at or NULL. */
const LONE_TIMES = ['first_response_at', 'last_at', 'placed_at', 'delivered_at', ...STAGE_TIME_COLUMNS.map((s) => `${s}_at`), 'furthest_at', 'settled_at'];

/** The facts' columns: each order's (o) and what derives from its events (\`d(column)\`). */
function factColumns(d: (column: string) => string): string {
  const counted = ['data_moves', 'exceptions', 'contacts', 'expedites', 'exception_minutes', 'contact_minutes', 'expedite_cost'];
  const n = (c: string) => `coalesce(${d(c)}, 0)`;
  return [
    'o.*',
    'timezone($tz, o.created_at) AS created_local',
    'timezone($tz, o.promised_at) AS promised_local',
    `timezone($tz, ${d('delivered_at')}) AS delivered_local`,
    ...['stage_keys', 'stage_at', 'first_response_at'].map((c) => `${d(c)} AS ${c}`),
    ...counted.map((c) => `${n(c)} AS ${c}`),
    `(${n('data_moves')} > 0)::UTINYINT + (${n('exception_minutes')} + ${n('contact_minutes')} > 0)::UTINYINT * 2 + (${n('expedite_cost')} > 0)::UTINYINT * 4 AS friction_kinds`,
    `coalesce(list_sort(${d('touches')}), []) AS touches`,
    ...['last_at', 'last_keys'].map((c) => `${d(c)} AS ${c}`),
    `${d('last_keys')}[1] AS last_key`,
    `len(${d('last_keys')}) AS last_count`,
    ...['step_pairs', 'step_us'].map((c) => `${d(c)} AS ${c}`),
    `${d('depth')} AS funnel_depth`,
    `${d('gaps')} AS funnel_us`,
    ...['placed_at', 'delivered_at', ...STAGE_TIME_COLUMNS.map((stage) => `${stage}_at`), 'furthest_pos', 'furthest_at', 'settled_at'].map((c) => `${d(c)} AS ${c}`),
    `epoch_us(${d('first_response_at')}) - epoch_us(o.created_at) AS first_response_us`,
    `epoch_us(${d('delivered_at')}) - epoch_us(${d('placed_at')}) AS delivery_us`,
  ].join(',\n       ');
}

/**
 * Orders per slice of a rebuild. Refreshing 10M orders in one statement ran out of a 2 GB memory
 * limit; in ten slices of 1M (one transaction still) it took 284 s at a peak RSS of 2.8 GB.
 */
export const REBUILD_SLICE_ORDERS = 1_000_000;

/**
 * Rebuilds a tenant's facts, e.g. after its time zone or pipeline changed, inside the caller's
 * transaction: all of them or, if it fails, none. Large tenants go in slices of orders picked by a
 * hash of their key, so each statement holds only a slice's events. The rollups are left as they
 * were: rebuild them after (refresh-rollups.ts, rebuildRollups).
 */
export async function rebuildTenantFacts(
  connection: DuckDBConnection,
  tenant: string,
  settings: FactSettings,
  sliceOrders = REBUILD_SLICE_ORDERS,
): Promise<void> {
  const counted = await connection.runAndReadAll('SELECT count(*)::DOUBLE AS n FROM orders WHERE tenant_id = $tenant', { tenant });
  const slices = Math.max(1, Math.ceil(Number(counted.getRowObjectsJson()[0]!.n) / sliceOrders));
  for (let slice = 0; slice < slices; slice++) {
    const inSlice = slices === 1 ? '' : ` AND hash(order_key) % ${slices} = ${slice}`;
    await refreshFacts(connection, tenant, settings, `SELECT order_key FROM orders WHERE tenant_id = $tenant${inSlice}`, undefined, { rollups: false });
  }
}
