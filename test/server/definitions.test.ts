import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { importPreset, openStore, testApp } from './helpers.js';
import { metricRows } from './metrics-helpers.js';

/**
 * The definitions of sql/README.md on the cases that mislead on real data, each on a small
 * hand-worked fixture (times in the store's zone, Asia/Shanghai).
 */

const dir = mkdtempSync(join(tmpdir(), 'op-definitions-'));
function write(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('stuck-orders', () => {
  let db: Database;
  let app: ReturnType<typeof testApp>;
  beforeAll(async () => {
    db = await openStore();
    const orders = write('orders.csv', [
      'order_id,channel,created_at',
      // S4 before S3: the tie between them is broken by id, not by the file's order.
      'S4,tmall,2025-03-01 09:00:00',
      'S3,tmall,2025-03-01 09:00:00',
      'S1,tmall,2025-03-01 10:00:00',
      'S2,tmall,2025-03-01 10:00:00',
    ]);
    const events = write('events.csv', [
      'order_id,channel,at,type,stage',
      // S1 delivered at noon; its carrier scan came the next day.
      'S1,tmall,2025-03-01 12:00:00,stage,delivered',
      'S1,tmall,2025-03-02 10:00:00,stage,shipped',
      // S2 shipped at 14:00; its payment was recorded after.
      'S2,tmall,2025-03-01 14:00:00,stage,shipped',
      'S2,tmall,2025-03-01 16:00:00,stage,paid',
    ]);
    await importPreset(db, 'canonical', [orders, events]);
    app = testApp(db);
  });
  afterAll(() => db.close());

  test('a delivered order is settled whatever its other timestamps; an order waits in the furthest stage it reached', async () => {
    // As of 3 March 10:00: S1 delivered (it showed as "shipped, 24 h"); S2 in shipped since 14:00
    // the day before, 44 h (it showed as "paid, 42 h"); S3 and S4 placed 49 h ago.
    expect(await metricRows(app, '/api/metrics/stuck-orders?asOf=2025-03-03T10:00:00')).toEqual([
      { stage: 'placed', stage_index: 1, group: null, age_bucket: '1-3d', age_index: 3, orders: 2, mean_age_hours: 49, max_age_hours: 49, oldest_order_id: 'S3' },
      { stage: 'shipped', stage_index: 7, group: null, age_bucket: '1-3d', age_index: 3, orders: 1, mean_age_hours: 44, max_age_hours: 44, oldest_order_id: 'S2' },
    ]);
  });

  test('as of a time between their stages, from the stages reached by then', async () => {
    // 1 March 15:00: S1 delivered at noon, settled; S2 shipped an hour ago (paid comes later).
    expect(await metricRows(app, '/api/metrics/stuck-orders?asOf=2025-03-01T15:00:00')).toEqual([
      { stage: 'placed', stage_index: 1, group: null, age_bucket: '4-24h', age_index: 2, orders: 2, mean_age_hours: 6, max_age_hours: 6, oldest_order_id: 'S3' },
      { stage: 'shipped', stage_index: 7, group: null, age_bucket: '<4h', age_index: 1, orders: 1, mean_age_hours: 1, max_age_hours: 1, oldest_order_id: 'S2' },
    ]);
  });
});

describe('stage-breakdown', () => {
  test('a skip-step one order took is not the bottleneck; each step says how many stages it skips', async () => {
    const db = await openStore();
    // Eleven orders placed → paid (1 h) → shipped (2 h) → delivered (24 h); one placed → delivered in 500 h.
    const ids = Array.from({ length: 11 }, (_, i) => `R${String(i + 1).padStart(2, '0')}`);
    const orders = write('bottleneck-orders.csv', ['order_id,channel,created_at', ...ids.map((id) => `${id},tmall,2025-03-01 00:00:00`), 'X,tmall,2025-03-01 00:00:00']);
    const events = write('bottleneck-events.csv', [
      'order_id,channel,at,type,stage',
      ...ids.flatMap((id) => [`${id},tmall,2025-03-01 01:00:00,stage,paid`, `${id},tmall,2025-03-01 03:00:00,stage,shipped`, `${id},tmall,2025-03-02 03:00:00,stage,delivered`]),
      'X,tmall,2025-03-21 20:00:00,stage,delivered',
    ]);
    await importPreset(db, 'canonical', [orders, events]);
    const rows = await metricRows(testApp(db), '/api/metrics/stage-breakdown');
    expect(rows.map((r) => [r.from_stage, r.to_stage, r.skipped_stages, r.orders, r.p50_hours, r.is_bottleneck])).toEqual([
      ['placed', 'paid', 0, 11, 1, false],
      // One order in twelve: below a tenth of the most-travelled step's 11, so not the bottleneck at 500 h.
      ['placed', 'delivered', 6, 1, 500, false],
      ['paid', 'shipped', 4, 11, 2, false],
      ['shipped', 'delivered', 0, 11, 24, true],
    ]);
    await db.close();
  });
});

describe('money', () => {
  test('returned in cents, rounded once at the end: 0.10 + 0.20 of expedites is 0.3, not 0.30000000000000004', async () => {
    const db = await openStore();
    const orders = write('money-orders.csv', ['order_id,channel,created_at', 'M1,tmall,2025-03-01 09:00:00']);
    const events = write('money-events.csv', ['order_id,channel,at,type,stage,actor,minutes,cost', 'M1,tmall,2025-03-01 10:00:00,expedite,,,,0.10', 'M1,tmall,2025-03-01 11:00:00,expedite,,,,0.20']);
    await importPreset(db, 'canonical', [orders, events]);
    const res = await testApp(db).request('/api/metrics/friction-cost');
    const [row] = (await res.json()).rows;
    expect([row.total_cost, row.cost_per_order, row.expedite_cost]).toEqual([0.3, 0.3, 0.3]);
    await db.close();
  });

  test('amounts in two currencies are never added: the money metrics ask which, and add that one', async () => {
    const db = await openStore();
    const orders = write('currency-orders.csv', [
      'order_id,channel,created_at,amount,currency',
      'C1,tmall,2025-03-01 09:00:00,100.00,CNY',
      'C2,tmall,2025-03-01 10:00:00,300.00,CNY',
      'U1,shopify,2025-03-01 11:00:00,50.00,USD',
    ]);
    const events = write('currency-events.csv', [
      'order_id,channel,at,type,stage,actor,minutes,cost',
      'C1,tmall,2025-03-01 12:00:00,expedite,,,,20.00',
      'U1,shopify,2025-03-01 12:00:00,expedite,,,,7.00',
      'C2,tmall,2025-03-02 12:00:00,stage,returned,,,',
    ]);
    await importPreset(db, 'canonical', [orders, events]);
    const app = testApp(db);
    const get = async (url: string) => {
      const res = await app.request(url);
      return { status: res.status, body: await res.json() };
    };
    for (const metric of ['friction-cost', 'friction-pareto', 'promotion-roi', 'roi-compare?baselineFrom=2025-02-01&baselineTo=2025-03-01']) {
      const { status, body } = await get(`/api/metrics/${metric}`);
      expect([status, body.error?.code], metric).toEqual([400, 'several_currencies']);
      expect(body.error.message, metric).toContain('2 currencies (CNY, USD)');
    }
    const cny = await get('/api/metrics/friction-cost?currency=cny');
    expect(cny.body.params.currency).toBe('CNY');
    // C1 and C2: 20 of expedites over 2 orders.
    expect(cny.body.rows.map((r: any) => [r.orders, r.total_cost, r.cost_per_order])).toEqual([[2, 20, 10]]);
    const usd = await get('/api/metrics/friction-cost?currency=USD');
    expect(usd.body.rows.map((r: any) => [r.orders, r.total_cost])).toEqual([[1, 7]]);
    // Net revenue leaves out the returned C2, and the refund/return rate counts it: 1 of 2.
    const roi = await get('/api/metrics/roi-compare?baselineFrom=2025-02-01&baselineTo=2025-03-01&currency=CNY');
    const kpi = (name: string) => roi.body.rows.find((r: any) => r.kpi === name).current;
    expect([kpi('orders'), kpi('revenue'), kpi('refund_rate')]).toEqual([2, 100, 0.5]);
    const unknown = await get('/api/metrics/friction-cost?currency=EUR');
    expect([unknown.status, unknown.body.error.message]).toEqual([400, "currency: no order is in 'EUR'; the orders' currencies are CNY, USD"]);
    // A metric that adds no money needs no currency.
    expect((await get('/api/metrics/cycle-time')).status).toBe(200);
    await db.close();
  });
});

describe('time precision', () => {
  // An export whose every time is a date: orders created, paid and shipped on whole days.
  let db: Database;
  let app: ReturnType<typeof testApp>;
  beforeAll(async () => {
    db = await openStore();
    const orders = write('dated-orders.csv', [
      'order_id,channel,created_at,amount,currency',
      'D1,shop,2025-03-01,10,CNY',
      'D2,shop,2025-03-03,10,CNY',
      'D3,shop,2025-03-05,10,CNY',
    ]);
    const events = write('dated-events.csv', [
      'order_id,channel,at,type,stage',
      'D1,shop,2025-03-02,stage,paid',
      'D1,shop,2025-03-04,stage,shipped',
      'D2,shop,2025-03-03,stage,paid',
      'D2,shop,2025-03-05,stage,shipped',
      'D3,shop,2025-03-05,stage,paid',
    ]);
    await importPreset(db, 'canonical', [orders, events]);
    app = testApp(db);
  });
  afterAll(() => db.close());

  const answer = async (url: string) => {
    const res = await app.request(url);
    return { status: res.status, body: await res.json() };
  };

  test('stuck orders wait whole days, and the buckets under a day are one (<1d)', async () => {
    // As of the latest date, 5 March: D1 shipped on the 4th (1 day), D2 shipped and D3 paid that day.
    const { body } = await answer('/api/metrics/stuck-orders');
    expect(body.meta.precision).toBe('day');
    expect(body.rows.map((r: any) => [r.stage, r.age_bucket, r.orders, r.max_age_hours, r.oldest_order_id])).toEqual([
      ['paid', '<1d', 1, 0, 'D3'],
      ['shipped', '<1d', 1, 0, 'D2'],
      ['shipped', '1-3d', 1, 24, 'D1'],
    ]);
    // As of the 5th at 18:00 still whole days: no invented hours.
    const later = await answer('/api/metrics/stuck-orders?asOf=2025-03-05T18:00:00');
    expect(later.body.rows.map((r: any) => r.max_age_hours)).toEqual([0, 0, 24]);
  });

  test('surge alerts are refused: there is no hour to count orders in', async () => {
    const { status, body } = await answer('/api/metrics/surge-alerts');
    expect(status).toBe(400);
    expect(body.error.code).toBe('dates_only');
    expect(body.error.message).toContain('carry dates only');
  });

  test('durations say they are days; metrics that need no time of day say nothing', async () => {
    for (const metric of ['cycle-time?toStage=shipped', 'first-response', 'stage-breakdown', 'channel-funnel?steps=placed,paid,shipped']) {
      expect((await answer(`/api/metrics/${metric}`)).body.meta.precision, metric).toBe('day');
    }
    // placed → shipped: D1 3 days, D2 2 days.
    expect((await answer('/api/metrics/cycle-time?toStage=shipped')).body.rows[0]).toMatchObject({ orders: 2, mean_hours: 60, max_hours: 72 });
    expect((await answer('/api/metrics/friction-cost')).body.meta.precision).toBeUndefined();
  });

  test('timed data says time', async () => {
    const timed = await openStore();
    await importPreset(timed, 'canonical', [
      write('timed-orders.csv', ['order_id,channel,created_at,amount,currency', 'T1,shop,2025-03-01 09:15:00,10,CNY']),
      write('timed-events.csv', ['order_id,channel,at,type,stage', 'T1,shop,2025-03-01 11:40:00,stage,paid']),
    ]);
    const res = await testApp(timed).request('/api/metrics/stuck-orders');
    expect((await res.json()).meta.precision).toBe('time');
    await timed.close();
  });
});
