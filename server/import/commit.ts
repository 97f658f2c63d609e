import type { DuckDBConnection } from '@duckdb/node-api';
import { one } from './one-row.js';
import { refreshFacts, type FactSettings } from './refresh-facts.js';

/** Order columns an import may set or change (the identity, order_key, never changes). */
const ORDER_COLUMNS = [
  'order_id', 'channel', 'source', 'created_at', 'promised_at', 'customer_id', 'customer_tier', 'sku', 'sku_series',
  'quantity', 'amount', 'currency', 'promotion_id', 'region', 'tracking_number', 'carrier', 'warehouse',
] as const;
const PROMOTION_COLUMNS = ['channel', 'name', 'starts_at', 'ends_at', 'spend'] as const;
const EVENT_COLUMNS = 'order_key, order_id, channel, "at", type, stage, actor, minutes, cost, origin, event_id';

export interface CommitCounts {
  ordersInserted: number;
  ordersUpdated: number;
  ordersUnchanged: number;
  eventsInserted: number;
  /** Stored events the import gave new values (a re-sent event with a corrected minutes or cost, a moved stage time). */
  eventsUpdated: number;
  /** Stage times a source stated before and its newer export no longer states (an emptied cell). */
  eventsRemoved: number;
  eventsDuplicate: number;
  promotionsUpserted: number;
  /** Whether anything in the store changed: an import that changes nothing writes nothing and keeps the data version. */
  changed: boolean;
}

/**
 * Merges the staged rows into the canonical tables. Must run inside the import's transaction.
 *
 * Orders upsert on their identity, `order_key` (source and key columns): a value the new file
 * leaves empty keeps the stored one; channel is an attribute like the others. Events, by kind:
 * - a stage read from a column of an order row is its source's current claim: for the orders the
 *   import holds, the claims of the columns it reads replace the stored ones of the same origin
 *   (moved, added, or removed when the cell is now empty); claims of other sources stay;
 * - a line of an events file is an event: one with the same `event_id` (else the same order, type,
 *   time, stage and actor) as a stored one replaces it, taking its newer minutes and cost; copies of
 *   one event within a file become one, with the largest minutes and cost.
 * Only what changed is written, and only the orders it touches get their facts refreshed.
 */
export async function commitStaged(connection: DuckDBConnection, tenant: string, settings: FactSettings, importedAt: Date = new Date()): Promise<CommitCounts> {
  const run = (sql: string) =>
    connection.run(sql, { ...(sql.includes('$tenant') ? { tenant } : {}), ...(sql.includes('$imported_at') ? { imported_at: importedAt.toISOString() } : {}) });
  // The orders this import touches, those of them stored before it, and their stored events, read
  // once (a scan of every stored event: none when every touched order is new).
  await run(`CREATE OR REPLACE TEMP TABLE import_orders AS SELECT DISTINCT order_key FROM (SELECT order_key FROM stg_orders UNION ALL SELECT order_key FROM staged_events)`);
  await run(
    `CREATE OR REPLACE TEMP TABLE import_stored_orders AS
     SELECT o.order_key FROM orders o SEMI JOIN import_orders t ON t.order_key = o.order_key WHERE o.tenant_id = $tenant`,
  );
  await run(
    `CREATE OR REPLACE TEMP TABLE import_events AS
     SELECT e.rowid AS __rid, e.* EXCLUDE (tenant_id) FROM order_events e SEMI JOIN import_stored_orders t ON t.order_key = e.order_key
     WHERE e.tenant_id = $tenant`,
  );

  // A field the file states takes its value, empty included (the export's current word); one it does
  // not state (a constant default, a column it lacks, a lookup it did not bring) keeps the stored value.
  const value = (c: (typeof ORDER_COLUMNS)[number]) =>
    c === 'source' ? `coalesce(s.source, o.source)` : `CASE WHEN s.__stated_${c} OR o.order_key IS NULL THEN s.${c} ELSE coalesce(o.${c}, s.${c}) END`;
  const merged = ORDER_COLUMNS.map((c) => `${value(c)} AS ${c}`).join(', ');
  const differs = ORDER_COLUMNS.map((c) => `${value(c)} IS DISTINCT FROM o.${c}`).join(' OR ');
  await run(
    `CREATE OR REPLACE TEMP TABLE order_merge AS
     SELECT s.order_key, ${merged}, o.order_key IS NULL AS is_new, o.order_key IS NOT NULL AND (${differs}) AS is_changed,
       o.order_key IS NOT NULL AND ${value('channel')} IS DISTINCT FROM o.channel AS channel_moved
     FROM stg_orders s LEFT JOIN (SELECT * FROM orders WHERE tenant_id = $tenant) o ON o.order_key = s.order_key`,
  );
  const orders = await one(
    connection,
    `SELECT count(*) FILTER (is_new)::DOUBLE AS inserted, count(*) FILTER (is_changed)::DOUBLE AS updated,
            count(*) FILTER (NOT is_new AND NOT is_changed)::DOUBLE AS unchanged, count(*) FILTER (channel_moved)::DOUBLE AS moved FROM order_merge`,
  );
  if (orders.updated! > 0) {
    await run(`DELETE FROM orders o USING order_merge m WHERE m.is_changed AND o.tenant_id = $tenant AND o.order_key = m.order_key`);
  }
  if (orders.inserted! + orders.updated! > 0) {
    await run(
      `INSERT INTO orders (tenant_id, order_key, ${ORDER_COLUMNS.join(', ')})
       SELECT $tenant, order_key, ${ORDER_COLUMNS.join(', ')} FROM order_merge WHERE is_new OR is_changed`,
    );
    // A new order arrives now (freshness, schema/023); one updated keeps its first arrival.
    await run(`INSERT INTO order_arrivals SELECT $tenant, order_key, $imported_at::TIMESTAMPTZ FROM order_merge WHERE is_new`);
  }

  // Staged events, one row per identity and origin. Those of orders stored before the import are
  // compared with the stored ones below; those of new orders have nothing to match and go straight
  // in (for a first import, every event: comparing them anyway took 1.6 of 9 s for 970k events).
  await run(
    `CREATE OR REPLACE TEMP TABLE import_staged_all AS
     SELECT order_key, first(order_id) AS order_id, first(channel) AS channel, "at", type, stage, actor, event_id, origin,
       max(minutes) AS minutes, max(cost) AS cost, origin IN (SELECT origin FROM stg_claimed_origins) AS is_claim
     FROM staged_events GROUP BY order_key, "at", type, stage, actor, event_id, origin`,
  );
  await run(`CREATE OR REPLACE TEMP TABLE import_staged AS SELECT * FROM import_staged_all SEMI JOIN import_stored_orders USING (order_key)`);
  // Stored events as the import sees them: claims of the origins it states for orders it holds (its
  // to replace), and events of files (or of unknown origin, stored before provenance) it may match.
  await run(
    `CREATE OR REPLACE TEMP TABLE import_slots AS
     SELECT *, origin IN (SELECT origin FROM stg_claimed_origins) AND order_key IN (SELECT order_key FROM stg_orders WHERE NOT __lookup_only) AS is_claim_slot,
       origin IS NULL OR ends_with(origin, '/events') AS is_file_event
     FROM import_events`,
  );
  const sameClaim = `s.order_key = t.order_key AND s.origin = t.origin AND s.type = t.type AND s."at" IS NOT DISTINCT FROM t."at" AND s.stage IS NOT DISTINCT FROM t.stage`;
  const sameEvent = `s.order_key = t.order_key AND CASE WHEN t.event_id IS NOT NULL THEN s.event_id = t.event_id
       ELSE s.event_id IS NULL AND s.type = t.type AND s."at" = t."at" AND s.stage IS NOT DISTINCT FROM t.stage AND s.actor IS NOT DISTINCT FROM t.actor END`;
  const sameValues = `s.type = t.type AND s."at" = t."at" AND s.stage IS NOT DISTINCT FROM t.stage AND s.actor IS NOT DISTINCT FROM t.actor
       AND s.minutes IS NOT DISTINCT FROM t.minutes AND s.cost IS NOT DISTINCT FROM t.cost`;
  // (Not the origin: the same event sent by another file is the same event, kept as first recorded.)
  await run(
    `CREATE OR REPLACE TEMP TABLE event_matches AS
     SELECT s.__rid, t.order_key, t."at", t.type, t.stage, t.actor, t.event_id, t.origin, (${sameValues}) AS unchanged
     FROM import_staged t JOIN import_slots s ON NOT t.is_claim AND s.is_file_event AND NOT s.is_claim_slot AND ${sameEvent}`,
  );
  // What to take away: claims no longer stated, and file events about to be replaced by changed values.
  await run(
    `CREATE OR REPLACE TEMP TABLE event_deletes AS
     SELECT __rid, CASE WHEN EXISTS (SELECT 1 FROM import_staged t WHERE t.is_claim AND t.order_key = s.order_key AND t.origin = s.origin) THEN 'moved' ELSE 'removed' END AS why
     FROM import_slots s WHERE s.is_claim_slot AND NOT EXISTS (SELECT 1 FROM import_staged t WHERE t.is_claim AND ${sameClaim})
     UNION ALL
     SELECT DISTINCT __rid, 'changed' FROM event_matches WHERE NOT unchanged`,
  );
  await run(
    `CREATE OR REPLACE TEMP TABLE event_inserts AS
     SELECT ${EVENT_COLUMNS}, CASE WHEN EXISTS (SELECT 1 FROM import_slots s WHERE s.is_claim_slot AND s.order_key = t.order_key AND s.origin = t.origin) THEN 'changed' ELSE 'claim' END AS why
     FROM import_staged t WHERE t.is_claim AND NOT EXISTS (SELECT 1 FROM import_slots s WHERE s.is_claim_slot AND ${sameClaim})
     UNION ALL
     SELECT ${EVENT_COLUMNS}, CASE WHEN EXISTS (SELECT 1 FROM event_matches m WHERE m.order_key = t.order_key AND m.type = t.type AND m."at" = t."at"
         AND m.stage IS NOT DISTINCT FROM t.stage AND m.actor IS NOT DISTINCT FROM t.actor AND m.event_id IS NOT DISTINCT FROM t.event_id AND m.origin = t.origin)
       THEN 'changed' ELSE 'new' END
     FROM import_staged t WHERE NOT t.is_claim AND NOT EXISTS (
       SELECT 1 FROM event_matches m WHERE m.unchanged AND m.order_key = t.order_key AND m.type = t.type AND m."at" = t."at"
         AND m.stage IS NOT DISTINCT FROM t.stage AND m.actor IS NOT DISTINCT FROM t.actor AND m.event_id IS NOT DISTINCT FROM t.event_id AND m.origin = t.origin)
     UNION ALL
     SELECT ${EVENT_COLUMNS}, CASE WHEN is_claim THEN 'claim' ELSE 'new' END FROM import_staged_all ANTI JOIN import_stored_orders USING (order_key)`,
  );
  const events = await one(
    connection,
    `SELECT (SELECT count(*) FROM staged_events)::DOUBLE AS staged,
       (SELECT count(*) FROM event_inserts WHERE why <> 'changed')::DOUBLE AS inserted,
       (SELECT count(*) FROM event_inserts WHERE why = 'changed')::DOUBLE AS updated,
       (SELECT count(*) FROM event_deletes WHERE why = 'removed')::DOUBLE AS removed,
       (SELECT count(*) FROM event_deletes)::DOUBLE AS deletes`,
  );
  if (events.deletes! > 0) await run(`DELETE FROM order_events WHERE rowid IN (SELECT __rid FROM event_deletes)`);
  if (events.inserted! + events.updated! > 0) {
    await run(`INSERT INTO order_events BY NAME SELECT $tenant AS tenant_id, ${EVENT_COLUMNS} FROM event_inserts`);
  }
  // Events follow their order's channel.
  if (orders.moved! > 0) {
    await run(
      `UPDATE order_events e SET channel = m.channel FROM order_merge m
       WHERE m.channel_moved AND e.tenant_id = $tenant AND e.order_key = m.order_key`,
    );
  }

  // Facts only for the orders that changed, from their stored events as they are now.
  await run(
    `CREATE OR REPLACE TEMP TABLE import_changed_orders AS
     SELECT DISTINCT order_key FROM (
       SELECT order_key FROM order_merge WHERE is_new OR is_changed
       UNION ALL SELECT order_key FROM event_inserts
       UNION ALL SELECT s.order_key FROM import_slots s SEMI JOIN event_deletes d ON d.__rid = s.__rid)`,
  );
  await run(`CREATE OR REPLACE TEMP TABLE import_changed_stored AS SELECT order_key FROM import_stored_orders SEMI JOIN import_changed_orders USING (order_key)`);
  const changedOrders = await one(connection, 'SELECT count(*)::DOUBLE AS n FROM import_changed_orders');
  if (changedOrders.n! > 0) {
    await refreshFacts(connection, tenant, settings, 'SELECT order_key FROM import_changed_orders', {
      events: `(SELECT * EXCLUDE (__rid) FROM import_events WHERE __rid NOT IN (SELECT __rid FROM event_deletes)
                UNION ALL BY NAME SELECT * EXCLUDE (why) FROM event_inserts)`,
      newEvents: 'event_inserts',
      stored: 'import_changed_stored',
    });
  }

  const promotions = await one(connection, `SELECT count(*)::DOUBLE AS n FROM stg_promotions`);
  let promotionsChanged = 0;
  if (promotions.n! > 0) {
    const keep = PROMOTION_COLUMNS.map((c) => `coalesce(s.${c}, p.${c}) AS ${c}`).join(', ');
    const differs = PROMOTION_COLUMNS.map((c) => `coalesce(s.${c}, p.${c}) IS DISTINCT FROM p.${c}`).join(' OR ');
    await run(
      `CREATE OR REPLACE TEMP TABLE promotion_merge AS
       SELECT s.promotion_id, ${keep}, p.promotion_id IS NULL OR (${differs}) AS is_changed
       FROM stg_promotions s LEFT JOIN (SELECT * FROM promotions WHERE tenant_id = $tenant) p USING (promotion_id)`,
    );
    promotionsChanged = (await one(connection, 'SELECT count(*) FILTER (is_changed)::DOUBLE AS n FROM promotion_merge')).n!;
    if (promotionsChanged > 0) {
      await run(`DELETE FROM promotions WHERE tenant_id = $tenant AND promotion_id IN (SELECT promotion_id FROM promotion_merge WHERE is_changed)`);
      await run(
        `INSERT INTO promotions (tenant_id, promotion_id, ${PROMOTION_COLUMNS.join(', ')})
         SELECT $tenant, promotion_id, ${PROMOTION_COLUMNS.join(', ')} FROM promotion_merge WHERE is_changed`,
      );
    }
  }
  const written = events.inserted! + events.updated!;
  return {
    ordersInserted: orders.inserted!,
    ordersUpdated: orders.updated!,
    ordersUnchanged: orders.unchanged!,
    eventsInserted: events.inserted!,
    eventsUpdated: events.updated!,
    eventsRemoved: events.removed!,
    eventsDuplicate: events.staged! - written,
    promotionsUpserted: promotions.n!,
    changed: changedOrders.n! > 0 || promotionsChanged > 0 || orders.moved! > 0,
  };
}
