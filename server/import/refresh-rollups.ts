import type { DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_FUNNEL_STEPS } from '../metrics/default-funnel.js';
import { replaceTenantRows, signedDelta } from './rollup-rows.js';
import { SLA_FACT_COLUMNS, SLA_TABLES, addSlaDeltas, compactSlaRollups, slaRowsSql } from './sla-rollups.js';

/**
 * The rollup measure of the orders in flight at default-funnel step k (schema/013): this + k, right
 * after the funnel's own measures, so the funnel reads both in one pass over the histograms (a
 * second pass made it 1.4× slower at 1M orders).
 */
export const IN_FLIGHT_MEASURE = DEFAULT_FUNNEL_STEPS.length;

/** Runs `sql`, binding $tenant only where it is used (DuckDB rejects unused parameters). */
const runner = (connection: DuckDBConnection, tenant: string) => (sql: string) => connection.run(sql, sql.includes('$tenant') ? { tenant } : {});

/**
 * The rollup measure of the merge latency of orders of source key k (schema/026): this − k, below
 * every other measure (the pipeline steps count up from 65536).
 */
const MERGE_MEASURE = -1;

/** The order_facts columns the rollups (schema/013, 025) are computed from. */
export const ROLLUP_FACT_COLUMNS = [
  ...new Set(
    [
      'channel, created_at, created_local, step_pairs, step_us, funnel_depth, funnel_us, settled_at, first_response_us, delivery_us, promised_at, delivered_at',
      'data_moves, exception_minutes, contact_minutes, expedite_cost, friction_kinds, amount, stage_keys, touches, source, first_seen_at',
      SLA_FACT_COLUMNS,
    ].flatMap((list) => list.split(', ')),
  ),
].join(', ');

/** order_day_totals' sums besides `orders` (schema/013). */
const ORDER_DAY_TOTALS = [
  'responded', 'first_response_us', 'delivered', 'delivery_us', 'reached_delivered', 'with_promise', 'on_time', 'late_us', 'data_moves',
  'exception_minutes', 'contact_minutes', 'expedite_cost', 'friction_expedite', 'friction_labour', 'friction_any', 'cancelled', 'refunded', 'revenue',
];

/**
 * Compaction folds a tenant's deltas once the rows added since the last one outnumber the rows it
 * left (and this floor): each fold rewrites at most twice what was added since, so its cost stays
 * proportional to the rows imported.
 */
const COMPACT_FLOOR_ROWS = 1_000_000;

/**
 * What one order contributes to each rollup, as rows of plain values (so two sets of them can be
 * compared). Its durations, by `measure` (schema/013): the default funnel (order_facts.funnel_depth,
 * funnel_us; measure k = 1 to 5: step 1 with 0 µs when reached, its count, and step k = 2.. with
 * the gap from step k − 1, negative when reached out of order; 5 + k, 0 µs: not settled and at
 * depth k − 1, in flight at step k as of the latest event), placed → delivered (100, when delivered; negative is a data error),
 * placement to first response (101; -1 µs, counted apart like a negative, when there is none), and
 * each consecutive pipeline step (its step pair, from 65536 up), and the merge latency of an order
 * that has reached the store (MERGE_MEASURE − its source's key). Plain unnests: building one list
 * of structs per order and unnesting it took twice as long.
 */
function contributions(facts: string) {
  const day = 'created_local::DATE';
  const stageKey = (stage: string) => `(SELECT key FROM stage_keys WHERE stage = '${stage}')`;
  const has = (stage: string) => `coalesce(list_contains(stage_keys, ${stageKey(stage)}), false)`;
  return {
    durations: `SELECT * FROM (
        SELECT ${day} AS day, channel, 1::INTEGER AS measure, 0::BIGINT AS us FROM ${facts} WHERE funnel_depth >= 1
        UNION ALL SELECT ${day}, channel, (generate_subscripts(funnel_us, 1) + 1)::INTEGER, unnest(funnel_us) FROM ${facts}
        UNION ALL SELECT ${day}, channel, ${IN_FLIGHT_MEASURE} + funnel_depth + 1, 0 FROM ${facts}
          WHERE settled_at IS NULL AND funnel_depth BETWEEN 1 AND ${DEFAULT_FUNNEL_STEPS.length - 1}
        UNION ALL SELECT ${day}, channel, 100, delivery_us FROM ${facts} WHERE delivery_us IS NOT NULL
        UNION ALL SELECT ${day}, channel, 101, coalesce(first_response_us, -1) FROM ${facts}
        UNION ALL SELECT ${day}, channel, unnest(step_pairs), unnest(step_us) FROM ${facts}
        UNION ALL SELECT ${day}, f.channel, ${MERGE_MEASURE} - k.key, op_merge_us(f.created_at, f.first_seen_at)
          FROM ${facts} f JOIN source_keys k ON k.source = f.source WHERE f.first_seen_at IS NOT NULL)`,
    // One row per order: unchanged orders compare equal, so an import that changes nothing adds nothing.
    totals: `SELECT * FROM (SELECT ${day} AS day, channel,
        (first_response_us IS NOT NULL)::BIGINT AS responded, coalesce(first_response_us, 0) AS first_response_us,
        coalesce(delivery_us >= 0, false)::BIGINT AS delivered, CASE WHEN delivery_us >= 0 THEN delivery_us ELSE 0 END AS delivery_us,
        (delivered_at IS NOT NULL)::BIGINT AS reached_delivered,
        (promised_at IS NOT NULL AND delivered_at IS NOT NULL)::BIGINT AS with_promise,
        coalesce(delivered_at <= promised_at, false)::BIGINT AS on_time,
        coalesce(greatest(epoch_us(delivered_at) - epoch_us(promised_at), 0), 0) AS late_us,
        data_moves::BIGINT AS data_moves, exception_minutes, contact_minutes, expedite_cost,
        (friction_kinds & 4 <> 0)::BIGINT AS friction_expedite, (friction_kinds & 6 <> 0)::BIGINT AS friction_labour,
        (friction_kinds <> 0)::BIGINT AS friction_any,
        ${has('cancelled')}::BIGINT AS cancelled,
        -- Refunded or returned: the refund/return rate counts what leaves revenue.
        (${has('refunded')} OR ${has('returned')})::BIGINT AS refunded,
        CASE WHEN ${has('cancelled')} OR ${has('refunded')} OR ${has('returned')} THEN 0 ELSE coalesce(amount, 0) END::DECIMAL(38, 2) AS revenue
      FROM ${facts})`,
    touches: `SELECT * FROM (SELECT ${day} AS day, channel, t.actor_key, t.day AS touch_day
      FROM (SELECT created_local, channel, unnest(touches) AS t FROM ${facts}))`,
    hours: `SELECT * FROM (SELECT op_utc_hour(created_at) AS hour, channel FROM ${facts})`,
  };
}

/**
 * Adds to the tenant's rollups what changed between `before` and `after` (tables or subqueries
 * with ROLLUP_FACT_COLUMNS: the touched orders' facts before and after the import; `before` left
 * out when none was stored). Runs inside the caller's transaction. Contributions present on both
 * sides cancel out; the rest go in as signed deltas (schema/013), folded once they add up.
 */
export async function updateRollups(connection: DuckDBConnection, tenant: string, change: { before?: string; after: string }): Promise<void> {
  const [prior] = (
    await connection.runAndReadAll(
      'SELECT compacted_rows::DOUBLE AS compacted, appended_rows::DOUBLE AS appended FROM rollup_state WHERE tenant_id = $tenant',
      { tenant },
    )
  ).getRowObjectsJson() as { compacted: number; appended: number }[];
  const { compacted, appended } = prior ?? { compacted: 0, appended: 0 };
  const added = await addDeltas(connection, tenant, change);
  const next = afterDeltas({ compacted, appended }, added, change.before !== undefined);
  if (next === 'first') {
    // The tenant's first orders: one write, a row per key, durations sorted. Nothing to fold.
    await recordCompaction(connection, tenant);
  } else if (next === 'compact') {
    await compactRollups(connection, tenant);
  } else {
    await connection.run(
      `INSERT INTO rollup_state VALUES ($tenant, 0, ${added}) ON CONFLICT DO UPDATE SET appended_rows = rollup_state.appended_rows + ${added}`,
      { tenant },
    );
  }
}

/**
 * What follows a write of `added` rows to rollups in `state`: nothing but counting them ('append'),
 * recording a tenant's first write as compact ('first': no orders stored before, nothing to take
 * away), or a fold ('compact': more rows added since the last one than it left, and the floor).
 */
export function afterDeltas(state: { compacted: number; appended: number }, added: number, tookAway: boolean): 'append' | 'first' | 'compact' {
  if (state.compacted === 0 && state.appended === 0 && !tookAway) return 'first';
  return state.appended + added > Math.max(state.compacted, COMPACT_FLOOR_ROWS) ? 'compact' : 'append';
}

/** Writes the deltas of `change` (see updateRollups); returns how many histogram rows it added. */
async function addDeltas(connection: DuckDBConnection, tenant: string, change: { before?: string; after: string }): Promise<number> {
  const run = runner(connection, tenant);
  // A source seen for the first time gets the next key.
  await run(
    `INSERT INTO source_keys
     SELECT source, (SELECT coalesce(max(key), 0) FROM source_keys) + row_number() OVER (ORDER BY source)
     FROM (SELECT DISTINCT source FROM ${change.after} WHERE source IS NOT NULL AND source NOT IN (SELECT source FROM source_keys))`,
  );
  const after = contributions(change.after);
  const before = change.before ? contributions(change.before) : undefined;
  // Rows added (+1) and taken away (-1); without a `before`, just the new ones.
  const delta = (kind: keyof ReturnType<typeof contributions>) => signedDelta(after[kind], before?.[kind]);

  await run(
    `CREATE OR REPLACE TEMP TABLE rollup_durations AS
     SELECT * EXCLUDE (guess), op_duration_bucket(us, guess) AS bucket FROM (SELECT *, op_log2_guess(us) AS guess FROM ${delta('durations')})`,
  );
  // Months from the days' sums; sorted by measure and period, so a metric reading one measure (or
  // the pipeline steps) over a range reads few row groups.
  const counts = await run(
    `INSERT INTO duration_counts
     WITH daily AS (
       SELECT day AS period, channel, measure, bucket, sum(sign) AS n, sum(sign * us) AS sum_us FROM rollup_durations GROUP BY ALL
     )
     SELECT $tenant, false, * FROM daily
     UNION ALL
     SELECT $tenant, true, date_trunc('month', period)::DATE, channel, measure, bucket, sum(n), sum(sum_us) FROM daily GROUP BY ALL
     ORDER BY 2, measure, 3`,
  );
  // Sorted by key: a lookup reads only the row groups whose key range holds its bucket.
  const values = await run(
    `INSERT INTO duration_values
     SELECT $tenant, op_duration_key(measure, bucket) AS key, us, day, channel, sign FROM rollup_durations WHERE us >= 32
     ORDER BY key`,
  );
  if (before) {
    await run(
      `INSERT INTO duration_removed
       SELECT DISTINCT $tenant, op_duration_key(measure, bucket) FROM rollup_durations WHERE sign < 0 AND us >= 32
       ON CONFLICT DO NOTHING`,
    );
  }
  await run(
    `INSERT INTO order_day_totals BY NAME
     SELECT $tenant AS tenant_id, day, channel, sum(sign) AS orders, ${ORDER_DAY_TOTALS.map((c) => `sum(sign * ${c}) AS ${c}`).join(', ')}
     FROM ${delta('totals')} GROUP BY day, channel`,
  );
  await run(
    `INSERT INTO touch_counts
     SELECT $tenant, day, channel, actor_key, touch_day, sum(sign) FROM ${delta('touches')}
     GROUP BY ALL HAVING sum(sign) <> 0`,
  );
  await run(
    `INSERT INTO order_hour_counts
     SELECT $tenant, hour, channel, sum(sign) FROM ${delta('hours')}
     GROUP BY ALL HAVING sum(sign) <> 0`,
  );
  await run('DROP TABLE rollup_durations');
  const sla = await addSlaDeltas(connection, tenant, change);
  return counts.rowsChanged + values.rowsChanged + sla;
}

/**
 * Folds a tenant's deltas into one row per key (durations back into single +1 rows, sorted by key
 * so the percentile lookups read few row groups again), inside the caller's transaction.
 */
export async function compactRollups(connection: DuckDBConnection, tenant: string): Promise<void> {
  const run = runner(connection, tenant);
  const rewrite = (table: string, folded: string) => replaceTenantRows(connection, tenant, table, folded);
  await rewrite(
    'duration_counts',
    `SELECT tenant_id, monthly, period, channel, measure, bucket, sum(n) AS n, sum(sum_us) AS sum_us FROM duration_counts
     WHERE tenant_id = $tenant GROUP BY ALL HAVING sum(n) <> 0 ORDER BY monthly, measure, period, channel, bucket`,
  );
  await rewrite(
    'duration_values',
    `SELECT tenant_id, key, us, day, channel, 1::TINYINT AS n FROM (
       SELECT tenant_id, key, us, day, channel, unnest(range(sum(n)::BIGINT)) FROM duration_values
       WHERE tenant_id = $tenant GROUP BY ALL HAVING sum(n) > 0
     ) ORDER BY key`,
  );
  await run('DELETE FROM duration_removed WHERE tenant_id = $tenant');
  await rewrite(
    'order_day_totals',
    `SELECT tenant_id, day, channel, ${['orders', ...ORDER_DAY_TOTALS].map((c) => `sum(${c}) AS ${c}`).join(', ')}
     FROM order_day_totals WHERE tenant_id = $tenant GROUP BY ALL HAVING sum(orders) <> 0 ORDER BY day, channel`,
  );
  await rewrite(
    'touch_counts',
    `SELECT tenant_id, day, channel, actor_key, touch_day, sum(n) AS n FROM touch_counts
     WHERE tenant_id = $tenant GROUP BY ALL HAVING sum(n) <> 0 ORDER BY day, channel`,
  );
  await rewrite(
    'order_hour_counts',
    `SELECT tenant_id, hour, channel, sum(n) AS n FROM order_hour_counts
     WHERE tenant_id = $tenant GROUP BY ALL HAVING sum(n) <> 0 ORDER BY hour, channel`,
  );
  await compactSlaRollups(connection, tenant);
  await recordCompaction(connection, tenant);
}

/** Recomputes a tenant's rollups from its facts (after a facts rebuild, or for a store that had none). */
export async function rebuildRollups(connection: DuckDBConnection, tenant: string): Promise<void> {
  const run = runner(connection, tenant);
  for (const table of ['duration_counts', 'duration_values', 'duration_removed', 'order_day_totals', 'touch_counts', 'order_hour_counts', ...SLA_TABLES]) {
    await run(`DELETE FROM ${table} WHERE tenant_id = $tenant`);
  }
  // One write of every order: already a row per key, durations sorted by key.
  await addDeltas(connection, tenant, { after: `(SELECT ${ROLLUP_FACT_COLUMNS} FROM order_facts WHERE tenant_id = $tenant)` });
  await recordCompaction(connection, tenant);
}

async function recordCompaction(connection: DuckDBConnection, tenant: string): Promise<void> {
  await connection.run(
    `INSERT OR REPLACE INTO rollup_state
     SELECT $tenant, (SELECT count(*) FROM duration_counts WHERE tenant_id = $tenant) + (SELECT count(*) FROM duration_values WHERE tenant_id = $tenant) + ${slaRowsSql}, 0`,
    { tenant },
  );
}
