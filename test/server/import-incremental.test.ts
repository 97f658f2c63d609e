import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { METRIC_NAMES } from '../../server/metrics/catalog.js';
import { SHARED_DATA, importPreset, openStore, testApp, setSlaTargets } from './helpers.js';
import { getJson } from './metrics-helpers.js';

/**
 * Incremental equals union: an export split at random into overlapping batches, later batches
 * correcting timestamps and amounts and emptying cells, imported in order, leaves every metric
 * equal (to 1e-12) to one import of the final state into a fresh store.
 */

const RUNS = Number(process.env.PROPERTY_RUNS_IMPORT ?? 4);
const OLIST = join(SHARED_DATA, 'olist');

/** A small deterministic generator (mulberry32), so a failing seed replays. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, chance: (p: number) => next() < p, int: (n: number) => Math.floor(next() * n) };
}

function lines(path: string): { header: string; rows: string[][] } {
  const [header, ...rest] = readFileSync(path, 'utf8').trimEnd().split('\n');
  return { header: header!, rows: rest.map((l) => l.split(',')) };
}
const writeCsv = (path: string, header: string, rows: string[][]) => writeFileSync(path, [header, ...rows.map((r) => r.join(','))].join('\n') + '\n');

/** Numbers equal to 1e-12 relative, everything else exactly. */
function close(a: unknown, b: unknown, path = ''): string | null {
  if (typeof a === 'number' && typeof b === 'number') {
    return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b)) ? null : `${path}: ${a} ≠ ${b}`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: ${a.length} rows ≠ ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = close(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(a, b) ? null : `${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
}

/** Every metric's rows over the scopes a dashboard reaches first. */
async function everyMetric(db: Database, extra: Record<string, string>): Promise<Record<string, unknown>> {
  // Service levels too, as of the stuck-orders moment when the test sets one.
  await setSlaTargets(db, 'default', [{ from: 'placed', to: 'shipped', hours: 72 }, { from: 'shipped', to: 'delivered', hours: 240 }]);
  extra = { ...extra, sla: extra['stuck-orders'] ?? '', 'order-forecast': 'stage=placed,paid,shipped&waited=24h' };
  const app = testApp(db, { cacheMetrics: false });
  const out: Record<string, unknown> = {};
  // freshness is about when each import ran: batches and one import of their union differ by design.
  for (const name of METRIC_NAMES.filter((n) => n !== 'freshness')) {
    for (const q of ['', 'groupBy=channel', 'interval=month', 'groupBy=region']) {
      if (q && ['roi-compare', 'promotion-roi', 'surge-alerts'].includes(name)) continue;
      if (q === 'interval=month' && !['cycle-time', 'first-response', 'on-time', 'friction-cost', 'throughput'].includes(name)) continue;
      const url = `/api/metrics/${name}?${[extra[name], q].filter(Boolean).join('&')}`;
      const { status, body } = await getJson(app, url);
      out[url] = status === 200 ? body.rows : { status, error: body.error };
    }
  }
  out['cycle-time placed→shipped'] = (await getJson(app, '/api/metrics/cycle-time?fromStage=placed&toStage=shipped&groupBy=channel')).body.rows;
  return out;
}

async function expectEqualStores(batched: Database, final: Database, extra: Record<string, string>, seed: number) {
  const [a, b] = [await everyMetric(batched, extra), await everyMetric(final, extra)];
  const difference = close(a, b);
  expect(difference, `seed ${seed}`).toBeNull();
}

describe('incremental equals union', () => {
  test(`olist: ${RUNS} random splits into overlapping batches with corrections and emptied cells`, async () => {
    const orders = lines(join(OLIST, 'olist_orders_dataset.csv'));
    const payments = lines(join(OLIST, 'olist_order_payments_dataset.csv'));
    const items = lines(join(OLIST, 'olist_order_items_dataset.csv'));
    const col = Object.fromEntries(orders.header.split(',').map((c, i) => [c, i]));
    const byOrder = (rows: string[][]) => {
      const map = new Map<string, string[][]>();
      for (const row of rows) map.set(row[0]!, [...(map.get(row[0]!) ?? []), row]);
      return map;
    };
    const paymentsOf = byOrder(payments.rows);
    const itemsOf = byOrder(items.rows);
    // A few hundred orders with payments or items, as many without: the lookups matter.
    const withLookups = orders.rows.filter((r) => paymentsOf.has(r[0]!) || itemsOf.has(r[0]!)).slice(0, 300);
    const without = orders.rows.filter((r) => !paymentsOf.has(r[0]!) && !itemsOf.has(r[0]!)).slice(0, 300);
    const base = [...withLookups, ...without];
    const shift = (v: string, minutes: number) => {
      const m = /^(\d+)\/(\d+)\/(\d{4}) (\d+):(\d{2})$/.exec(v);
      if (!m) return v;
      const t = new Date(Date.UTC(+m[3]!, +m[1]! - 1, +m[2]!, +m[4]!, +m[5]!) + minutes * 60_000);
      return `${t.getUTCMonth() + 1}/${t.getUTCDate()}/${t.getUTCFullYear()} ${t.getUTCHours()}:${String(t.getUTCMinutes()).padStart(2, '0')}`;
    };

    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const r = random(seed);
        const dir = mkdtempSync(join(tmpdir(), 'op-incr-olist-'));
        const batches = 2 + r.int(3);
        // Each order's version per batch it appears in; the last one is its final state.
        type Version = { order: string[]; payments: string[][]; items: string[][] };
        const perBatch: { orders: Version[]; lookupOnly: Version[] }[] = Array.from({ length: batches }, () => ({ orders: [], lookupOnly: [] }));
        const finals: Version[] = [];
        for (const row of base) {
          let current: Version = { order: [...row], payments: (paymentsOf.get(row[0]!) ?? []).map((p) => [...p]), items: (itemsOf.get(row[0]!) ?? []).map((p) => [...p]) };
          const first = r.int(batches);
          perBatch[first]!.orders.push(current);
          for (let b = first + 1; b < batches; b++) {
            if (!r.chance(0.4)) continue;
            const next: Version = { order: [...current.order], payments: current.payments.map((p) => [...p]), items: current.items.map((p) => [...p]) };
            for (const c of ['order_approved_at', 'order_delivered_carrier_date', 'order_delivered_customer_date', 'order_purchase_timestamp']) {
              if (r.chance(0.3) && next.order[col[c]!]) next.order[col[c]!] = shift(next.order[col[c]!]!, (r.int(7) - 3) * 45);
              else if (c !== 'order_purchase_timestamp' && r.chance(0.1)) next.order[col[c]!] = '';
            }
            if (r.chance(0.1)) next.order[col.order_estimated_delivery_date!] = '';
            for (const p of next.payments) if (r.chance(0.3)) p[4] = (Number(p[4]) + r.int(5000) / 100).toFixed(2);
            // Mostly the whole order again; sometimes only its payments (a later batch of lookups).
            if (next.payments.length > 0 && r.chance(0.25)) {
              next.order = current.order;
              perBatch[b]!.lookupOnly.push(next);
            } else {
              perBatch[b]!.orders.push(next);
            }
            current = next;
          }
          finals.push(current);
        }
        const products = join(OLIST, 'olist_products_dataset.csv');
        const batched = await openStore();
        const final = await openStore();
        try {
          for (const [b, batch] of perBatch.entries()) {
            const folder = join(dir, `b${b}`);
            mkdirSync(folder);
            const files = [join(folder, 'olist_orders_dataset.csv'), join(folder, 'olist_order_payments_dataset.csv'), join(folder, 'olist_order_items_dataset.csv')];
            writeCsv(files[0]!, orders.header, batch.orders.map((v) => v.order));
            writeCsv(files[1]!, payments.header, [...batch.orders, ...batch.lookupOnly].flatMap((v) => v.payments));
            writeCsv(files[2]!, items.header, batch.orders.flatMap((v) => v.items));
            await importPreset(batched, 'olist', [...files, products]);
          }
          const folder = join(dir, 'final');
          mkdirSync(folder);
          const files = [join(folder, 'olist_orders_dataset.csv'), join(folder, 'olist_order_payments_dataset.csv'), join(folder, 'olist_order_items_dataset.csv')];
          writeCsv(files[0]!, orders.header, finals.map((v) => v.order));
          writeCsv(files[1]!, payments.header, finals.flatMap((v) => v.payments));
          writeCsv(files[2]!, items.header, finals.flatMap((v) => v.items));
          await importPreset(final, 'olist', [...files, products]);
          await expectEqualStores(batched, final, { 'roi-compare': 'baselineFrom=2017-01-01&baselineTo=2017-07-01&to=2018-01-01', 'stuck-orders': 'asOf=2018-09-01' }, seed);
        } finally {
          await Promise.all([batched.close(), final.close()]);
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.PROPERTY_SEED ?? 17) },
    );
  }, 600_000);

  test(`canonical: ${RUNS} random splits of orders and events, with corrections and emptied cells`, async () => {
    const CHANNELS = ['tmall', 'jd', 'douyin'];
    const REGIONS = ['east', 'west', 'north'];
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const r = random(seed);
        const dir = mkdtempSync(join(tmpdir(), 'op-incr-canonical-'));
        const batches = 2 + r.int(3);
        const orderHeader = 'order_id,channel,created_at,promised_at,region,customer_tier,amount,currency';
        const eventHeader = 'order_id,channel,at,type,stage,actor,minutes,cost';
        const perBatch = Array.from({ length: batches }, () => ({ orders: [] as string[][], events: [] as string[][] }));
        const finalOrders: string[][] = [];
        const finalEvents: string[][] = [];
        const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
        for (let i = 0; i < 400; i++) {
          const channel = CHANNELS[r.int(3)]!;
          const created = Date.UTC(2025, 0, 1) + r.int(180 * 24) * 3600_000 + r.int(60) * 60_000;
          let order = [`C${i}`, channel, iso(created), iso(created + (48 + r.int(120)) * 3600_000), REGIONS[r.int(3)]!, r.chance(0.3) ? 'gold' : 'regular', (10 + r.int(50000) / 100).toFixed(2), 'CNY'];
          const first = r.int(batches);
          perBatch[first]!.orders.push(order);
          for (let b = first + 1; b < batches; b++) {
            if (!r.chance(0.35)) continue;
            order = [...order];
            if (r.chance(0.5)) order[6] = (Number(order[6]) + r.int(2000) / 100 - 10).toFixed(2).replace(/^-.*/, '0.00');
            if (r.chance(0.3)) order[3] = r.chance(0.3) ? '' : iso(created + (24 + r.int(200)) * 3600_000);
            if (r.chance(0.2)) order[4] = r.chance(0.5) ? '' : REGIONS[r.int(3)]!;
            perBatch[b]!.orders.push(order);
          }
          finalOrders.push(order);
          // Events: stages and friction, each sent in one or more batches at or after its order's first, minutes and cost corrected on re-sends.
          const stages = ['paid', 'shipped', 'delivered'].slice(0, r.int(4));
          let at = created;
          const events: string[][] = [];
          for (const stage of stages) {
            at += (1 + r.int(60)) * 3600_000;
            events.push([`C${i}`, channel, iso(at), 'stage', stage, '', '', '']);
          }
          if (r.chance(0.5)) events.push([`C${i}`, channel, iso(created + 2 * 3600_000), 'contact', '', `agent-${r.int(4)}`, String(5 + r.int(30)), '']);
          if (r.chance(0.3)) events.push([`C${i}`, channel, iso(created + 3 * 3600_000), 'expedite', '', '', '', (r.int(5000) / 100).toFixed(2)]);
          if (r.chance(0.3)) events.push([`C${i}`, channel, iso(created + 4 * 3600_000), 'data_move', '', `clerk-${r.int(3)}`, '', '']);
          for (let event of events) {
            const firstSent = first + r.int(batches - first);
            perBatch[firstSent]!.events.push(event);
            for (let b = firstSent + 1; b < batches; b++) {
              if (!r.chance(0.3)) continue;
              event = [...event];
              if (event[3] === 'contact') event[6] = String(5 + r.int(30));
              if (event[3] === 'expedite') event[7] = (r.int(5000) / 100).toFixed(2);
              perBatch[b]!.events.push(event);
            }
            finalEvents.push(event);
          }
        }
        const batched = await openStore();
        const final = await openStore();
        try {
          for (const [b, batch] of perBatch.entries()) {
            const files = [join(dir, `orders-${b}.csv`), join(dir, `events-${b}.csv`)];
            writeCsv(files[0]!, orderHeader, batch.orders);
            writeCsv(files[1]!, eventHeader, batch.events);
            await importPreset(batched, 'canonical', files);
          }
          const files = [join(dir, 'orders-final.csv'), join(dir, 'events-final.csv')];
          writeCsv(files[0]!, orderHeader, finalOrders);
          writeCsv(files[1]!, eventHeader, finalEvents);
          await importPreset(final, 'canonical', files);
          await expectEqualStores(batched, final, { 'roi-compare': 'baselineFrom=2025-01-01&baselineTo=2025-04-01&to=2025-07-01', 'stuck-orders': 'asOf=2025-08-01' }, seed);
        } finally {
          await Promise.all([batched.close(), final.close()]);
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.PROPERTY_SEED ?? 17) },
    );
  }, 600_000);
});
