import type { DuckDBConnection } from '@duckdb/node-api';
import { rebuildTenantFacts } from '../import/refresh-facts.js';
import { settingsFromJson } from '../settings.js';

/** Builds every tenant's facts from scratch: the backfill after migrations 004-011 on a store that already holds orders. */
export async function rebuildAllFacts(connection: DuckDBConnection): Promise<void> {
  const tenants = (await connection.runAndReadAll('SELECT tenant_id, settings FROM tenants')).getRowObjectsJson();
  for (const t of tenants) {
    await rebuildTenantFacts(connection, t.tenant_id as string, settingsFromJson(t.settings as string | null));
  }
}
