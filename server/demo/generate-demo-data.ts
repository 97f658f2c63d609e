import type { Database } from '../db/database.js';
import { readSql } from '../db/sql-files.js';
import { bumpDataVersion } from '../db/data-version.js';
import { refreshFacts } from '../import/refresh-facts.js';
import { readSettings } from '../settings.js';
import { DEFAULT_TENANT } from '../tenants.js';

export interface DemoOptions {
  orders: number;
  seed: number;
  /** Number of the first order (default 0): later batches of one data set continue where the last ended. */
  first?: number;
  /** First local day of the data (inclusive), `YYYY-MM-DD`. */
  start?: string;
  /** Day after the last (exclusive). */
  end?: string;
  /** The process change: first response, friction and data moves drop after it. */
  goLive?: string;
  /** The tenant the data goes to (default: `default`). */
  tenant?: string;
}

export interface DemoResult {
  orders: number;
  events: number;
  promotions: number;
  elapsedMs: number;
}

/** A demo order's identity (schema/016): the canonical mapping's, source then channel and order id. */
const DEMO_KEY = `concat_ws(chr(31), 'canonical', channel, order_id)`;

/** Demo data is generated in Asia/Shanghai, the store's default time zone. */
const DEMO_TIME_ZONE = 'Asia/Shanghai';

/** The demo's note on its go-live day (settings annotations), in English and Chinese. */
export const DEMO_GO_LIVE_NOTE = 'Go-live: one order platform';
export const DEMO_GO_LIVE_NOTE_ZH = '上线：统一订单平台';

/** The demo's service levels: ship within 3 days of the order, 48 h of payment (tmall: 24 h), deliver within 3 days of shipping. */
export const DEMO_SLA_TARGETS = [
  { from: 'placed', to: 'shipped', hours: 72 },
  { from: 'paid', to: 'shipped', hours: 48 },
  { from: 'paid', to: 'shipped', hours: 24, channel: 'tmall' },
  { from: 'shipped', to: 'delivered', hours: 72 },
];

/**
 * Writes deterministic demo orders, events and promotions into the store in
 * one transaction, with the stories of DOMAIN.md (see sql/demo/*.sql).
 * Appends: run it on an empty store, or with a different seed range.
 */
export async function generateDemoData(db: Database, options: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const params = {
    orders: options.orders,
    first: options.first ?? 0,
    seed: options.seed,
    start: options.start ?? '2025-01-01',
    end: options.end ?? '2026-01-01',
    golive: options.goLive ?? '2025-07-01',
    tz: DEMO_TIME_ZONE,
  };
  const tenant = { tenant: options.tenant ?? DEFAULT_TENANT };
  const settings = await readSettings(db, tenant.tenant);
  return db.transaction(async (c) => {
    for (const file of ['demo/orders.sql', 'demo/events.sql']) {
      for (const statement of splitStatements(readSql(file))) {
        const used = Object.fromEntries(Object.entries(params).filter(([k]) => statement.includes(`$${k}`)));
        await c.run(statement, used);
      }
    }
    // 60 % of a promotion's channel orders placed during it came through it.
    // Keyed as the canonical mapping keys orders (channel + order_id), so a canonical export of the same orders updates them.
    await c.run(`ALTER TABLE demo_orders ADD COLUMN order_key VARCHAR DEFAULT NULL`);
    await c.run(`UPDATE demo_orders SET order_key = ${DEMO_KEY}`);
    await c.run(`CREATE OR REPLACE TEMP TABLE demo_events_keyed AS SELECT *, ${DEMO_KEY} AS order_key, 'demo/events' AS origin FROM demo_events`);
    await c.run(
      `INSERT INTO orders BY NAME
       SELECT $tenant AS tenant_id, o.order_key, 'canonical' AS source, o.order_id, o.channel, o.created_at, o.promised_at, o.customer_id, o.customer_tier, o.sku, o.sku_series,
              o.quantity, o.amount, o.currency, p.promotion_id, o.region, o.warehouse, o.carrier,
              -- Waybills as each carrier numbers them: SF + 12 digits, JD + 13 (JDV…), ZTO 12 digits from 7, YT + 13.
              CASE o.carrier WHEN 'SF Express' THEN 'SF' || lpad((hash($seed, o.order_id, 'waybill') % 1000000000000)::VARCHAR, 12, '0')
                WHEN 'JD Logistics' THEN 'JDV' || lpad((hash($seed, o.order_id, 'waybill') % 1000000000000)::VARCHAR, 12, '0')
                WHEN 'ZTO Express' THEN '7' || lpad((hash($seed, o.order_id, 'waybill') % 100000000000)::VARCHAR, 11, '0')
                WHEN 'YTO Express' THEN 'YT' || lpad((hash($seed, o.order_id, 'waybill') % 10000000000000)::VARCHAR, 13, '0') END AS tracking_number
       FROM demo_orders o LEFT JOIN demo_promotions p
         ON o.channel = p.channel AND o.created_at >= p.starts_at AND o.created_at < p.ends_at
        AND hash($seed, o.order_id, 'promo') % 10 < 6`,
      { ...tenant, seed: options.seed },
    );
    // When each order reached the store: the run of its source that picked it up. Until the go-live
    // the marketplaces are imported hourly (at :05 past the next hour) and the ERP's offline and WeChat
    // orders by a nightly export at 02:00 local that misses a third of the day's orders until the
    // night after; then every 15 minutes (3 past), and the ERP hourly (10 past). The freshness metric
    // shows the merge latency drop; each run is an import record of its channel.
    await c.run(
      `INSERT INTO order_arrivals
       SELECT $tenant, o.order_key, CASE
           WHEN o.channel IN ('offline', 'wechat') AND o.created_at < $golive::TIMESTAMPTZ
             THEN time_bucket(INTERVAL '1 day', o.created_at, TIMESTAMPTZ '2000-01-01 18:00:00+00') + INTERVAL '1 day'
               + CASE WHEN hash($seed, o.order_id, 'seen') % 3 = 0 THEN INTERVAL '1 day' ELSE INTERVAL '0 days' END
           WHEN o.channel IN ('offline', 'wechat') THEN time_bucket(INTERVAL '1 hour', o.created_at) + INTERVAL '70 minutes'
           WHEN o.created_at < $golive::TIMESTAMPTZ THEN time_bucket(INTERVAL '1 hour', o.created_at) + INTERVAL '65 minutes'
           ELSE time_bucket(INTERVAL '15 minutes', o.created_at) + INTERVAL '18 minutes' END
       FROM demo_orders o`,
      { ...tenant, seed: options.seed, golive: params.golive },
    );
    await c.run(
      `INSERT INTO import_sources
       SELECT $tenant, 0, 'canonical', o.channel, a.first_seen_at, count(*), max(o.created_at)
       FROM demo_orders o JOIN order_arrivals a ON a.tenant_id = $tenant AND a.order_key = o.order_key GROUP BY o.channel, a.first_seen_at`,
      tenant,
    );
    await c.run(`INSERT INTO order_events BY NAME SELECT $tenant AS tenant_id, * FROM demo_events_keyed ORDER BY "at"`, tenant);
    // The same six promotions for every batch of a range: stored once (each copy joined every order
    // of its promotion again: at 20 batches, promotion-roi counted each order 20 times, in 2.2 s).
    await c.run(
      `INSERT INTO promotions SELECT $tenant, d.* FROM demo_promotions d
       WHERE d.promotion_id NOT IN (SELECT promotion_id FROM promotions WHERE tenant_id = $tenant)`,
      tenant,
    );
    // Service levels that some steps miss (the sla metric) and the go-live as a note on the time
    // charts, unless the tenant has its own; written before the facts, so the rollups judge the
    // orders against these targets.
    const demoSettings = {
      ...settings,
      slaTargets: settings.slaTargets.length === 0 ? DEMO_SLA_TARGETS : settings.slaTargets,
      annotations: settings.annotations.length === 0 ? [{ date: params.golive, label: DEMO_GO_LIVE_NOTE, labels: { 'zh-CN': DEMO_GO_LIVE_NOTE_ZH } }] : settings.annotations,
    };
    await c.run('UPDATE tenants SET settings = $value WHERE tenant_id = $tenant', { ...tenant, value: JSON.stringify(demoSettings) });
    // Every order is new (ids from `first` on): the facts come from this batch's events alone, and none are stored yet.
    await refreshFacts(c, tenant.tenant, settings, 'SELECT order_key FROM demo_orders', { events: 'demo_events_keyed', newEvents: 'demo_events_keyed' });
    await bumpDataVersion(c);
    const counts = (await c.runAndReadAll(
      `SELECT (SELECT count(*) FROM demo_orders)::DOUBLE AS orders, (SELECT count(*) FROM demo_events)::DOUBLE AS events,
              (SELECT count(*) FROM demo_promotions)::DOUBLE AS promotions`,
    )).getRowObjectsJson()[0] as { orders: number; events: number; promotions: number };
    for (const t of ['demo_orders', 'demo_events', 'demo_events_keyed', 'demo_promotions']) await c.run(`DROP TABLE ${t}`);
    return { ...counts, elapsedMs: Math.round(performance.now() - started) };
  });
}

/** Splits a SQL file on statement-ending semicolons (the demo files have none inside strings). */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
}
