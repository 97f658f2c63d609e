/**
 * The rollups (schema/013) against the per-order facts: every scope the rollups answer must give
 * the same rows from both sources (the facts path is the metric's definition, tested on its own in
 * the fixture and Olist suites). Checked on demo data as generated, after an import that moves and
 * changes stored orders (so the rollups hold deltas taken away), after compaction, after a pipeline
 * change, and an import that changes nothing must add nothing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { createApp } from '../../server/app.js';
import type { Database } from '../../server/db/database.js';
import { generateDemoData } from '../../server/demo/generate-demo-data.js';
import { afterDeltas, compactRollups } from '../../server/import/refresh-rollups.js';
import { METRICS } from '../../server/metrics/catalog.js';
import { MetricService } from '../../server/metrics/metric-service.js';
import { readSql } from '../../server/db/sql-files.js';
import { DEFAULT_TENANT, TenantDirectory } from '../../server/tenants.js';
import { ADMIN, importPreset, openStore, rows, testApp } from './helpers.js';

/** Scopes the rollups answer: open and closed ranges, ranges that split months, channels, group-by. */
const ANSWERED: Record<string, string[]> = {
  'stage-breakdown': [
    '',
    'groupBy=channel',
    'from=2025-02-01&to=2025-05-01',
    'from=2025-02-10&to=2025-05-20&channel=tmall,jd',
    'from=2025-03-03&to=2025-03-09&groupBy=channel',
    'to=2025-04-15',
    'from=2025-09-15&channel=douyin',
  ],
  'channel-funnel': ['', 'from=2025-02-01&to=2025-05-01', 'from=2025-02-10&to=2025-02-11', 'to=2025-04-15&channel=tmall', 'from=2025-06-30'],
  'cycle-time': [
    '',
    'interval=month&groupBy=channel',
    'interval=month&from=2025-01-20&to=2025-04-10',
    'interval=week&from=2025-02-10&to=2025-05-20',
    'interval=day&from=2025-03-01&to=2025-03-15&channel=tmall',
    'groupBy=channel&from=2025-01-15',
  ],
  'first-response': ['', 'interval=month', 'interval=week&groupBy=channel&to=2025-03-01', 'from=2025-06-03&to=2025-06-04&channel=jd,douyin'],
  'friction-cost': ['', 'interval=month', 'interval=day&from=2025-03-01&to=2025-03-15&groupBy=channel'],
  throughput: ['', 'interval=month&groupBy=actor', 'interval=week&from=2025-02-10&to=2025-05-20&groupBy=channel&channel=tmall,jd'],
  'surge-alerts': ['', 'from=2025-03-01&to=2025-09-01&channel=douyin,tmall', 'factor=2&minOrders=3&to=2025-06-15', 'tz=Europe/Berlin&factor=2&minOrders=3', 'from=2025-03-01T06:00:00&factor=2&minOrders=3', 'hours=all&factor=2&minOrders=3&channel=douyin,jd'],
  'roi-compare': [
    'baselineFrom=2025-01-01&baselineTo=2025-07-01&to=2026-01-01',
    'baselineFrom=2025-01-10&baselineTo=2025-03-20&from=2025-08-01&to=2025-09-17&channel=tmall,douyin',
    'compare=channel:tmall,channel:douyin',
    'compare=channel:tmall,channel:jd&from=2025-03-01&to=2025-06-15',
  ],
  // The default "as of" (the latest event) and any later one: every decided pair is in the rollups.
  sla: [
    '',
    'interval=month',
    'interval=week&from=2025-02-10&to=2025-05-20&channel=tmall,jd',
    'interval=day&from=2025-03-01&to=2025-03-15',
    'channel=douyin&threshold=0.3',
    'tz=UTC',
    'asOf=2027-01-01T00:00:00&interval=month',
  ],
  // Every arrival by then: the default "as of" (now) and any after the latest import.
  freshness: ['', 'interval=month', 'interval=week&from=2025-03-03&to=2025-05-05&channel=tmall,offline', 'interval=day&from=2025-07-01&to=2025-07-08', 'asOf=2027-01-01T00:00:00'],
};

/** Scopes they don't: a filter on another dimension, a range inside a day, another zone, another breakdown or funnel. */
const NOT_ANSWERED: Record<string, string[]> = {
  'stage-breakdown': ['region=east', 'from=2025-02-01T06:00:00', 'from=2025-02-01&tz=UTC', 'groupBy=region'],
  'channel-funnel': ['window=7d', 'steps=placed,paid,shipped', 'skuSeries=basic-tee', 'groupBy=customer_tier'],
  'cycle-time': ['fromStage=paid', 'toStage=shipped', 'interval=month&tz=UTC', 'promotion=P1'],
  'first-response': ['region=east', 'interval=week&tz=Europe/Berlin', 'groupBy=sku_series', 'to=2025-03-01T08:00:00'],
  'friction-cost': ['groupBy=sku_series', 'from=2025-03-01T12:00:00'],
  throughput: ['tz=UTC', 'groupBy=region'],
  'surge-alerts': ['region=east', 'from=2025-03-01T06:30:00'],
  'roi-compare': [
    'baselineFrom=2025-01-01&baselineTo=2025-07-01&fromStage=paid',
    'baselineFrom=2025-01-01&baselineTo=2025-07-01&tz=UTC',
    'compare=region:east,region:west',
    'baselineFrom=2025-01-01T12:00:00&baselineTo=2025-07-01',
  ],
  // An "as of" before the latest event: pairs decided after it are not decided yet.
  freshness: ['region=east', 'interval=month&tz=UTC', 'asOf=2025-06-01T00:00:00', 'from=2025-03-01T06:00:00'],
  sla: ['region=east', 'interval=month&tz=UTC', 'tz=UTC&from=2025-06-01', 'from=2025-03-01T06:00:00', 'asOf=2025-06-01T00:00:00', 'warehouse=WH-Beijing'],
};

let db: Database;
let withRollups: ReturnType<typeof createApp>;
let factsOnly: ReturnType<typeof createApp>;

beforeAll(async () => {
  db = await openStore();
  await generateDemoData(db, { orders: 4000, seed: 7 });
  withRollups = testApp(db, { cacheMetrics: false });
  factsOnly = testApp(db, { cacheMetrics: false, rollups: false });
});
afterAll(() => db.close());

async function answer(app: ReturnType<typeof createApp>, url: string): Promise<Record<string, unknown>[]> {
  const res = await app.request(url);
  const body = (await res.json()) as { rows: Record<string, unknown>[] };
  if (res.status !== 200) throw new Error(`${url} → ${res.status} ${JSON.stringify(body)}`);
  return body.rows;
}

/** Same rows, numbers equal to 1e-12 relative (a mean is a sum divided once or summed per day first). */
function expectSameRows(actual: Record<string, unknown>[], expected: Record<string, unknown>[], url: string) {
  expect(actual.map((r) => Object.keys(r)), url).toEqual(expected.map((r) => Object.keys(r)));
  actual.forEach((row, i) => {
    for (const [key, value] of Object.entries(row)) {
      const want = expected[i]![key];
      if (typeof value === 'number' && typeof want === 'number') {
        expect(Math.abs(value - want), `${url} row ${i} ${key}: ${value} vs ${want}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));
      } else {
        expect(value, `${url} row ${i} ${key}`).toEqual(want);
      }
    }
  });
}

async function expectBothSourcesAgree() {
  for (const [metric, queries] of Object.entries(ANSWERED)) {
    for (const query of queries) {
      const url = `/api/metrics/${metric}?${query}`;
      const expected = await answer(factsOnly, url);
      expect(expected.length, url).toBeGreaterThan(0);
      expectSameRows(await answer(withRollups, url), expected, url);
    }
  }
}

describe('rollups', () => {
  test('answer exactly the scopes they can, and only those', async () => {
    const service = new MetricService(db, new TenantDirectory(db), METRICS);
    const ctx = await service.metricContext(DEFAULT_TENANT);
    const readsRollups = (metric: string, query: string) =>
      METRICS.find((m) => m.name === metric)!.resolve(Object.fromEntries(new URLSearchParams(query)), ctx).bindings.rollup!.value;
    for (const [metric, queries] of Object.entries(ANSWERED)) for (const q of queries) expect(readsRollups(metric, q), `${metric}?${q}`).toBe(true);
    for (const [metric, queries] of Object.entries(NOT_ANSWERED)) for (const q of queries) expect(readsRollups(metric, q), `${metric}?${q}`).toBe(false);
  });

  test('give the facts path’s rows on demo data as generated', async () => {
    await expectBothSourcesAgree();
  });

  test('after an import that moves a third of the orders to other days and changes their stages, and after compaction', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'op-rollups-'));
    // Two days later (another day and, near a month's end, another month), shipped an hour earlier,
    // and an exception; a stored order's old contribution must be taken away.
    await rows(
      db,
      `COPY (SELECT order_id, channel, created_at + INTERVAL 2 DAY AS created_at FROM orders WHERE hash(order_id) % 3 = 0)
       TO '${join(dir, 'moved_orders.csv')}' (HEADER)`,
    );
    await rows(
      db,
      `COPY (SELECT order_id, channel, "at" - INTERVAL 1 HOUR AS "at", type, stage, 'rework' AS actor, NULL::DOUBLE AS minutes FROM order_events
             WHERE hash(order_id) % 3 = 0 AND stage = 'shipped'
             UNION ALL
             SELECT order_id, channel, "at" + INTERVAL 5 MINUTE, 'exception', NULL, 'rework', 30 FROM order_events
             WHERE hash(order_id) % 3 = 0 AND stage = 'paid')
       TO '${join(dir, 'moved_events.csv')}' (HEADER)`,
    );
    const result = await importPreset(db, 'canonical', [join(dir, 'moved_orders.csv'), join(dir, 'moved_events.csv')]);
    expect(result.ordersUpdated).toBeGreaterThan(1000);
    const [removed] = await rows(db, 'SELECT count(*)::INT AS n FROM duration_values WHERE n < 0');
    expect(removed!.n).toBeGreaterThan(1000);
    // Exactly the keys holding a removal are marked: only they need the running count.
    const marked = `SELECT (SELECT count(DISTINCT key) FROM duration_values WHERE n < 0)::INT AS holding,
                           (SELECT count(*) FROM duration_removed)::INT AS marked,
                           (SELECT count(*) FROM duration_removed r ANTI JOIN duration_values v ON v.key = r.key AND v.n < 0)::INT AS stray`;
    const [before] = await rows(db, marked);
    expect(before).toEqual({ holding: before!.marked, marked: before!.marked, stray: 0 });
    expect(before!.marked).toBeGreaterThan(10);
    // Migration 015 marks the same keys in a store whose imports predate it.
    await db.withConnection(async (c) => {
      await c.run('DROP TABLE duration_removed');
      await c.run(readSql('schema/015_duration_removed.sql'));
    });
    expect(await rows(db, marked)).toEqual([before]);
    await expectBothSourcesAgree();

    await db.transaction((c) => compactRollups(c, DEFAULT_TENANT));
    const [left] = await rows(db, 'SELECT count(*)::INT AS n FROM duration_values WHERE n < 0');
    expect(left!.n).toBe(0);
    expect(await rows(db, marked)).toEqual([{ holding: 0, marked: 0, stray: 0 }]);
    await expectBothSourcesAgree();
  });

  test('an import that changes nothing adds no rollup rows', async () => {
    const count = async () =>
      rows(db, `SELECT (SELECT count(*) FROM duration_counts)::INT AS counts, (SELECT count(*) FROM duration_values)::INT AS values,
                       (SELECT count(*) FROM touch_counts)::INT AS touches, (SELECT count(*) FROM order_hour_counts)::INT AS hours,
                       (SELECT count(*) FROM order_day_totals)::INT AS days, (SELECT count(*) FROM sla_counts)::INT AS sla,
                       (SELECT count(*) FROM sla_minutes)::INT AS sla_minutes`);
    const dir = mkdtempSync(join(tmpdir(), 'op-rollups-'));
    await rows(db, `COPY (SELECT order_id, channel, created_at FROM orders WHERE hash(order_id) % 5 = 0) TO '${join(dir, 'same_orders.csv')}' (HEADER)`);
    const before = await count();
    const result = await importPreset(db, 'canonical', [join(dir, 'same_orders.csv')]);
    expect(result.ordersUnchanged).toBeGreaterThan(500);
    expect(await count()).toEqual(before);
  });

  test('count the orders with friction by what the settings price', async () => {
    const settings = (body: object) =>
      withRollups.request('/api/settings', { method: 'PUT', headers: { ...ADMIN, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const withFriction = async () => (await answer(withRollups, '/api/metrics/friction-cost'))[0]!.orders_with_friction;
    const all = await withFriction();
    for (const prices of [{ minutesPerDataMove: 0 }, { laborCostPerHour: 0 }]) {
      expect((await settings(prices)).status).toBe(200);
      expect(await withFriction()).toBeLessThan(all as number);
      await expectBothSourcesAgree();
    }
    expect((await settings({ minutesPerDataMove: 11, laborCostPerHour: 60 })).status).toBe(200);
    expect(await withFriction()).toBe(all);
  });

  test('follow a change of the SLA targets (the sla rollups are rebuilt against them)', async () => {
    const targets = [
      { from: 'paid', to: 'shipped', hours: 30 },
      { from: 'paid', to: 'shipped', hours: 12.5, channel: 'jd' },
      { from: 'placed', to: 'delivered', hours: 120 },
    ];
    const res = await withRollups.request('/api/settings', {
      method: 'PUT',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ slaTargets: targets }),
    });
    expect(res.status).toBe(200);
    const rowsNow = await answer(withRollups, '/api/metrics/sla');
    expect([...new Set(rowsNow.map((r) => `${r.target} ${r.target_hours}`))]).toEqual(['paid→shipped 30', 'paid→shipped 12.5', 'placed→delivered 120']);
    const [kept] = await rows(db, 'SELECT count(DISTINCT t)::INT AS targets FROM sla_counts');
    expect(kept!.targets).toBe(3);
    await expectBothSourcesAgree();

    // Targets written past the settings API (as the demo generator writes its own): the next import
    // finds other targets recorded, and rebuilds rather than adding deltas judged against them.
    await rows(db, `UPDATE tenants SET settings = json_merge_patch(settings, '{"slaTargets": [{"from": "placed", "to": "shipped", "hours": 60}]}')`);
    const dir = mkdtempSync(join(tmpdir(), 'op-rollups-'));
    await rows(db, `COPY (SELECT order_id, channel, created_at + INTERVAL 1 HOUR AS created_at FROM orders LIMIT 3) TO '${join(dir, 'few_orders.csv')}' (HEADER)`);
    expect((await importPreset(db, 'canonical', [join(dir, 'few_orders.csv')])).ordersUpdated).toBe(3);
    expect(await rows(db, 'SELECT targets FROM sla_state')).toEqual([{ targets: '[["placed","shipped",60,""]]' }]);
    expect(await rows(db, 'SELECT DISTINCT t FROM sla_counts')).toEqual([{ t: 1 }]);
    await expectBothSourcesAgree();
  });

  test('follow a pipeline change (the facts and rollups are rebuilt)', async () => {
    const res = await withRollups.request('/api/settings', {
      method: 'PUT',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ pipeline: ['placed', 'paid', 'shipped', 'delivered'] }),
    });
    expect(res.status).toBe(200);
    const steps = await answer(withRollups, '/api/metrics/stage-breakdown');
    expect(steps.map((r) => `${r.from_stage}→${r.to_stage}`)).toEqual(['placed→paid', 'paid→shipped', 'shipped→delivered']);
    await expectBothSourcesAgree();
  });
});

describe('compaction', () => {
  test('folds once the rows added since the last fold outnumber those it left and a million; a first write is already compact', () => {
    expect(afterDeltas({ compacted: 0, appended: 0 }, 5_000_000, false)).toBe('first');
    expect(afterDeltas({ compacted: 0, appended: 0 }, 5_000_000, true)).toBe('compact');
    expect(afterDeltas({ compacted: 8_000_000, appended: 7_000_000 }, 900_000, false)).toBe('append');
    expect(afterDeltas({ compacted: 8_000_000, appended: 7_000_000 }, 1_100_000, false)).toBe('compact');
    expect(afterDeltas({ compacted: 100, appended: 600_000 }, 300_000, true)).toBe('append');
    expect(afterDeltas({ compacted: 100, appended: 600_000 }, 500_000, true)).toBe('compact');
  });
});

describe('op_duration_bucket', () => {
  test('is the value itself below 64, then 32 buckets per power of two, without a gap or a step back at any power of two', async () => {
    const edges = await rows(
      db,
      `SELECT k, op_duration_bucket(x - 1, op_log2_guess(x - 1))::INT AS below, op_duration_bucket(x, op_log2_guess(x))::INT AS at
       FROM (SELECT k, 1::BIGINT << k AS x FROM range(6, 63) r(k)) ORDER BY k`,
    );
    // The largest BIGINT: 2^62 and up is the last octave.
    const [top] = await rows(db, 'SELECT op_duration_bucket(9223372036854775807, op_log2_guess(9223372036854775807))::INT AS b');
    expect(top!.b).toBe((62 - 5) * 32 + 63);
    for (const { k, below, at } of edges as { k: number; below: number; at: number }[]) {
      expect(at, `2^${k}`).toBe(below + 1);
      expect(at, `2^${k}`).toBe((k - 5) * 32 + 32);
    }
    const [small] = await rows(db, 'SELECT list(op_duration_bucket(x, op_log2_guess(x))::INT ORDER BY x) AS b FROM range(-1, 130) r(x)');
    // One value a bucket below 64 µs, then two: 64 and 65 share 64, … 126 and 127 share 95; 128 to 131 share 96.
    const below128 = Array.from({ length: 128 }, (_, i) => (i < 64 ? i : 64 + Math.floor((i - 64) / 2)));
    expect(small!.b).toEqual([-1, ...below128, 96, 96]);
  });
});
