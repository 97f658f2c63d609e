import type { DuckDBConnection } from '@duckdb/node-api';
import { refreshFacts } from '../import/refresh-facts.js';
import { settingsFromJson } from '../settings.js';

/** Builds every tenant's facts from scratch: the backfill after migrations 004-005 on a store that already holds orders. */
export async function rebuildAllFacts(connection: DuckDBConnection): Promise<void> {
  const tenants = (await connection.runAndReadAll('SELECT tenant_id, settings FROM tenants')).getRowObjectsJson();
  for (const t of tenants) {
    const { timeZone } = settingsFromJson(t.settings as string | null);
    await refreshFacts(connection, t.tenant_id as string, timeZone, 'SELECT channel, order_id FROM orders WHERE tenant_id = $tenant');
  }
}
