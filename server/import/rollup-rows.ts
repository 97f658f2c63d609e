import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Writing rollup rows (schema/013, 025): the signed deltas an import adds and the fold that
 * compaction replaces them with, shared by every rollup table.
 */

/** A signed delta of contribution rows: +1 for those only `after` has, -1 for those only `before` had. */
export function signedDelta(after: string, before?: string): string {
  return before
    ? `(SELECT *, 1 AS sign FROM (${after} EXCEPT ALL ${before})
        UNION ALL SELECT *, -1 FROM (${before} EXCEPT ALL ${after}))`
    : `(SELECT *, 1 AS sign FROM (${after}))`;
}

/** Replaces the tenant's rows of `table` with those `folded` (a query over them) gives, inside the caller's transaction. */
export async function replaceTenantRows(connection: DuckDBConnection, tenant: string, table: string, folded: string): Promise<void> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE rollup_folded AS ${folded}`, folded.includes('$tenant') ? { tenant } : {});
  await connection.run(`DELETE FROM ${table} WHERE tenant_id = $tenant`, { tenant });
  await connection.run(`INSERT INTO ${table} BY NAME SELECT * FROM rollup_folded`);
  await connection.run('DROP TABLE rollup_folded');
}
