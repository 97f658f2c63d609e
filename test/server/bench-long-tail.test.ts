/**
 * The long-tail bench's flat baselines answer the same questions as the service: on a small demo
 * store, every cycle-time variant's flat SQL gives the same orders and mean per group.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildFlatTable, variants } from '../../bench/long-tail.js';
import type { Database } from '../../server/db/database.js';
import { generateDemoData } from '../../server/demo/generate-demo-data.js';
import { openStore, testApp } from './helpers.js';

let db: Database;
beforeAll(async () => {
  db = await openStore();
  await generateDemoData(db, { orders: 3000, seed: 2 });
  await buildFlatTable(db);
});
afterAll(() => db.close());

test('every cycle-time variant: the flat baseline counts the same orders, with the same mean, per group', async () => {
  const app = testApp(db);
  const checked = variants().filter((v) => v.url.includes('/cycle-time?'));
  expect(checked.length).toBeGreaterThanOrEqual(36);
  for (const v of checked) {
    const body = await (await app.request(v.url)).json();
    const flat = await db.query(v.flat);
    // A group's value, or a month bucket as YYYY-MM (the flat SQL's wall time, the service's instant in its zone).
    const key = (r: Record<string, unknown>) => (r.bucket_ ? String(r.bucket_).slice(0, 7) : String(r.channel ?? r.sku_series ?? r.region ?? r.customer_tier ?? r.promotion_id ?? ''));
    const flatBy = new Map(flat.map((r) => [key(r), r]));
    const service = body.rows.filter((r: any) => r.orders > 0);
    expect(service.length, v.name).toBe(flat.length);
    for (const r of service) {
      const f = flatBy.get(r.bucket ? r.bucket.slice(0, 7) : String(r.group ?? ''));
      expect(f, `${v.name} ${r.group ?? r.bucket}`).toBeDefined();
      expect(Number(f!.orders), `${v.name} ${r.group}`).toBe(r.orders);
      expect(Math.abs(Number(f!.mean_us) / 3.6e9 - r.mean_hours), `${v.name} ${r.group}`).toBeLessThan(1e-9 * Math.max(1, r.mean_hours));
    }
  }
});

test('every funnel variant: the flat baseline has the same orders, in flight and median per channel and step', async () => {
  const app = testApp(db);
  const checked = variants().filter((v) => v.url.includes('/channel-funnel'));
  expect(checked.length).toBe(5);
  for (const v of checked) {
    const rows = (await (await app.request(v.url)).json()).rows as Record<string, any>[];
    const flat = new Map((await db.query(v.flat)).map((r) => [r.channel as string, r]));
    expect(flat.size, v.name).toBe(new Set(rows.map((r) => r.group)).size);
    for (const r of rows) {
      const f = flat.get(r.group)!;
      const k = r.step_index;
      expect(Number(f[`o${k}`]), `${v.name} ${r.group} ${r.step}`).toBe(r.orders);
      if (k > 1) {
        expect(Number(f[`f${k}`]), `${v.name} ${r.group} ${r.step} in flight`).toBe(r.in_flight);
        const median = f[`m${k}`] === null ? null : Number(f[`m${k}`]) / 3.6e9;
        if (median === null) expect(r.median_hours_from_previous).toBeNull();
        else expect(Math.abs(median - r.median_hours_from_previous), `${v.name} ${r.group} ${r.step} median`).toBeLessThan(1e-9 * Math.max(1, median));
      }
    }
  }
});
