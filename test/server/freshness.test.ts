/**
 * freshness and meta.dataUpdatedAt over imports made at known times (runImport's importedAt): the
 * last import per source and channel, its newest order's age, and merge latency (first seen − placed).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { generateDemoData } from '../../server/demo/generate-demo-data.js';
import { presetMapping } from '../../server/import/presets.js';
import { runImport } from '../../server/import/run-import.js';
import { ADMIN, openStore, testApp } from './helpers.js';
import { getJson, metricRows } from './metrics-helpers.js';

/** Writes orders CSVs (order_id, channel, created_at, amount) to a new directory, as runImport reads them. */
function ordersFiles(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return (name: string, lines: string[]) => {
    writeFileSync(join(dir, name), ['order_id,channel,created_at,amount', ...lines].join('\n'));
    return { path: join(dir, name), name: 'orders.csv' };
  };
}

describe('freshness on imports made at known times', () => {
  let db: Database;
  let app: ReturnType<typeof testApp>;
  beforeAll(async () => {
    db = await openStore();
    const file = ordersFiles('op-fresh-');
    const mapping = presetMapping('canonical');
    // 1 May 12:00 UTC: two tmall orders of that morning, an offline order two days old.
    await runImport(db, { mapping, files: [file('a.csv', ['A1,tmall,2025-05-01T10:00:00Z,10', 'A2,tmall,2025-05-01T11:30:00Z,20', 'B1,offline,2025-04-29T08:00:00Z,30'])], importedAt: new Date('2025-05-01T12:00:00Z') });
    // 2 May 12:00: a new tmall order, and A1 corrected (it was first seen the day before).
    await runImport(db, { mapping, files: [file('b.csv', ['A1,tmall,2025-05-01T10:00:00Z,11', 'A3,tmall,2025-05-02T11:00:00Z,40'])], importedAt: new Date('2025-05-02T12:00:00Z') });
    app = testApp(db);
  });
  afterAll(() => db.close());

  test('per source and channel: last import, newest order and its age, merge latency median and p95', async () => {
    expect(await metricRows(app, '/api/metrics/freshness?asOf=2025-05-02T18:00:00Z&tz=UTC')).toEqual([
      // B1 reached the store 52 h after it was placed; the offline source has not sent anything since.
      // Nothing for 30 h, where a day is expected (the default): late.
      { source: 'canonical', channel: 'offline', bucket: null, status: 'late', expected_interval_hours: 24, last_import_at: '2025-05-01T12:00:00+00:00', newest_order_at: '2025-04-29T08:00:00+00:00', newest_order_age_hours: 82, orders: 1, merge_p50_hours: 52, merge_p95_hours: 52 },
      // A1 2 h, A2 0.5 h, A3 1 h: median 1, p95 1 + 0.9 × (2 − 1).
      { source: 'canonical', channel: 'tmall', bucket: null, status: 'fresh', expected_interval_hours: 24, last_import_at: '2025-05-02T12:00:00+00:00', newest_order_at: '2025-05-02T11:00:00+00:00', newest_order_age_hours: 7, orders: 3, merge_p50_hours: 1, merge_p95_hours: 1.9 },
    ]);
  });

  test('as of before the second import: what was there then', async () => {
    const rows = await metricRows(app, '/api/metrics/freshness?asOf=2025-05-01T13:00:00Z&tz=UTC&channel=tmall');
    expect(rows).toEqual([
      { source: 'canonical', channel: 'tmall', bucket: null, status: 'fresh', expected_interval_hours: 24, last_import_at: '2025-05-01T12:00:00+00:00', newest_order_at: '2025-05-01T11:30:00+00:00', newest_order_age_hours: 1.5, orders: 2, merge_p50_hours: 1.25, merge_p95_hours: 1.925 },
    ]);
  });

  test("a source expected every 48 h (settings sourceIntervalHours) is fresh 30 h after its import", async () => {
    const admin = { ...ADMIN, 'Content-Type': 'application/json' };
    const put = await app.request('/api/settings', { method: 'PUT', headers: admin, body: JSON.stringify({ sourceIntervalHours: { canonical: 48 } }) });
    expect(put.status).toBe(200);
    const rows = await metricRows(app, '/api/metrics/freshness?asOf=2025-05-02T18:00:00Z&tz=UTC&channel=offline');
    expect(rows.map((r) => [r.status, r.expected_interval_hours])).toEqual([['fresh', 48]]);
    const bad = await app.request('/api/settings', { method: 'PUT', headers: admin, body: JSON.stringify({ sourceIntervalHours: { canonical: -1 } }) });
    expect(bad.status).toBe(400);
    await app.request('/api/settings', { method: 'PUT', headers: admin, body: JSON.stringify({ sourceIntervalHours: {} }) });
  });

  test('without asOf, the current minute: a second request within it is answered from the cache', async () => {
    const first = await getJson(app, '/api/metrics/freshness');
    const second = await getJson(app, '/api/metrics/freshness');
    expect(first.body.params.asOf).toMatch(/T\d\d:\d\d:00\+08:00$/);
    // Across a minute's turn the two differ, and the second is computed anew.
    expect(second.body.meta.cached).toBe(first.body.params.asOf === second.body.params.asOf);
  });

  test('by day of placement', async () => {
    const rows = await metricRows(app, '/api/metrics/freshness?asOf=2025-05-02T18:00:00Z&tz=UTC&channel=tmall&interval=day');
    expect(rows.map((r) => [r.bucket, r.orders, r.merge_p50_hours])).toEqual([
      ['2025-05-01T00:00:00+00:00', 2, 1.25],
      ['2025-05-02T00:00:00+00:00', 1, 1],
    ]);
  });

  test("a locked token's freshness counts its own orders: the newest and the latencies are of its channel only", async () => {
    const admin = testApp(db, { publicMetrics: false });
    const minted = await admin.request('/api/embed-tokens', { method: 'POST', headers: ADMIN, body: JSON.stringify({ filters: { channel: ['offline'] } }) });
    const { token } = await minted.json();
    const res = await admin.request('/api/metrics/freshness?asOf=2025-05-02T18:00:00Z&tz=UTC', { headers: { Authorization: `Bearer ${token}` } });
    expect((await res.json()).rows.map((r: any) => [r.channel, r.orders, r.newest_order_at])).toEqual([['offline', 1, '2025-04-29T08:00:00+00:00']]);
  });

  test("every answer's meta says when its scope's data was last imported", async () => {
    const offline = await getJson(app, '/api/metrics/cycle-time?channel=offline');
    expect(offline.body.meta.dataUpdatedAt).toBe('2025-05-01T12:00:00.000Z');
    const all = await getJson(app, '/api/metrics/cycle-time');
    expect(all.body.meta.dataUpdatedAt).toBe('2025-05-02T12:00:00.000Z');
    const list = await getJson(app, '/api/orders?channel=offline');
    expect(list.body.meta.dataUpdatedAt).toBe('2025-05-01T12:00:00.000Z');
  });
});

test('demo data: merge latency drops at the go-live (1 July 2025), the ERP channels most', async () => {
  const db = await openStore();
  await generateDemoData(db, { orders: 6000, seed: 2 });
  const app = testApp(db);
  const rows = await metricRows(app, '/api/metrics/freshness?interval=month&asOf=2026-01-01');
  const median = (channel: string, before: boolean) => {
    const months = rows.filter((r) => r.channel === channel && r.bucket !== null && (r.bucket < '2025-07' === before));
    return months.reduce((n, r) => n + r.merge_p50_hours * r.orders, 0) / months.reduce((n, r) => n + r.orders, 0);
  };
  // A nightly ERP export, then hourly runs; hourly marketplace imports, then every 15 minutes.
  expect(median('offline', true)).toBeGreaterThan(8);
  expect(median('offline', false)).toBeLessThan(1.2);
  expect(median('tmall', true)).toBeGreaterThan(0.4);
  expect(median('tmall', false)).toBeLessThan(0.3);
  // Each run is an import record: tmall's last one on the last day, 18 minutes after a quarter hour.
  const tmall = rows.find((r) => r.channel === 'tmall')!;
  expect(tmall.last_import_at.slice(0, 10)).toBe('2025-12-31');
  expect(tmall.status).toBe('fresh');
  await db.close();
});

test('an order whose placement is corrected to after its arrival has a merge latency of 0, from the facts and the rollups', async () => {
  const db = await openStore();
  try {
    const file = ordersFiles('op-fresh-neg-');
    const mapping = presetMapping('canonical');
    await runImport(db, { mapping, files: [file('a.csv', ['C1,jd,2025-05-01T10:00:00Z,10', 'C2,jd,2025-05-01T09:00:00Z,10'])], importedAt: new Date('2025-05-01T12:00:00Z') });
    // C1 corrected: placed at 13:00, an hour after it first reached the store at 12:00.
    await runImport(db, { mapping, files: [file('b.csv', ['C1,jd,2025-05-01T13:00:00Z,10'])], importedAt: new Date('2025-05-02T12:00:00Z') });
    const url = '/api/metrics/freshness?asOf=2025-05-03T00:00:00Z';
    for (const app of [testApp(db), testApp(db, { rollups: false })]) {
      const [row] = await metricRows(app, url);
      // C1 0 h (not -1), C2 3 h: median 1.5, p95 0 + 0.95 × 3.
      expect([row.orders, row.merge_p50_hours, row.merge_p95_hours]).toEqual([2, 1.5, 2.85]);
    }
  } finally {
    await db.close();
  }
});

test("roi-compare's merge latency is the median over every source's orders, never below 0, from the facts and the rollups", async () => {
  const db = await openStore();
  try {
    const file = ordersFiles('op-merge-sources-');
    const shop = { ...presetMapping('canonical'), name: 'shop' };
    const erp = { ...presetMapping('canonical'), name: 'erp' };
    const at = (iso: string) => new Date(iso);
    // Baseline (April): S1 2 h; E1 first seen 3 h after placement, then corrected to 3 h after its arrival.
    await runImport(db, { mapping: shop, files: [file('s1.csv', ['S1,tmall,2025-04-10T10:00:00Z,10'])], importedAt: at('2025-04-10T12:00:00Z') });
    await runImport(db, { mapping: erp, files: [file('e1.csv', ['E1,tmall,2025-04-10T09:00:00Z,10'])], importedAt: at('2025-04-10T12:00:00Z') });
    await runImport(db, { mapping: erp, files: [file('e1b.csv', ['E1,tmall,2025-04-10T15:00:00Z,10'])], importedAt: at('2025-04-11T12:00:00Z') });
    // Current (May), all first seen at 11:00: shop 0.5 h and 1 h, erp 1 h 00 min 10 s, 6 h and 7 h,
    // and shop S5 placed after its arrival by a later correction (0 h). The middle two, 1 h and
    // 1 h 00 min 10 s, are one histogram bucket of two sources.
    await runImport(db, { mapping: shop, files: [file('s2.csv', ['S2,tmall,2025-05-10T10:30:00Z,10', 'S3,tmall,2025-05-10T10:00:00Z,10', 'S5,tmall,2025-05-10T10:00:00Z,10'])], importedAt: at('2025-05-10T11:00:00Z') });
    await runImport(db, { mapping: erp, files: [file('e2.csv', ['E2,tmall,2025-05-10T09:59:50Z,10', 'E3,tmall,2025-05-10T05:00:00Z,10', 'E4,tmall,2025-05-10T04:00:00Z,10'])], importedAt: at('2025-05-10T11:00:00Z') });
    await runImport(db, { mapping: shop, files: [file('s5.csv', ['S5,tmall,2025-05-10T12:00:00Z,10'])], importedAt: at('2025-05-11T11:00:00Z') });
    const url = '/api/metrics/roi-compare?baselineFrom=2025-04-01&baselineTo=2025-05-01&to=2025-06-01';
    for (const app of [testApp(db), testApp(db, { rollups: false })]) {
      const latency = (await metricRows(app, url)).find((r) => r.kpi === 'merge_latency_hours')!;
      // Baseline: 0 h and 2 h (E1's −3 h reads 0). Current: (1 h + 1 h 00 min 10 s) / 2, to 9 places.
      expect([latency.baseline, latency.current]).toEqual([1, 1.001388889]);
    }
  } finally {
    await db.close();
  }
});
