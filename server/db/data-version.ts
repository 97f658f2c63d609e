import type { DuckDBConnection } from '@duckdb/node-api';

/** The data version: bumped by every committed import and settings change; caches key on it. */
export async function readDataVersion(connection: DuckDBConnection): Promise<number> {
  const rows = (await connection.runAndReadAll(`SELECT value FROM store_settings WHERE key = 'data_version'`)).getRowObjectsJson();
  return Number(rows[0]?.value ?? 0);
}

/** Increments the data version inside the caller's transaction and returns the new one. */
export async function bumpDataVersion(connection: DuckDBConnection): Promise<number> {
  const next = (await readDataVersion(connection)) + 1;
  await connection.run(`INSERT OR REPLACE INTO store_settings VALUES ('data_version', $value)`, { value: String(next) });
  return next;
}
