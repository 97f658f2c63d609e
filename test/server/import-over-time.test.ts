import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Database } from '../../server/db/database.js';
import { METRIC_NAMES } from '../../server/metrics/catalog.js';
import { OLIST_FILES, SHARED_DATA, importPreset, openStore, rows, testApp, setSlaTargets } from './helpers.js';
import { metricRows } from './metrics-helpers.js';

/**
 * Exports imported the way users make them: the same table again, a newer export that corrects the
 * older one, lookups that arrive in a later batch. Each time, the store must equal one import of
 * the latest state.
 */

const OLIST = join(SHARED_DATA, 'olist');

/** A CSV as its header and lines (Olist's files have no quoted fields). */
function csv(path: string): { header: string; lines: string[] } {
  const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  return { header: header!, lines };
}
function write(dir: string, name: string, header: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, [header, ...lines].join('\n') + '\n');
  return path;
}

/** `M/D/YYYY H:MM` (Olist re-saved through Excel) shifted by `minutes`. */
function shifted(value: string, minutes: number): string {
  const m = /^(\d+)\/(\d+)\/(\d{4}) (\d+):(\d{2})$/.exec(value);
  if (!m) return value;
  const t = new Date(Date.UTC(+m[3]!, +m[1]! - 1, +m[2]!, +m[4]!, +m[5]!) + minutes * 60_000);
  return `${t.getUTCMonth() + 1}/${t.getUTCDate()}/${t.getUTCFullYear()} ${t.getUTCHours()}:${String(t.getUTCMinutes()).padStart(2, '0')}`;
}

/** Every metric's rows for a few scopes users reach, for comparing two stores. */
async function answers(db: Database): Promise<Record<string, unknown>> {
  // Service levels too: paid → shipped within 2 days, delivered within 10 of shipping.
  await setSlaTargets(db, 'default', [{ from: 'paid', to: 'shipped', hours: 48 }, { from: 'shipped', to: 'delivered', hours: 240 }]);
  const app = testApp(db, { cacheMetrics: false });
  const out: Record<string, unknown> = {};
  const extra: Record<string, string> = {
    'roi-compare': 'baselineFrom=2017-01-01&baselineTo=2017-07-01&to=2018-01-01',
    'stuck-orders': 'asOf=2018-09-01',
    sla: 'asOf=2018-09-01',
    'order-forecast': 'stage=placed,paid,shipped&waited=24h',
  };
  // freshness is about when each import ran: batches and one import of their union differ by design.
  for (const name of METRIC_NAMES.filter((n) => n !== 'freshness')) {
    for (const q of ['', 'groupBy=channel', 'interval=month']) {
      if (q && ['roi-compare', 'promotion-roi', 'surge-alerts'].includes(name)) continue;
      if (q === 'groupBy=channel' && (name === 'sla' || name === 'order-forecast')) continue;
      if (q === 'interval=month' && !['cycle-time', 'first-response', 'on-time', 'friction-cost', 'throughput', 'sla'].includes(name)) continue;
      const url = `/api/metrics/${name}?${[extra[name], q].filter(Boolean).join('&')}`;
      out[url] = await metricRows(app, url);
    }
  }
  out['cycle-time placed→paid by channel'] = await metricRows(app, '/api/metrics/cycle-time?fromStage=placed&toStage=paid&groupBy=channel');
  return out;
}

describe('olist over time', () => {
  test("an order's identity does not depend on a lookup: payments arriving later update the same orders", async () => {
    const db = await openStore();
    const orders = join(OLIST, 'olist_orders_dataset.csv');
    await importPreset(db, 'olist', [orders]);
    const second = await importPreset(db, 'olist', [orders, join(OLIST, 'olist_order_payments_dataset.csv')]);
    expect(second).toMatchObject({ ordersInserted: 0, ordersUpdated: 1026 });
    expect(await rows(db, 'SELECT count(*)::INT AS n, count(DISTINCT order_id)::INT AS ids FROM orders')).toEqual([{ n: 9999, ids: 9999 }]);
    await db.close();
  });

  test('two overlapping batches, payments with the second only, equal one import of the union', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'op-olist-batches-'));
    const { header, lines } = csv(join(OLIST, 'olist_orders_dataset.csv'));
    const payments = join(OLIST, 'olist_order_payments_dataset.csv');
    const batched = await openStore();
    await importPreset(batched, 'olist', [write(dir, 'b1/olist_orders_dataset.csv'.replace('/', '-'), header, lines.slice(0, 6000))]);
    await importPreset(batched, 'olist', [write(dir, 'b2-olist_orders_dataset.csv', header, lines.slice(3999)), payments]);
    const union = await openStore();
    await importPreset(union, 'olist', [join(OLIST, 'olist_orders_dataset.csv'), payments]);
    const byChannel = (db: Database) => metricRows(testApp(db), '/api/metrics/cycle-time?groupBy=channel');
    const expected = await byChannel(union);
    expect(expected.find((r) => r.group === 'boleto')?.orders).toBe(168);
    expect(expected.find((r) => r.group === 'credit_card')?.orders).toBe(769);
    expect(await byChannel(batched)).toEqual(expected);
    expect(await answers(batched)).toEqual(await answers(union));
    await Promise.all([batched.close(), union.close()]);
  });

  test('a re-export that moves, corrects and empties stage times replaces what the older one said', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'op-olist-corrected-'));
    const { header, lines } = csv(join(OLIST, 'olist_orders_dataset.csv'));
    const col = header.split(',');
    const [approved, purchased, carrier] = ['order_approved_at', 'order_purchase_timestamp', 'order_delivered_carrier_date'].map((c) => col.indexOf(c));
    let moved = 0;
    let repurchased = 0;
    let emptied = 0;
    let cancelledTouched = 0;
    const status = col.indexOf('order_status');
    const corrected = lines.map((line, i) => {
      const cells = line.split(',');
      if ((i % 20 === 3 || i % 250 === 7 || i % 300 === 11) && ['canceled', 'unavailable'].includes(cells[status]!)) cancelledTouched++;
      if (i % 20 === 3 && cells[approved!]) {
        cells[approved!] = shifted(cells[approved!]!, 90);
        moved++;
      }
      if (i % 250 === 7 && cells[purchased!]) {
        cells[purchased!] = shifted(cells[purchased!]!, -30);
        repurchased++;
      }
      if (i % 300 === 11 && cells[carrier!]) {
        cells[carrier!] = '';
        emptied++;
      }
      return cells.join(',');
    });
    expect([moved, repurchased, emptied].every((n) => n > 30)).toBe(true);
    const others = OLIST_FILES.slice(1).map((f) => join(OLIST, f));
    const overTime = await openStore();
    await importPreset(overTime, 'olist', [join(OLIST, 'olist_orders_dataset.csv'), ...others]);
    const result = await importPreset(overTime, 'olist', [write(dir, 'olist_orders_dataset.csv', header, corrected), ...others]);
    // A moved time is one update (the 30-minute earlier purchase moves placed, and created_at); an emptied
    // cell one removal; a cancellation read from the status is timed at the order's latest time, which may move too.
    expect(result).toMatchObject({ eventsRemoved: emptied, eventsInserted: 0 });
    expect(result.eventsUpdated).toBeGreaterThanOrEqual(moved + repurchased);
    expect(result.eventsUpdated).toBeLessThanOrEqual(moved + repurchased + cancelledTouched);
    const fresh = await openStore();
    await importPreset(fresh, 'olist', [write(dir, 'olist_orders_dataset.csv', header, corrected), ...others]);
    expect(await answers(overTime)).toEqual(await answers(fresh));
    const count = `SELECT stage, count(*)::INT AS n FROM order_events GROUP BY 1 ORDER BY 1`;
    expect(await rows(overTime, count)).toEqual(await rows(fresh, count));
    await Promise.all([overTime.close(), fresh.close()]);
  });

  test('the same export again changes nothing and keeps the data version', async () => {
    const db = await openStore();
    const files = OLIST_FILES.map((f) => join(OLIST, f));
    const first = await importPreset(db, 'olist', files);
    const again = await importPreset(db, 'olist', files);
    expect(again).toMatchObject({ ordersInserted: 0, ordersUpdated: 0, ordersUnchanged: 9999, eventsInserted: 0, eventsUpdated: 0, eventsRemoved: 0 });
    expect(again.dataVersion).toBe(first.dataVersion);
    await db.close();
  });
});

describe('events re-sent', () => {
  test('a contact re-sent with corrected minutes costs the new minutes; an event_id re-sent moves its event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'op-resent-'));
    const db = await openStore();
    const app = testApp(db, { cacheMetrics: false });
    const orders = write(dir, 'orders.csv', 'order_id,channel,created_at', ['R1,jd,2025-03-01 10:00:00']);
    const events = (name: string, lines: string[]) => write(dir, name, 'order_id,channel,at,type,stage,actor,minutes,cost', lines);
    await importPreset(db, 'canonical', [orders, events('events.csv', ['R1,jd,2025-03-01 11:00:00,contact,,amy,10,'])]);
    const cost = async () => (await metricRows(app, '/api/metrics/friction-cost'))[0].contact_cost;
    expect(await cost()).toBe(10); // 10 min at 60/h
    const resent = await importPreset(db, 'canonical', [events('events-2.csv', ['R1,jd,2025-03-01 11:00:00,contact,,amy,25,'])]);
    expect(resent).toMatchObject({ eventsInserted: 0, eventsUpdated: 1 });
    expect(await cost()).toBe(25);
    expect(await rows(db, `SELECT count(*)::INT AS n FROM order_events WHERE type = 'contact'`)).toEqual([{ n: 1 }]);

    const withIds = (name: string, at: string) =>
      write(dir, name, 'event_id,order_id,channel,at,type,stage,actor,minutes,cost', [`E9,R1,jd,${at},stage,shipped,,,`]);
    const mapping = (await import('../../server/import/presets.js')).presetMapping('canonical');
    const withEventId = { ...mapping, events: { ...mapping.events!, fields: { ...mapping.events!.fields, event_id: 'event_id' } } };
    const { runImport } = await import('../../server/import/run-import.js');
    await runImport(db, { mapping: withEventId, files: [{ path: withIds('events-3.csv', '2025-03-02 10:00:00') }] });
    const moved = await runImport(db, { mapping: withEventId, files: [{ path: withIds('events-4.csv', '2025-03-03 10:00:00') }] });
    expect(moved).toMatchObject({ eventsInserted: 0, eventsUpdated: 1 });
    expect(await rows(db, `SELECT strftime("at" AT TIME ZONE 'Asia/Shanghai', '%m-%d %H:%M') AS at FROM order_events WHERE stage = 'shipped'`)).toEqual([{ at: '03-03 10:00' }]);
    await db.close();
  });
});

describe('migration 016 on a store built the old way', () => {
  test('the copies of an order that a lookup made are merged, events kept once, and the facts rebuilt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'op-migrate-016-'));
    const path = join(dir, 'old.duckdb');
    const old = await Database.open({ path, migrateUpTo: '015_duration_removed.sql' });
    // What the old importer left after olist orders alone, then again with payments: order A twice.
    await old.transaction(async (c) => {
      await c.run(`INSERT INTO orders (tenant_id, order_id, channel, created_at, amount, currency) VALUES
        ('default', 'A', 'olist', '2017-10-02 13:56:00+00', NULL, 'BRL'),
        ('default', 'B', 'olist', '2017-10-03 09:00:00+00', NULL, 'BRL'),
        ('default', 'A', 'credit_card', '2017-10-02 13:56:00+00', 99.33, 'BRL')`);
      await c.run(`INSERT INTO order_events (tenant_id, order_id, channel, "at", type, stage) VALUES
        ('default', 'A', 'olist', '2017-10-02 13:56:00+00', 'stage', 'placed'),
        ('default', 'A', 'olist', '2017-10-02 14:07:00+00', 'stage', 'paid'),
        ('default', 'B', 'olist', '2017-10-03 09:00:00+00', 'stage', 'placed'),
        ('default', 'A', 'credit_card', '2017-10-02 13:56:00+00', 'stage', 'placed'),
        ('default', 'A', 'credit_card', '2017-10-02 14:07:00+00', 'stage', 'paid'),
        ('default', 'A', 'credit_card', '2017-10-10 00:25:00+00', 'stage', 'delivered')`);
      await c.run(`INSERT INTO imports VALUES (1, 'default', now(), 'olist_orders_dataset.csv', 'olist', 2, 2, 0, 3, 0),
        (2, 'default', now(), 'olist_orders_dataset.csv, olist_order_payments_dataset.csv', 'olist', 3, 1, 0, 3, 0)`);
    });
    await old.close();
    const db = await Database.open({ path });
    expect(await rows(db, `SELECT order_id, channel, amount::DOUBLE AS amount, order_key = 'olist' || chr(31) || order_id AS keyed FROM orders ORDER BY 1`)).toEqual([
      { order_id: 'A', channel: 'credit_card', amount: 99.33, keyed: true },
      { order_id: 'B', channel: 'olist', amount: null, keyed: true },
    ]);
    expect(await rows(db, `SELECT order_id, channel, stage, origin FROM order_events ORDER BY order_id, "at"`)).toEqual([
      { order_id: 'A', channel: 'credit_card', stage: 'placed', origin: 'olist/order_purchase_timestamp' },
      { order_id: 'A', channel: 'credit_card', stage: 'paid', origin: 'olist/order_approved_at' },
      { order_id: 'A', channel: 'credit_card', stage: 'delivered', origin: 'olist/order_delivered_customer_date' },
      { order_id: 'B', channel: 'olist', stage: 'placed', origin: 'olist/order_purchase_timestamp' },
    ]);
    const cycle = await metricRows(testApp(db), '/api/metrics/cycle-time?groupBy=channel');
    expect(cycle.map((r) => [r.group, r.orders])).toEqual([['credit_card', 1]]);
    // A newer export of the same source now updates, never duplicates.
    const orders = write(dir, 'olist_orders_dataset.csv', csv(join(OLIST, 'olist_orders_dataset.csv')).header, [
      'A,c1,delivered,10/2/2017 10:56,10/2/2017 12:07,,10/9/2017 21:25,10/18/2017 0:00',
    ]);
    expect(await importPreset(db, 'olist', [orders])).toMatchObject({ ordersInserted: 0, ordersUpdated: 1 });
    expect(await rows(db, `SELECT count(*)::INT AS n FROM orders`)).toEqual([{ n: 2 }]);
    await db.close();
  });
});
