import type { DuckDBConnection } from '@duckdb/node-api';

/** Runs `sql`, binding $tenant only where it is used (DuckDB rejects unused parameters). */
const runner = (connection: DuckDBConnection, tenant: string) => (sql: string) => connection.run(sql, sql.includes('$tenant') ? { tenant } : {});

/** The order_facts columns the rollups (schema/013) are computed from. */
export const ROLLUP_FACT_COLUMNS =
  'channel, created_local, step_pairs, step_us, funnel_depth, funnel_us, first_response_us, delivery_us, promised_at, delivered_at, ' +
  'data_moves, exception_minutes, contact_minutes, expedite_cost, amount, stage_keys, touches';

/**
 * Compaction folds a tenant's deltas once the rows added since the last one pass a quarter of the
 * rows it left (and this floor), so its cost is spread over at least that many added rows.
 */
const COMPACT_FLOOR_ROWS = 1_000_000;

/** What one order contributes to each rollup, as rows of plain values (so two sets of them can be compared). */
function contributions(facts: string) {
  const day = 'created_local::DATE';
  const stageKey = (stage: string) => `(SELECT key FROM stage_keys WHERE stage = '${stage}')`;
  const has = (stage: string) => `coalesce(list_contains(stage_keys, ${stageKey(stage)}), false)`;
  return {
    durations: `SELECT ${day} AS day, channel, e.measure, e.us
      FROM (SELECT created_local, channel, unnest(op_duration_entries(step_pairs, step_us, funnel_depth, funnel_us, delivery_us, first_response_us)) AS e FROM ${facts})`,
    // One row per order: unchanged orders compare equal, so an import that changes nothing adds nothing.
    totals: `SELECT ${day} AS day, channel,
        (first_response_us IS NOT NULL)::BIGINT AS responded, coalesce(first_response_us, 0) AS first_response_us,
        coalesce(delivery_us >= 0, false)::BIGINT AS delivered, CASE WHEN delivery_us >= 0 THEN delivery_us ELSE 0 END AS delivery_us,
        data_moves::BIGINT AS data_moves, exception_minutes + contact_minutes AS labour_minutes, expedite_cost,
        (promised_at IS NOT NULL AND delivered_at IS NOT NULL)::BIGINT AS with_promise,
        coalesce(delivered_at <= promised_at, false)::BIGINT AS on_time,
        ${has('cancelled')}::BIGINT AS cancelled, ${has('refunded')}::BIGINT AS refunded,
        CASE WHEN ${has('cancelled')} OR ${has('refunded')} OR ${has('returned')} THEN 0 ELSE coalesce(amount, 0) END::DECIMAL(38, 2) AS revenue
      FROM ${facts}`,
    touches: `SELECT ${day} AS day, channel, t.actor_key, t.day AS touch_day
      FROM (SELECT created_local, channel, unnest(touches) AS t FROM ${facts})`,
  };
}

/**
 * Adds to the tenant's rollups what changed between `before` and `after` (tables or subqueries
 * with ROLLUP_FACT_COLUMNS: the touched orders' facts before and after the import; `before` left
 * out when none was stored). Runs inside the caller's transaction. Contributions present on both
 * sides cancel out; the rest go in as signed deltas (schema/013), folded once they add up.
 */
export async function updateRollups(connection: DuckDBConnection, tenant: string, change: { before?: string; after: string }): Promise<void> {
  const added = await addDeltas(connection, tenant, change);
  await connection.run(`INSERT INTO rollup_state VALUES ($tenant, 0, 0) ON CONFLICT DO NOTHING`, { tenant });
  const [state] = (
    await connection.runAndReadAll(
      `UPDATE rollup_state SET appended_rows = appended_rows + ${added} WHERE tenant_id = $tenant
       RETURNING compacted_rows::DOUBLE AS compacted, appended_rows::DOUBLE AS appended`,
      { tenant },
    )
  ).getRowObjectsJson() as { compacted: number; appended: number }[];
  if (state && state.appended > state.compacted / 4 + COMPACT_FLOOR_ROWS) await compactRollups(connection, tenant);
}

/** Writes the deltas of `change` (see updateRollups); returns how many histogram rows it added. */
async function addDeltas(connection: DuckDBConnection, tenant: string, change: { before?: string; after: string }): Promise<number> {
  const run = runner(connection, tenant);
  const after = contributions(change.after);
  const before = change.before ? contributions(change.before) : undefined;
  // Rows added (+1) and taken away (-1); without a `before`, just the new ones.
  const delta = (kind: keyof ReturnType<typeof contributions>) =>
    before
      ? `(SELECT *, 1 AS sign FROM (${after[kind]} EXCEPT ALL ${before[kind]})
          UNION ALL SELECT *, -1 FROM (${before[kind]} EXCEPT ALL ${after[kind]}))`
      : `(SELECT *, 1 AS sign FROM (${after[kind]}))`;

  await run(`CREATE OR REPLACE TEMP TABLE rollup_durations AS SELECT *, op_duration_bucket(us) AS bucket FROM ${delta('durations')}`);
  const counts = await run(
    `INSERT INTO duration_counts
     SELECT $tenant, monthly, period, channel, measure, bucket, sum(sign), sum(sign * us)
     FROM (SELECT false AS monthly, day AS period, * FROM rollup_durations
           UNION ALL SELECT true, date_trunc('month', day)::DATE, * FROM rollup_durations)
     GROUP BY monthly, period, channel, measure, bucket
     ORDER BY monthly, period`,
  );
  const values = await run(
    `INSERT INTO duration_values
     SELECT $tenant, op_duration_key(measure, bucket) AS key, us, day, channel, sign FROM rollup_durations WHERE us >= 32
     ORDER BY key, us`,
  );
  await run(
    `INSERT INTO order_day_totals
     SELECT $tenant, day, channel, sum(sign), sum(sign * responded), sum(sign * first_response_us), sum(sign * delivered),
       sum(sign * delivery_us), sum(sign * data_moves), sum(sign * labour_minutes), sum(sign * expedite_cost),
       sum(sign * with_promise), sum(sign * on_time), sum(sign * cancelled), sum(sign * refunded), sum(sign * revenue)
     FROM ${delta('totals')} GROUP BY day, channel`,
  );
  await run(
    `INSERT INTO touch_counts
     SELECT $tenant, day, channel, actor_key, touch_day, sum(sign) FROM ${delta('touches')}
     GROUP BY ALL HAVING sum(sign) <> 0`,
  );
  await run('DROP TABLE rollup_durations');
  return counts.rowsChanged + values.rowsChanged;
}

/**
 * Folds a tenant's deltas into one row per key (durations back into single +1 rows, sorted by key
 * so the percentile lookups read few row groups again), inside the caller's transaction.
 */
export async function compactRollups(connection: DuckDBConnection, tenant: string): Promise<void> {
  const run = runner(connection, tenant);
  const rewrite = async (table: string, folded: string) => {
    await run(`CREATE OR REPLACE TEMP TABLE rollup_folded AS ${folded}`);
    await run(`DELETE FROM ${table} WHERE tenant_id = $tenant`);
    await run(`INSERT INTO ${table} SELECT * FROM rollup_folded`);
    await run('DROP TABLE rollup_folded');
  };
  await rewrite(
    'duration_counts',
    `SELECT tenant_id, monthly, period, channel, measure, bucket, sum(n) AS n, sum(sum_us) AS sum_us FROM duration_counts
     WHERE tenant_id = $tenant GROUP BY ALL HAVING sum(n) <> 0 ORDER BY monthly, period, channel, measure, bucket`,
  );
  await rewrite(
    'duration_values',
    `SELECT tenant_id, key, us, day, channel, 1::TINYINT AS n FROM (
       SELECT tenant_id, key, us, day, channel, unnest(range(sum(n)::BIGINT)) FROM duration_values
       WHERE tenant_id = $tenant GROUP BY ALL HAVING sum(n) > 0
     ) ORDER BY key, us`,
  );
  await rewrite(
    'order_day_totals',
    `SELECT tenant_id, day, channel, sum(orders), sum(responded), sum(first_response_us), sum(delivered), sum(delivery_us),
       sum(data_moves), sum(labour_minutes), sum(expedite_cost), sum(with_promise), sum(on_time), sum(cancelled), sum(refunded), sum(revenue)
     FROM order_day_totals WHERE tenant_id = $tenant GROUP BY ALL HAVING sum(orders) <> 0 ORDER BY day, channel`,
  );
  await rewrite(
    'touch_counts',
    `SELECT tenant_id, day, channel, actor_key, touch_day, sum(n) FROM touch_counts
     WHERE tenant_id = $tenant GROUP BY ALL HAVING sum(n) <> 0 ORDER BY day, channel`,
  );
  await recordCompaction(connection, tenant);
}

/** Recomputes a tenant's rollups from its facts (after a facts rebuild, or for a store that had none). */
export async function rebuildRollups(connection: DuckDBConnection, tenant: string): Promise<void> {
  const run = runner(connection, tenant);
  for (const table of ['duration_counts', 'duration_values', 'order_day_totals', 'touch_counts']) await run(`DELETE FROM ${table} WHERE tenant_id = $tenant`);
  // One write of every order: already a row per key, durations sorted by key.
  await addDeltas(connection, tenant, { after: `(SELECT ${ROLLUP_FACT_COLUMNS} FROM order_facts WHERE tenant_id = $tenant)` });
  await recordCompaction(connection, tenant);
}

async function recordCompaction(connection: DuckDBConnection, tenant: string): Promise<void> {
  await connection.run(
    `INSERT OR REPLACE INTO rollup_state
     SELECT $tenant, (SELECT count(*) FROM duration_counts WHERE tenant_id = $tenant) + (SELECT count(*) FROM duration_values WHERE tenant_id = $tenant), 0`,
    { tenant },
  );
}
