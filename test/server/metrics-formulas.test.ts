import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { generateDemoData } from '../../server/demo/generate-demo-data.js';
import { METRIC_NAMES } from '../../server/metrics/catalog.js';
import { importPreset, openStore, rows, testApp } from './helpers.js';

describe('improvement %, the formula of roi-compare (op_improvement_pct)', () => {
  test('reproduces the Background table of DOMAIN.md', async () => {
    const db = await openStore();
    const table = await rows(
      db,
      `SELECT pain, round(op_improvement_pct(baseline, current, higher), 1) AS pct FROM (VALUES
         ('first response hours', 9.6, 3.5, false),
         ('friction cost per order', 186.4, 104.1, false),
         ('orders per clerk per day', 860, 2140, true),
         ('inventory turnover days', 127, 89, false),
         ('hours to merge channels', 72, 0.3, false)
       ) t(pain, baseline, current, higher)`,
    );
    // 72 h → 18 min = 0.3 h
    expect(table.map((r) => [r.pain, r.pct])).toEqual([
      ['first response hours', 63.5],
      ['friction cost per order', 44.2],
      ['orders per clerk per day', 148.8],
      ['inventory turnover days', 29.9],
      ['hours to merge channels', 99.6],
    ]);
    const [edge] = await rows(db, `SELECT op_improvement_pct(0, 5, true) AS zero, op_improvement_pct(NULL, 5, false) AS missing, op_improvement_pct(10, 12, false) AS worse`);
    expect(edge).toEqual({ zero: null, missing: null, worse: -20 });
    await db.close();
  });
});

describe('buckets by integer arithmetic (op_bucket, op_bucket_start, op_local_hour)', () => {
  test('give the same day, ISO week, month and hour as date_trunc, before 1970 and at month, year and leap-day edges', async () => {
    const db = await openStore();
    // Every 7 h 13 min 17 s from 1969-11-20 to 2029-03-05 (71,970 wall times), plus 7 edge instants.
    const [row] = await rows(
      db,
      `WITH ts AS (
         SELECT unnest(generate_series(TIMESTAMP '1969-11-20 00:00:00', TIMESTAMP '2029-03-05', INTERVAL '7 hours 13 minutes 17 seconds')) AS t
         UNION ALL SELECT unnest([TIMESTAMP '1969-12-31 23:59:59.999999', TIMESTAMP '1970-01-01', TIMESTAMP '1970-01-04 23:59:59',
           TIMESTAMP '1970-01-05', TIMESTAMP '2024-02-29 23:59:59.999999', TIMESTAMP '2024-12-30', TIMESTAMP '2026-12-31 23:59:59'])
       ), units AS (SELECT unnest(['day', 'week', 'month']) AS unit)
       SELECT count(*)::INTEGER AS checked,
         count(*) FILTER (op_bucket_start(op_bucket(t, unit), unit) IS DISTINCT FROM date_trunc(unit, t))::INTEGER AS differ,
         count(*) FILTER (op_local_hour(t) IS DISTINCT FROM date_trunc('hour', t) AND unit = 'day')::INTEGER AS hours_differ,
         count(*) FILTER (op_bucket(t, NULL) IS NOT NULL)::INTEGER AS not_null
       FROM ts CROSS JOIN units`,
    );
    expect(row).toEqual({ checked: 3 * (71_970 + 7), differ: 0, hours_differ: 0, not_null: 0 });
    await db.close();
  });
});

describe('buckets in a zone other than the tenant\'s (op_zone_offsets)', () => {
  // Orders every 7 min 13 s over two days around each zone's awkward instants: New York's DST start
  // and end, Lord Howe's half-hour DST end, Kathmandu's +5:45 midnight at a month's end, and
  // Monrovia's -0:44:30 (an offset with seconds) at a month's end in 1971.
  const windows: [string, string][] = [
    ['America/New_York', '2025-03-08T12:00:00Z'],
    ['America/New_York', '2025-11-01T12:00:00Z'],
    ['Australia/Lord_Howe', '2025-04-04T12:00:00Z'],
    ['Asia/Kathmandu', '2025-05-30T12:00:00Z'],
    ['Africa/Monrovia', '1971-02-27T12:00:00Z'],
  ];
  const instants = windows.flatMap(([, start]) => Array.from({ length: 400 }, (_, i) => new Date(Date.parse(start) + i * 433_000)));
  // The three instants each side of Monrovia's midnight, to the second.
  instants.push(new Date('1971-03-01T00:44:29Z'), new Date('1971-03-01T00:44:30Z'), new Date('1971-03-01T00:44:31Z'));
  /** The local day, ISO week (its Monday) and month of an instant, by the JavaScript engine's own zone rules. */
  const localDay = (t: Date, tz: string) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);
  const bucketOf = (t: Date, tz: string, unit: string) => {
    const day = localDay(t, tz);
    if (unit === 'day') return day;
    if (unit === 'month') return `${day.slice(0, 7)}-01`;
    const d = new Date(`${day}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    return d.toISOString().slice(0, 10);
  };

  test("give every order the local day, week and month the zone's rules give it, in every metric that buckets by them", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'op-zones-'));
    const lines = instants.map((t, i) => `Z${i},tmall,${t.toISOString()},1,CNY`);
    writeFileSync(join(dir, 'orders.csv'), ['order_id,channel,created_at,amount,currency', ...lines].join('\n'));
    // Each paid an hour later, for cycle-time.
    const paid = instants.map((t, i) => `Z${i},tmall,${new Date(t.getTime() + 3_600_000).toISOString()},stage,paid`);
    writeFileSync(join(dir, 'events.csv'), ['order_id,channel,at,type,stage', ...paid].join('\n'));
    const db = await openStore();
    await importPreset(db, 'canonical', [join(dir, 'orders.csv'), join(dir, 'events.csv')]);
    const app = testApp(db);
    for (const tz of [...new Set(windows.map(([zone]) => zone))]) {
      for (const unit of ['day', 'week', 'month']) {
        const expected = new Map<string, number>();
        for (const t of instants) expected.set(bucketOf(t, tz, unit), (expected.get(bucketOf(t, tz, unit)) ?? 0) + 1);
        for (const metric of ['friction-cost', 'first-response', 'cycle-time?toStage=paid']) {
          const body = await (await app.request(`/api/metrics/${metric}${metric.includes('?') ? '&' : '?'}interval=${unit}&tz=${tz}`)).json();
          const got = new Map<string, number>(body.rows.map((r: any) => [String(r.bucket).slice(0, 10), r.orders]));
          expect({ tz, unit, metric, buckets: Object.fromEntries(got) }).toEqual({ tz, unit, metric, buckets: Object.fromEntries([...expected].sort()) });
        }
      }
    }
    await db.close();
  });
});

describe('surge-alerts', () => {
  const storeOf = async (lines: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'op-surge-'));
    writeFileSync(join(dir, 'orders.csv'), ['order_id,channel,created_at,amount,currency', ...lines].join('\n'));
    const db = await openStore();
    await importPreset(db, 'canonical', [join(dir, 'orders.csv')]);
    const app = testApp(db);
    return { db, alerts: async (query: string) => (await (await app.request(`/api/metrics/surge-alerts${query}`)).json()).rows };
  };

  test('an hour above 4× the trailing 24-hour average (empty hours count as zero) is flagged, whatever the range', async () => {
    // wechat: one order an hour on 1 May (00:00-23:00, Shanghai) except 05:00, which has none;
    // then 2 May 00:00 has 5 orders: trailing average 23 / 24, floored at 1 → 5 > 4 × 1, flagged.
    // 2 May 01:00 has 4: the trailing 24 h hold 22 + 5 = 27 orders → 1.125 average, 4 < 4.5 → not flagged.
    const lines: string[] = [];
    let n = 0;
    const add = (time: string, count: number) => {
      for (let i = 0; i < count; i++) lines.push(`W${++n},wechat,${time},1,CNY`);
    };
    for (let h = 0; h < 24; h++) if (h !== 5) add(`2025-05-01 ${String(h).padStart(2, '0')}:10:00`, 1);
    add('2025-05-02 00:20:00', 5);
    add('2025-05-02 01:30:00', 4);
    const { db, alerts } = await storeOf(lines);
    const flagged = { channel: 'wechat', hour: '2025-05-02T00:00:00+08:00', orders: 5, trailing_avg: 23 / 24, ratio: 5 / (23 / 24), surge: true };
    expect(await alerts('?minOrders=3')).toEqual([flagged]);
    // The baseline reads the day before the range, so the alert does not depend on where it starts.
    expect(await alerts('?minOrders=3&from=2025-05-02')).toEqual([flagged]);
    expect(await alerts('?minOrders=3&from=2025-05-02T00:00:00%2B08:00&to=2025-05-02T00:30:00%2B08:00')).toEqual([flagged]);
    expect(await alerts('?minOrders=6')).toEqual([]);
    // hours=all: the channel's other hours with orders too, unflagged, to draw the surge against:
    // 23 hours of 1 May (05:00 had none), the surge, and 01:00 with 4 orders over 27 / 24.
    const all = await alerts('?minOrders=3&hours=all');
    expect(all).toHaveLength(25);
    expect(all.filter((r: any) => r.surge)).toEqual([flagged]);
    expect(all.find((r: any) => r.hour === '2025-05-02T01:00:00+08:00')).toEqual({ channel: 'wechat', hour: '2025-05-02T01:00:00+08:00', orders: 4, trailing_avg: 27 / 24, ratio: 4 / (27 / 24), surge: false });
    expect(all.find((r: any) => r.hour === '2025-05-01T05:00:00+08:00')).toBeUndefined();
    // Without a surge in the range, no hours at all.
    expect(await alerts('?minOrders=6&hours=all')).toEqual([]);
    // A lower factor also flags 01:00 (4 > 3 × 1.125).
    expect((await alerts('?minOrders=3&factor=3')).map((r: any) => r.hour)).toEqual(['2025-05-02T00:00:00+08:00', '2025-05-02T01:00:00+08:00']);
    // Exceeding means more than: 01:00 is exactly 4 / 1.125 = 3.5556 × its average.
    expect((await alerts(`?minOrders=3&factor=${4 / 1.125}`)).map((r: any) => r.hour)).toEqual(['2025-05-02T00:00:00+08:00']);
    await db.close();
  });

  test('hours are real (UTC) hours: a flat channel raises nothing across clock changes, and a repeated local hour is two hours', async () => {
    // One order every UTC hour around Berlin's spring (30 March, 01:00 UTC) and autumn (26 October,
    // 01:00 UTC) changes; by local wall hours the spring day had one hour fewer and autumn's 02:00 two orders.
    const lines: string[] = [];
    let n = 0;
    for (const start of [Date.UTC(2025, 2, 28), Date.UTC(2025, 9, 24)]) {
      for (let h = 0; h < 96; h++) lines.push(`F${++n},flat,${new Date(start + h * 3_600_000 + 600_000).toISOString()},1,EUR`);
    }
    // And 10 more orders in each of the two UTC hours that Berlin calls 02:00-03:00 on 26 October.
    for (const hour of ['2025-10-26T00:40:00Z', '2025-10-26T01:40:00Z']) for (let i = 0; i < 10; i++) lines.push(`S${++n},spiky,${hour},1,EUR`);
    const { db, alerts } = await storeOf(lines);
    expect(await alerts('?minOrders=1&factor=1.01&channel=flat&tz=Europe/Berlin')).toEqual([]);
    // spiky has no history: its hours need more than 4 orders (the floor) and 5 (minOrders).
    expect(await alerts('?minOrders=5&channel=spiky&tz=Europe/Berlin')).toEqual([
      { channel: 'spiky', hour: '2025-10-26T02:00:00+02:00', orders: 10, trailing_avg: 0, ratio: null, surge: true },
      { channel: 'spiky', hour: '2025-10-26T02:00:00+01:00', orders: 10, trailing_avg: 10 / 24, ratio: 24, surge: true },
    ]);
    // hours=all adds the hours of channels that surged only: flat's 192 hours stay out.
    expect((await alerts('?minOrders=5&tz=Europe/Berlin&hours=all')).map((r: any) => r.channel)).toEqual(['spiky', 'spiky']);
    // 10 orders after a quiet day are not above 10 × the floor.
    expect(await alerts('?minOrders=5&channel=spiky&factor=10')).toEqual([]);
    await db.close();
  });
});

describe('the demo data answers every metric', () => {
  test('npm start seeds data on which each metric returns rows', async () => {
    const db = await openStore();
    await generateDemoData(db, { orders: 3000, seed: 1 });
    const app = testApp(db);
    for (const name of METRIC_NAMES) {
      const query = name === 'roi-compare' ? '?baselineFrom=2025-01-01&baselineTo=2025-07-01&to=2026-01-01' : '';
      const res = await app.request(`/api/metrics/${name}${query}`);
      expect(res.status, name).toBe(200);
      expect((await res.json()).rows.length, name).toBeGreaterThan(0);
    }
    // The go-live story: first response and friction drop after 1 July.
    const roi = (await (await app.request('/api/metrics/roi-compare?baselineFrom=2025-01-01&baselineTo=2025-07-01&to=2026-01-01')).json()).rows;
    const kpi = (name: string) => roi.find((r: any) => r.kpi === name);
    expect(kpi('first_response_hours').improvement_pct).toBeGreaterThan(50);
    expect(kpi('friction_cost_per_order').improvement_pct).toBeGreaterThan(30);
    expect(kpi('orders_per_actor_day').improvement_pct).toBeGreaterThan(40);
    // Douyin's worst step is paid → shipped, losing about 19 %.
    const funnel = (await (await app.request('/api/metrics/channel-funnel?channel=douyin')).json()).rows;
    const worst = funnel.find((r: any) => r.is_worst_step);
    expect(worst.step).toBe('shipped');
    expect(worst.drop_off_rate).toBeGreaterThan(0.15);
    expect(worst.drop_off_rate).toBeLessThan(0.23);
    const surges = (await (await app.request('/api/metrics/surge-alerts')).json()).rows;
    expect(surges.map((r: any) => r.channel)).toEqual(['douyin', 'douyin', 'douyin']);
    await db.close();
  });
});
