import type { DuckDBConnection } from '@duckdb/node-api';
import { rebuildTenantFacts } from '../import/refresh-facts.js';
import { rebuildRollups } from '../import/refresh-rollups.js';
import { rebuildSlaRollups } from '../import/sla-rollups.js';
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

/** Builds every tenant's sla rollups from its facts: the backfill after migration 025. */
export async function rebuildAllSlaRollups(connection: DuckDBConnection): Promise<void> {
  for (const t of await tenants(connection)) await rebuildSlaRollups(connection, t.tenant_id as string);
}

const ORDER_ATTRIBUTES = ['channel', 'created_at', 'promised_at', 'customer_id', 'customer_tier', 'sku', 'sku_series', 'quantity', 'amount', 'currency', 'promotion_id', 'region', 'tracking_number', 'carrier', 'warehouse'];

/**
 * Stage columns of the presets keyed on order_id alone, by stage: the origins (schema/016) their
 * stored stage events get when a tenant is re-keyed, so a newer export of the same source replaces
 * them. Stages from a status column carry `status:<column>`.
 */
const PRESET_CLAIMS: Record<string, Record<string, string>> = {
  olist: {
    placed: 'order_purchase_timestamp',
    paid: 'order_approved_at',
    shipped: 'order_delivered_carrier_date',
    delivered: 'order_delivered_customer_date',
    cancelled: 'status:order_status',
  },
};

/**
 * The follow-up of migration 016: a tenant whose every import went through one preset keyed on
 * order_id alone (olist) is re-keyed to that identity, and the copies of one order the old rule
 * made (one per channel a lookup gave it) are merged: the copy written last gives the order's
 * columns, events are kept once, and the presets' stage columns become their claims. Its facts and
 * rollups are then rebuilt. Other tenants keep (channel, order_id), the canonical identity.
 */
export async function rekeyPresetTenants(connection: DuckDBConnection): Promise<void> {
  const rows = async (sql: string, params: Record<string, string> = {}) => (await connection.runAndReadAll(sql, params)).getRowObjectsJson();
  for (const t of await tenants(connection)) {
    const tenant = t.tenant_id as string;
    const mappings = (await rows('SELECT DISTINCT mapping FROM imports WHERE tenant_id = $tenant', { tenant })).map((r) => r.mapping as string);
    const preset = mappings.length === 1 ? mappings[0]! : undefined;
    if (!preset || !PRESET_CLAIMS[preset]) continue;
    const [counts] = await rows(`SELECT count(*)::DOUBLE AS n FROM orders WHERE tenant_id = $tenant AND source = 'canonical'`, { tenant });
    if (Number(counts!.n) === 0) continue;
    const key = `concat_ws(chr(31), '${preset}', order_id)`;
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE rekeyed AS
       SELECT order_id, ${ORDER_ATTRIBUTES.map((c) => `arg_max(${c}, rowid) AS ${c}`).join(', ')} FROM orders WHERE tenant_id = $tenant GROUP BY order_id`,
      { tenant },
    );
    await connection.run(`DELETE FROM orders WHERE tenant_id = $tenant`, { tenant });
    await connection.run(`INSERT INTO orders BY NAME SELECT *, '${preset}' AS source, ${key} AS order_key, $tenant AS tenant_id FROM rekeyed`, { tenant });
    const claims = Object.entries(PRESET_CLAIMS[preset]!)
      .map(([stage, column]) => `WHEN '${stage}' THEN '${preset}/${column}'`)
      .join(' ');
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE rekeyed_events AS
       SELECT DISTINCT ON (order_id, type, "at", stage, actor) e.* REPLACE (${key} AS order_key, r.channel AS channel,
         CASE WHEN e.type = 'stage' THEN CASE e.stage ${claims} END ELSE e.origin END AS origin)
       FROM order_events e JOIN rekeyed r USING (order_id) WHERE e.tenant_id = $tenant
       ORDER BY order_id, type, "at", stage, actor, e.rowid`,
      { tenant },
    );
    await connection.run(`DELETE FROM order_events WHERE tenant_id = $tenant`, { tenant });
    await connection.run(`INSERT INTO order_events BY NAME SELECT * FROM rekeyed_events`);
    await connection.run(`DELETE FROM order_facts WHERE tenant_id = $tenant`, { tenant });
    await rebuildTenantFacts(connection, tenant, settingsFromJson(t.settings as string | null));
    await rebuildRollups(connection, tenant);
    await connection.run('DROP TABLE rekeyed; DROP TABLE rekeyed_events');
  }
}
