import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Recomputes `order_stage_times` for the `tenant`'s orders in `touched` (a table or query
 * with channel and order_id). Runs inside the caller's transaction, after the
 * orders and events are written, so the facts never disagree with them.
 */
export async function refreshStageTimes(connection: DuckDBConnection, tenant: string, touched: string): Promise<void> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE touched_orders AS SELECT DISTINCT channel, order_id FROM (${touched})`);
  await connection.run(
    `DELETE FROM order_stage_times s USING touched_orders t
     WHERE s.tenant_id = $tenant AND s.channel = t.channel AND s.order_id = t.order_id`,
    { tenant },
  );
  await connection.run(
    `INSERT INTO order_stage_times
     SELECT $tenant, channel, order_id, stage, min("at") FROM (
       SELECT e.channel, e.order_id, e.stage, e."at" FROM order_events e
       JOIN touched_orders t ON t.channel = e.channel AND t.order_id = e.order_id
       WHERE e.tenant_id = $tenant AND e.type = 'stage'
       UNION ALL
       SELECT o.channel, o.order_id, 'placed', o.created_at FROM orders o
       JOIN touched_orders t ON t.channel = o.channel AND t.order_id = o.order_id
       WHERE o.tenant_id = $tenant
     ) GROUP BY ALL`,
    { tenant },
  );
}
