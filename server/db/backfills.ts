import type { DuckDBConnection } from '@duckdb/node-api';
import { rebuildTenantFacts } from '../import/refresh-facts.js';
import { rebuildRollups } from '../import/refresh-rollups.js';
import { settingsFromJson } from '../settings.js';

async function tenants(connection: DuckDBConnection) {
  return (await connection.runAndReadAll('SELECT tenant_id, settings FROM tenants')).getRowObjectsJson();
}

/** Builds every tenant's facts from scratch: the backfill after migrations 004-011 on a store that already holds orders. */
export async function rebuildAllFacts(connection: DuckDBConnection): Promise<void> {
  for (const t of await tenants(connection)) {
    await rebuildTenantFacts(connection, t.tenant_id as string, settingsFromJson(t.settings as string | null));
  }
}

/** Builds every tenant's rollups from its facts: the backfill after migration 013. */
export async function rebuildAllRollups(connection: DuckDBConnection): Promise<void> {
  for (const t of await tenants(connection)) await rebuildRollups(connection, t.tenant_id as string);
}
