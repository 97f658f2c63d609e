import type { DuckDBConnection } from '@duckdb/node-api';

/** The first row of a query (counts, flags), each value as a number; `{}` when it returns none. */
export async function one(connection: DuckDBConnection, sql: string, params?: Record<string, string>): Promise<Record<string, number>> {
  const row = (await connection.runAndReadAll(sql, params)).getRowObjectsJson()[0] ?? {};
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}
