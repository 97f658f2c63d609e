/**
 * Every metric on the hand-worked fixture in test/fixtures/metrics (times are
 * Asia/Shanghai, the store's default zone). Each expected row was worked out by
 * hand from the CSV; the comments show the working.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { ADMIN, importPreset, openStore, testApp } from './helpers.js';
import { fixtureApp, metricRows } from './metrics-helpers.js';

let db: Database;
let app: Awaited<ReturnType<typeof fixtureApp>>['app'];
beforeAll(async () => ({ db, app } = await fixtureApp()));
afterAll(() => db.close());

describe('cycle-time', () => {
  test('placed → delivered: O1 48 h, O2 72 h, O3 48 h', async () => {
    // sorted [48, 48, 72]; p90 at position 1.8 → 48 + 0.8 × 24; p95 at 1.9 → 48 + 0.9 × 24
    expect(await metricRows(app, '/api/metrics/cycle-time')).toEqual([
      { bucket: null, group: null, orders: 3, mean_hours: 56, p50_hours: 48, p90_hours: 67.2, p95_hours: 69.6, max_hours: 72, negative_gaps: 0 },
    ]);
  });

  test('stats: only the statistics asked for, the others null; from the rollups and the facts alike', async () => {
    const want = { bucket: null, group: null, orders: 3, mean_hours: null, p50_hours: 48, p90_hours: 67.2, p95_hours: null, max_hours: null, negative_gaps: 0 };
    expect(await metricRows(app, '/api/metrics/cycle-time?stats=count,p50,p90')).toEqual([want]);
    // region is not in the rollups: the facts path.
    expect(await metricRows(app, '/api/metrics/cycle-time?stats=p90,p50&region=east,west,north')).toEqual([want]);
    expect((await metricRows(app, '/api/metrics/cycle-time?stats=count'))[0]).toMatchObject({ orders: 3, mean_hours: null, p50_hours: null, max_hours: null });
    const bad = await app.request('/api/metrics/cycle-time?stats=p99');
    expect([bad.status, (await bad.json()).error.message]).toEqual([400, "stats: 'p99' is not a statistic; statistics are count, mean, p50, p90, p95, max"]);
  });

  test('by channel: jd never delivered, so it has no row', async () => {
    expect(await metricRows(app, '/api/metrics/cycle-time?groupBy=channel')).toEqual([
      { bucket: null, group: 'douyin', orders: 1, mean_hours: 48, p50_hours: 48, p90_hours: 48, p95_hours: 48, max_hours: 48, negative_gaps: 0 },
      { bucket: null, group: 'tmall', orders: 2, mean_hours: 60, p50_hours: 60, p90_hours: 69.6, p95_hours: 70.8, max_hours: 72, negative_gaps: 0 },
    ]);
  });

  test('paid → shipped: O3 shipped 1.25 h before it was paid: excluded and counted', async () => {
    // O1 09:30 → next day 09:00 = 23.5 h; O2 12:00 → 18:00 = 6 h
    expect(await metricRows(app, '/api/metrics/cycle-time?fromStage=paid&toStage=shipped')).toEqual([
      { bucket: null, group: null, orders: 2, mean_hours: 14.75, p50_hours: 14.75, p90_hours: 21.75, p95_hours: 22.625, max_hours: 23.5, negative_gaps: 1 },
    ]);
  });

  test('stages without a time column are read from the stage lists: paid → cancelled is O4 alone, delivered → returned O2 alone', async () => {
    // O4 paid 09:00, cancelled 12:00 on 10 March = 3 h; no other order was cancelled. O2 delivered 6 March 12:00,
    // returned 8 March 10:00 = 46 h. An order that reached one of the two stages only is not counted.
    const one = (hours: number) => ({ bucket: null, group: null, orders: 1, mean_hours: hours, p50_hours: hours, p90_hours: hours, p95_hours: hours, max_hours: hours, negative_gaps: 0 });
    expect(await metricRows(app, '/api/metrics/cycle-time?fromStage=paid&toStage=cancelled')).toEqual([one(3)]);
    expect(await metricRows(app, '/api/metrics/cycle-time?fromStage=delivered&toStage=returned')).toEqual([one(46)]);
    expect(await metricRows(app, '/api/metrics/cycle-time?fromStage=cancelled&toStage=returned')).toEqual([]);
  });

  test('a group whose only gap is negative keeps its row: no orders, no durations, one negative gap', async () => {
    const byChannel = await metricRows(app, '/api/metrics/cycle-time?fromStage=paid&toStage=shipped&groupBy=channel');
    expect(byChannel.find((r) => r.group === 'douyin')).toEqual({
      bucket: null, group: 'douyin', orders: 0, mean_hours: null, p50_hours: null, p90_hours: null, p95_hours: null, max_hours: null, negative_gaps: 1,
    });
  });

  test('months are local: O5 (1 April 06:00 in Shanghai) is March in UTC', async () => {
    // placed → paid: O1 0.5, O2 0, O3 0.25, O4 1 in March; O5 1 in April (Shanghai)
    const shanghai = await metricRows(app, '/api/metrics/cycle-time?toStage=paid&interval=month');
    expect(shanghai.map((r) => [r.bucket, r.orders, r.mean_hours, r.p50_hours])).toEqual([
      ['2025-03-01T00:00:00+08:00', 4, 0.4375, 0.375],
      ['2025-04-01T00:00:00+08:00', 1, 1, 1],
    ]);
    const utc = await metricRows(app, '/api/metrics/cycle-time?toStage=paid&interval=month&tz=UTC');
    expect(utc.map((r) => [r.bucket, r.orders, r.mean_hours])).toEqual([['2025-03-01T00:00:00+00:00', 5, 0.55]]);
  });

  test('from/to select orders by created_at in [from, to)', async () => {
    const rows = await metricRows(app, '/api/metrics/cycle-time?from=2025-03-03&to=2025-03-04');
    expect(rows.map((r) => [r.orders, r.mean_hours])).toEqual([[2, 60]]);
  });
});

describe('stage-breakdown', () => {
  test('consecutive steps among the stages each order reached; the slowest median is the bottleneck', async () => {
    // placed→paid [0.5, 0, 0.25, 1, 1]; paid→credit_checked [1.5 (O1), 3 (O5)]; paid→shipped [6 (O2)] + O3 negative;
    // credit_checked→shipped [22 (O1)]; shipped→delivered [24, 66, 49]
    expect(await metricRows(app, '/api/metrics/stage-breakdown')).toEqual([
      { group: null, step: 1, from_stage: 'placed', to_stage: 'paid', skipped_stages: 0, orders: 5, mean_hours: 0.55, p50_hours: 0.5, p90_hours: 1, negative_gaps: 0, is_bottleneck: false },
      { group: null, step: 2, from_stage: 'paid', to_stage: 'credit_checked', skipped_stages: 0, orders: 2, mean_hours: 2.25, p50_hours: 2.25, p90_hours: 2.85, negative_gaps: 0, is_bottleneck: false },
      { group: null, step: 2, from_stage: 'paid', to_stage: 'shipped', skipped_stages: 4, orders: 1, mean_hours: 6, p50_hours: 6, p90_hours: 6, negative_gaps: 1, is_bottleneck: false },
      { group: null, step: 3, from_stage: 'credit_checked', to_stage: 'shipped', skipped_stages: 3, orders: 1, mean_hours: 22, p50_hours: 22, p90_hours: 22, negative_gaps: 0, is_bottleneck: false },
      { group: null, step: 7, from_stage: 'shipped', to_stage: 'delivered', skipped_stages: 0, orders: 3, mean_hours: 46.333333333, p50_hours: 49, p90_hours: 62.6, negative_gaps: 0, is_bottleneck: true },
    ]);
  });

  test('a step whose only gap is negative keeps its row: no orders, no durations, one negative gap', async () => {
    // douyin: O3 paid → shipped is its only paid → shipped step, and it is negative.
    const douyin = (await metricRows(app, '/api/metrics/stage-breakdown?groupBy=channel')).filter((r) => r.group === 'douyin');
    expect(douyin.find((r) => r.to_stage === 'shipped')).toEqual({
      group: 'douyin', step: 2, from_stage: 'paid', to_stage: 'shipped', skipped_stages: 4, orders: 0, mean_hours: null, p50_hours: null, p90_hours: null, negative_gaps: 1, is_bottleneck: false,
    });
  });
});

describe('first-response', () => {
  test('the first event after placement; in this export of whole minutes, O2 paid in the placement minute responded then', async () => {
    // The fixture's times are whole minutes (its created_at column's precision is `minute`): O2's
    // payment at the placement instant happened at or after it, not necessarily before.
    // O1 0.5, O2 0, O3 0.25 (its shipped event before placement is ignored), O4 1, O5 1, O6 none
    expect(await metricRows(app, '/api/metrics/first-response')).toEqual([
      { bucket: null, group: null, orders: 6, responded: 5, no_response: 1, mean_hours: 0.55, p50_hours: 0.5, p90_hours: 1, p95_hours: 1, max_hours: 1 },
    ]);
  });
});

describe('stuck-orders', () => {
  test('as of 2 April 09:00: O5 waits 23 h after credit check, O6 24 h since placement', async () => {
    expect(await metricRows(app, '/api/metrics/stuck-orders?asOf=2025-04-02T09:00:00')).toEqual([
      { stage: 'placed', stage_index: 1, group: null, age_bucket: '1-3d', age_index: 3, orders: 1, mean_age_hours: 24, max_age_hours: 24, oldest_order_id: 'O6' },
      { stage: 'credit_checked', stage_index: 3, group: null, age_bucket: '4-24h', age_index: 2, orders: 1, mean_age_hours: 23, max_age_hours: 23, oldest_order_id: 'O5' },
    ]);
  });

  test('stages after asOf do not count, orders placed after it are not there yet', async () => {
    expect(await metricRows(app, '/api/metrics/stuck-orders?asOf=2025-04-01T09:30:00%2B08:00')).toEqual([
      { stage: 'placed', stage_index: 1, group: null, age_bucket: '<4h', age_index: 1, orders: 1, mean_age_hours: 0.5, max_age_hours: 0.5, oldest_order_id: 'O6' },
      { stage: 'paid', stage_index: 2, group: null, age_bucket: '<4h', age_index: 1, orders: 1, mean_age_hours: 2.5, max_age_hours: 2.5, oldest_order_id: 'O5' },
    ]);
    const early = await metricRows(app, '/api/metrics/stuck-orders?asOf=2025-03-03T10:00:00');
    expect(early.map((r) => [r.stage, r.orders, r.oldest_order_id])).toEqual([['paid', 1, 'O1']]);
  });

  test('asOf defaults to the latest event in the store (O5 credit check, 1 April 10:00)', async () => {
    const res = await app.request('/api/metrics/stuck-orders');
    expect((await res.json()).params.asOf).toBe('2025-04-01T10:00:00+08:00');
  });

  test('the default asOf is at or after the latest event when that event has microseconds', async () => {
    // As of 12:00:00.000 (the time truncated to milliseconds) A would still wait at placed.
    const store = await openStore();
    const dir = mkdtempSync(join(tmpdir(), 'op-asof-'));
    writeFileSync(join(dir, 'orders.csv'), 'order_id,channel,created_at\nA,tmall,2025-03-01 10:00:00\n');
    writeFileSync(join(dir, 'events.csv'), 'order_id,channel,at,type,stage\nA,tmall,2025-03-01 10:00:00,stage,placed\nA,tmall,2025-03-01 12:00:00.000500,stage,paid\n');
    await importPreset(store, 'canonical', [join(dir, 'orders.csv'), join(dir, 'events.csv')]);
    const res = await testApp(store).request('/api/metrics/stuck-orders');
    const body = await res.json();
    expect(body.params.asOf).toBe('2025-03-01T12:00:00.001+08:00');
    expect(body.rows.map((r: { stage: string; orders: number }) => [r.stage, r.orders])).toEqual([['paid', 1]]);
    await store.close();
  });
});

describe('on-time', () => {
  test('O1 and O3 delivered before their promise, O2 a day late; O5 and O6 not due yet', async () => {
    // As of the latest event (1 April 10:00) O5 and O6 are promised for the 4th; O4 has no promise.
    expect(await metricRows(app, '/api/metrics/on-time')).toEqual([
      { bucket: null, group: null, due: 3, on_time: 2, late: 1, delivered_late: 1, open_late: 0, on_time_rate: 0.666666667, mean_hours_late: 24 },
    ]);
    // On the 5th both are overdue and still open: late.
    expect(await metricRows(app, '/api/metrics/on-time?asOf=2025-04-05')).toEqual([
      { bucket: null, group: null, due: 5, on_time: 2, late: 3, delivered_late: 1, open_late: 2, on_time_rate: 0.4, mean_hours_late: 24 },
    ]);
  });

  test('bucketed by the promised day, or by the creation day', async () => {
    const day = (date: string) => `${date}T00:00:00+08:00`;
    expect((await metricRows(app, '/api/metrics/on-time?interval=day')).map((r) => [r.bucket, r.due, r.on_time])).toEqual([
      [day('2025-03-05'), 1, 0],
      [day('2025-03-06'), 1, 1],
      [day('2025-03-07'), 1, 1],
    ]);
    expect((await metricRows(app, '/api/metrics/on-time?interval=day&basis=created')).map((r) => [r.bucket, r.due, r.on_time])).toEqual([
      [day('2025-03-03'), 2, 1],
      [day('2025-03-04'), 1, 1],
    ]);
  });

  test('a promise without a time of day is a day: due once it is over, on time when delivered that day', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'op-on-time-days-'));
    const orders = join(dir, 'orders.csv');
    const events = join(dir, 'events.csv');
    writeFileSync(orders, ['order_id,channel,created_at,promised_at', 'D1,tmall,2025-03-01 09:00:00,2025-03-02', 'D2,tmall,2025-03-01 09:00:00,2025-03-02',
      'D3,tmall,2025-03-01 09:00:00,2025-03-02', 'D4,tmall,2025-03-01 09:00:00,2025-03-02', 'D5,tmall,2025-03-01 09:00:00,2025-03-05'].join('\n'));
    // D1 delivered in the evening of the promised day, D2 after midnight, D3 never, D4 cancelled, D5 promised later.
    writeFileSync(events, ['order_id,channel,at,type,stage', 'D1,tmall,2025-03-02 18:00:00,stage,delivered', 'D2,tmall,2025-03-03 01:00:00,stage,delivered',
      'D4,tmall,2025-03-01 10:00:00,stage,cancelled'].join('\n'));
    const store = await openStore();
    const result = await importPreset(store, 'canonical', [orders, events]);
    expect(result.sources[0]!.timePrecision.promised_at).toBe('date');
    const storeApp = testApp(store);
    expect(await metricRows(storeApp, '/api/metrics/on-time?asOf=2025-03-04T12:00:00')).toEqual([
      { bucket: null, group: null, due: 3, on_time: 1, late: 2, delivered_late: 1, open_late: 1, on_time_rate: 0.333333333, mean_hours_late: 24 },
    ]);
    // Late in the evening of the 2nd, the promised day is not over: nothing is due.
    expect(await metricRows(storeApp, '/api/metrics/on-time?asOf=2025-03-02T23:00:00')).toEqual([]);
    await store.close();
  });

  test('a delivery at the promised minute is on time; one without a promise is never due', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'op-on-time-'));
    const orders = join(dir, 'orders.csv');
    const events = join(dir, 'events.csv');
    writeFileSync(orders, ['order_id,channel,created_at,promised_at', 'E,tmall,2025-03-01 09:00:00,2025-03-02 09:00:00',
      'B,tmall,2025-03-01 09:00:00,2025-03-02 09:00:00', 'L,tmall,2025-03-01 09:00:00,2025-03-02 09:00:00', 'N,tmall,2025-03-01 09:00:00,'].join('\n'));
    // E exactly at the promise, B an hour before, L two and a half hours after, N with no promise.
    writeFileSync(events, ['order_id,channel,at,type,stage', 'E,tmall,2025-03-02 09:00:00,stage,delivered', 'B,tmall,2025-03-02 08:00:00,stage,delivered',
      'L,tmall,2025-03-02 11:30:00,stage,delivered', 'N,tmall,2025-03-02 10:00:00,stage,delivered'].join('\n'));
    const store = await openStore();
    await importPreset(store, 'canonical', [orders, events]);
    const storeApp = testApp(store);
    expect(await metricRows(storeApp, '/api/metrics/on-time')).toEqual([
      { bucket: null, group: null, due: 3, on_time: 2, late: 1, delivered_late: 1, open_late: 0, on_time_rate: 0.666666667, mean_hours_late: 2.5 },
    ]);
    // roi-compare's on-time rate follows the same rule (all four orders in the current range).
    const kpis = await metricRows(storeApp, '/api/metrics/roi-compare?baselineFrom=2025-02-01&baselineTo=2025-03-01&to=2025-04-01');
    expect(kpis.find((r) => r.kpi === 'on_time_rate')).toMatchObject({ baseline: null, current: 0.666666667 });
    await store.close();
  });
});

describe('friction-cost', () => {
  test('per order: O1 2 moves × 11 + 30 + 6 = 58, O2 expedite 150, O3 11, O5 12; O4 and O6 none', async () => {
    expect(await metricRows(app, '/api/metrics/friction-cost')).toEqual([
      {
        bucket: null, group: null, orders: 6, orders_with_friction: 4, friction_share: 0.666666667, total_cost: 231, cost_per_order: 38.5,
        data_move_cost: 33, exception_cost: 30, contact_cost: 18, expedite_cost: 150, data_moves: 3,
      },
    ]);
  });

  test('by channel, and a settings change applies on the next query', async () => {
    const byChannel = await metricRows(app, '/api/metrics/friction-cost?groupBy=channel');
    expect(byChannel.map((r) => [r.group, r.orders, r.total_cost, r.cost_per_order])).toEqual([
      ['douyin', 2, 11, 5.5],
      ['jd', 2, 12, 6],
      ['tmall', 2, 208, 104],
    ]);
    await app.request('/api/settings', { method: 'PUT', headers: ADMIN, body: JSON.stringify({ laborCostPerHour: 120, minutesPerDataMove: 5 }) });
    // moves 3 × 5 min = 15 min, exception 30, contacts 18 → 63 min at 120/h = 126, + 150
    const [after] = await metricRows(app, '/api/metrics/friction-cost');
    expect([after.total_cost, after.data_move_cost]).toEqual([276, 30]);
    await app.request('/api/settings', { method: 'PUT', headers: ADMIN, body: JSON.stringify({ laborCostPerHour: 60, minutesPerDataMove: 11 }) });
  });

  test('an order has friction when something it had costs more than zero at the current prices', async () => {
    const withFriction = async (settings: object) => {
      await app.request('/api/settings', { method: 'PUT', headers: ADMIN, body: JSON.stringify(settings) });
      return (await metricRows(app, '/api/metrics/friction-cost'))[0].orders_with_friction;
    };
    try {
      // Data moves free: O3 (one move, nothing else) costs nothing; O1 (minutes), O2 (expedite), O5 (minutes) still cost.
      expect(await withFriction({ minutesPerDataMove: 0 })).toBe(3);
      // Labour free: moves and minutes cost nothing; only O2's expedite does.
      expect(await withFriction({ minutesPerDataMove: 11, laborCostPerHour: 0 })).toBe(1);
    } finally {
      expect(await withFriction({ minutesPerDataMove: 11, laborCostPerHour: 60 })).toBe(4);
    }
  });
});

describe('friction-pareto', () => {
  test('by SKU series: the expedite on S-B leads with 150 of 231', async () => {
    expect(await metricRows(app, '/api/metrics/friction-pareto')).toEqual([
      { rank: 1, component: 'expedite', value: 'S-B', cost: 150, events: 1, orders: 1, share: 0.649350649, cumulative_share: 0.649350649 },
      { rank: 2, component: 'data_move', value: 'S-A', cost: 33, events: 3, orders: 2, share: 0.142857143, cumulative_share: 0.792207792 },
      { rank: 3, component: 'exception', value: 'S-A', cost: 30, events: 1, orders: 1, share: 0.12987013, cumulative_share: 0.922077922 },
      { rank: 4, component: 'contact', value: 'S-A', cost: 18, events: 2, orders: 2, share: 0.077922078, cumulative_share: 1 },
    ]);
  });

  test('by stage: each event goes to the stage its order was in (O2 paid at placement: paid wins the tie)', async () => {
    const rows = await metricRows(app, '/api/metrics/friction-pareto?groupBy=stage&limit=3');
    expect(rows.map((r) => [r.component, r.value, r.cost])).toEqual([
      ['expedite', 'paid', 150],
      ['data_move', 'paid', 33],
      ['exception', 'credit_checked', 30],
    ]);
  });
});

describe('channel-funnel', () => {
  const row = (group: string, k: number, step: string, orders: number, inFlight: number, outOfOrder: number, conv: number | null, first: number | null, drop: number | null, dropRate: number | null, median: number | null, mean: number | null, worst: boolean) => ({
    group, step_index: k, step, orders, in_flight: inFlight, out_of_order: outOfOrder, conversion_from_previous: conv, conversion_from_first: first,
    drop_off: drop, drop_off_rate: dropRate, median_hours_from_previous: median, mean_hours_from_previous: mean, is_worst_step: worst,
  });

  // As of the latest event (1 April 10:00): O5 (paid, credit checked) and O6 (placed only) are open,
  // so they are in flight at shipped and paid; O4 was cancelled after paying: a drop-off at shipped.
  const jd = [
    row('jd', 1, 'placed', 2, 0, 0, null, 1, null, null, null, null, false),
    // decided at paid: 2 − O6 = 1, and O5 paid: 1 of 1
    row('jd', 2, 'paid', 1, 1, 0, 1, 1, 0, 0, 1, 1, false),
    // decided: 1 − O5 = 0; from first: 2 − 1 − 1 = 0
    row('jd', 3, 'shipped', 0, 1, 0, null, null, 0, null, null, null, false),
    row('jd', 4, 'delivered', 0, 0, 0, null, null, 0, null, null, null, false),
    row('jd', 5, 'kept', 0, 0, 0, null, null, 0, null, null, null, false),
  ];
  const tmall = [
    row('tmall', 1, 'placed', 2, 0, 0, null, 1, null, null, null, null, false),
    row('tmall', 2, 'paid', 2, 0, 0, 1, 1, 0, 0, 0.25, 0.25, false),
    row('tmall', 3, 'shipped', 2, 0, 0, 1, 1, 0, 0, 14.75, 14.75, false),
    row('tmall', 4, 'delivered', 2, 0, 0, 1, 1, 0, 0, 45, 45, false),
    // O2 was returned (delivered: settled, so decided)
    row('tmall', 5, 'kept', 1, 0, 0, 0.5, 0.5, 1, 0.5, 0, 0, true),
  ];

  test('order=any (default): O3 shipped before it was paid still reaches shipped, out of order; open orders are in flight', async () => {
    expect(await metricRows(app, '/api/metrics/channel-funnel')).toEqual([
      row('douyin', 1, 'placed', 2, 0, 0, null, 1, null, null, null, null, false),
      // O3 0.25 h, O4 1 h
      row('douyin', 2, 'paid', 2, 0, 0, 1, 1, 0, 0, 0.625, 0.625, false),
      // O3 (shipped 09:00, 1.25 h before paid: no duration), O4 cancelled
      row('douyin', 3, 'shipped', 1, 0, 1, 0.5, 0.5, 1, 0.5, null, null, true),
      // O3 shipped 4 March 09:00 → delivered 6 March 10:00
      row('douyin', 4, 'delivered', 1, 0, 0, 1, 0.5, 0, 0, 49, 49, false),
      row('douyin', 5, 'kept', 1, 0, 0, 1, 0.5, 0, 0, 0, 0, false),
      ...jd,
      ...tmall,
    ]);
  });

  test('order=strict: O3 stops at paid and is a drop-off (it was delivered: decided)', async () => {
    expect(await metricRows(app, '/api/metrics/channel-funnel?order=strict')).toEqual([
      row('douyin', 1, 'placed', 2, 0, 0, null, 1, null, null, null, null, false),
      row('douyin', 2, 'paid', 2, 0, 0, 1, 1, 0, 0, 0.625, 0.625, false),
      row('douyin', 3, 'shipped', 0, 0, 0, 0, 0, 2, 1, null, null, true),
      row('douyin', 4, 'delivered', 0, 0, 0, null, 0, 0, null, null, null, false),
      row('douyin', 5, 'kept', 0, 0, 0, null, 0, 0, null, null, null, false),
      ...jd,
      ...tmall,
    ]);
  });

  test('as of a moment: later steps are not reached yet, and an order open then is in flight', async () => {
    // 5 March 12:00: O1 delivered (09:00) and kept; O2 shipped, delivered only on the 6th: open, in flight;
    // O3 paid, shipped (out of order), open; O4-O6 not placed yet, so jd has no row.
    const rows = await metricRows(app, '/api/metrics/channel-funnel?asOf=2025-03-05T12:00:00%2B08:00');
    expect(rows.map((r) => [r.group, r.step, r.orders, r.in_flight, r.out_of_order, r.drop_off])).toEqual([
      ['douyin', 'placed', 1, 0, 0, null],
      ['douyin', 'paid', 1, 0, 0, 0],
      ['douyin', 'shipped', 1, 0, 1, 0],
      ['douyin', 'delivered', 0, 1, 0, 0],
      ['douyin', 'kept', 0, 0, 0, 0],
      ['tmall', 'placed', 2, 0, 0, null],
      ['tmall', 'paid', 2, 0, 0, 0],
      ['tmall', 'shipped', 2, 0, 0, 0],
      ['tmall', 'delivered', 1, 1, 0, 0],
      ['tmall', 'kept', 1, 0, 0, 0],
    ]);
  });

  test('with a window, an open order is in flight only while its window lasts', async () => {
    // As of 1 April 10:00, O6 (placed 09:00) is 1 h into a 2 h window: in flight at paid; O5 (placed
    // 06:00) is past it: a drop-off at shipped though still open.
    const rows = await metricRows(app, '/api/metrics/channel-funnel?channel=jd&window=2h');
    expect(rows.map((r) => [r.step, r.orders, r.in_flight, r.drop_off])).toEqual([
      ['placed', 2, 0, null], ['paid', 1, 1, 0], ['shipped', 0, 0, 1], ['delivered', 0, 0, 0], ['kept', 0, 0, 0],
    ]);
  });

  test('a 24 h window: tmall orders ship within it but deliver after it', async () => {
    const rows = await metricRows(app, '/api/metrics/channel-funnel?channel=tmall&window=24h');
    expect(rows.map((r) => r.orders)).toEqual([2, 2, 2, 0, 0]);
  });

  test('custom steps and another breakdown', async () => {
    const rows = await metricRows(app, '/api/metrics/channel-funnel?steps=placed,paid,credit_checked&groupBy=customer_tier');
    expect(rows.map((r) => [r.group, r.step, r.orders])).toEqual([
      ['gold', 'placed', 2], ['gold', 'paid', 2], ['gold', 'credit_checked', 1],
      ['regular', 'placed', 4], ['regular', 'paid', 3], ['regular', 'credit_checked', 1],
    ]);
  });
});

describe('roi-compare', () => {
  test('before (1-8 March: O1-O3) vs after (8 March - 8 April: O4-O6)', async () => {
    const rows = await metricRows(app, '/api/metrics/roi-compare?baselineFrom=2025-03-01&baselineTo=2025-03-08&to=2025-04-08');
    expect(rows).toEqual([
      // (0.5 + 0 + 0.25) / 3 vs (1 + 1) / 2
      { kpi: 'first_response_hours', unit: 'hours', direction: 'lower', baseline: 0.25, current: 1, delta: 0.75, delta_pp: null, improvement_pct: -300 },
      { kpi: 'cycle_time_hours', unit: 'hours', direction: 'lower', baseline: 56, current: null, delta: null, delta_pp: null, improvement_pct: null },
      // (58 + 150 + 11) / 3 vs 12 / 3
      { kpi: 'friction_cost_per_order', unit: 'currency', direction: 'lower', baseline: 73, current: 4, delta: -69, delta_pp: null, improvement_pct: 94.520547945 },
      // actor-days (A 3 Mar: O1) (B 3 Mar: O1, O2) (A 4 Mar: O1) (B 4 Mar: O3) → 5 / 4; after: (A 1 Apr: O5) → 1
      { kpi: 'orders_per_actor_day', unit: 'orders', direction: 'higher', baseline: 1.25, current: 1, delta: -0.25, delta_pp: null, improvement_pct: -20 },
      { kpi: 'on_time_rate', unit: 'ratio', direction: 'higher', baseline: 0.666666667, current: null, delta: null, delta_pp: null, improvement_pct: null },
      { kpi: 'cancellation_rate', unit: 'ratio', direction: 'lower', baseline: 0, current: 0.333333333, delta: 0.333333333, delta_pp: 33.333333333, improvement_pct: null },
      // O2 was returned: it left revenue, and counts in the refund/return rate (1 of 3).
      { kpi: 'refund_rate', unit: 'ratio', direction: 'lower', baseline: 0.333333333, current: 0, delta: -0.333333333, delta_pp: -33.333333333, improvement_pct: 100 },
      { kpi: 'orders', unit: 'orders', direction: 'higher', baseline: 3, current: 3, delta: 0, delta_pp: null, improvement_pct: 0 },
      // net revenue: O2 was returned, O4 cancelled
      { kpi: 'revenue', unit: 'currency', direction: 'higher', baseline: 150, current: 340, delta: 190, delta_pp: null, improvement_pct: 126.666666667 },
      // All imported at TEST_IMPORTED_AT (1 Jan 2026 00:00 UTC): the median of O1-O3's 7270, 7292 and
      // 7295 hours from placement, against O4-O6's 6599, 6602 and 7128.
      { kpi: 'merge_latency_hours', unit: 'hours', direction: 'lower', baseline: 7292, current: 6602, delta: -690, delta_pp: null, improvement_pct: 9.462424575 },
    ]);
  });

  test('an empty side has 0 orders and 0 revenue; a rate changes by points; a cohort value no order has is a 400', async () => {
    const rows = await metricRows(app, '/api/metrics/roi-compare?baselineFrom=2024-01-01&baselineTo=2024-02-01&from=2025-03-01&to=2025-04-08');
    const byKpi = Object.fromEntries(rows.map((r) => [r.kpi, [r.baseline, r.current, r.delta_pp]]));
    expect(byKpi.orders).toEqual([0, 6, null]);
    expect(byKpi.revenue).toEqual([0, 490, null]);
    expect(byKpi.first_response_hours![0]).toBeNull();
    // A rate's change in percentage points, beside its relative change.
    const cohorts = await metricRows(app, '/api/metrics/roi-compare?compare=channel:douyin,channel:tmall');
    expect(cohorts.find((r) => r.kpi === 'on_time_rate')).toMatchObject({ baseline: 1, current: 0.5, delta_pp: -50, improvement_pct: -50 });
    const res = await app.request('/api/metrics/roi-compare?compare=region:east,region:nowhere');
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toBe("compare: no order has region 'nowhere'");
  });

  test('cohort vs cohort: douyin (baseline) vs tmall', async () => {
    const { body } = await (async () => {
      const res = await app.request('/api/metrics/roi-compare?compare=channel:douyin,channel:tmall');
      return { body: await res.json() };
    })();
    const byKpi = Object.fromEntries((body.rows as any[]).map((r) => [r.kpi, [r.baseline, r.current]]));
    expect(byKpi.first_response_hours).toEqual([0.625, 0.25]);
    expect(byKpi.cycle_time_hours).toEqual([48, 60]);
    expect(byKpi.friction_cost_per_order).toEqual([5.5, 104]);
    expect(byKpi.orders_per_actor_day[0]).toBe(1);
    expect(byKpi.orders_per_actor_day[1]).toBeCloseTo(4 / 3, 12);
    expect(byKpi.on_time_rate).toEqual([1, 0.5]);
    expect(byKpi.cancellation_rate).toEqual([0.5, 0]);
    expect(byKpi.revenue).toEqual([50, 100]);
    expect(body.params.compare).toEqual(['channel:douyin', 'channel:tmall']);
  });
});

describe('promotion-roi', () => {
  test('P1 brought O1 and O2 (O2 returned), P2 brought O4 (cancelled)', async () => {
    expect(await metricRows(app, '/api/metrics/promotion-roi')).toEqual([
      {
        promotion_id: 'P1', name: 'Spring sale', channel: 'tmall', starts_at: '2025-03-01T00:00:00+08:00', ends_at: '2025-03-08T00:00:00+08:00',
        orders: 2, gross_revenue: 300, revenue: 100, refund_rate: 0.5, cancellation_rate: 0, spend: 100, roas: 1, roi: -0.7,
      },
      {
        promotion_id: 'P2', name: 'Live stream', channel: 'douyin', starts_at: '2025-03-09T00:00:00+08:00', ends_at: '2025-03-12T00:00:00+08:00',
        orders: 1, gross_revenue: 80, revenue: 0, refund_rate: 0, cancellation_rate: 1, spend: 40, roas: 0, roi: -1,
      },
    ]);
  });

  test('a range picks promotions and does not cut one short; filters spend cannot follow are a 400', async () => {
    // 5-6 March overlaps P1 (1-8 March) only: its whole period counts (O1 and O2 were placed on the 3rd).
    expect((await metricRows(app, '/api/metrics/promotion-roi?from=2025-03-05&to=2025-03-06')).map((r) => [r.promotion_id, r.orders, r.revenue, r.roi])).toEqual([
      ['P1', 2, 100, -0.7],
    ]);
    for (const [query, name, what] of [['skuSeries=S-A', 'skuSeries', 'SKU series'], ['region=east', 'region', 'region'], ['customerTier=gold', 'customerTier', 'customer tier']]) {
      const res = await app.request(`/api/metrics/promotion-roi?${query}`);
      expect(res.status).toBe(400);
      expect((await res.json()).error.message).toBe(`${name}: a promotion's spend is not split by ${what}, so its ROI cannot be read for one; filter promotion-roi by channel or promotion only`);
    }
  });

  test("a promotion's orders are those of its own channel", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'op-promo-'));
    const orders = join(dir, 'orders.csv');
    const promotions = join(dir, 'promotions.csv');
    // Q1 runs on tmall; an order of jd carrying its code (a coupon used elsewhere) is not its revenue.
    writeFileSync(orders, ['order_id,channel,created_at,amount,promotion_id', 'A,tmall,2025-03-02 10:00:00,100,Q1', 'B,jd,2025-03-02 10:00:00,900,Q1'].join('\n'));
    writeFileSync(promotions, ['promotion_id,channel,name,starts_at,ends_at,spend', 'Q1,tmall,Spring,2025-03-01 00:00:00,2025-03-08 00:00:00,50'].join('\n'));
    const store = await openStore();
    await importPreset(store, 'canonical', [orders, promotions]);
    expect((await metricRows(testApp(store), '/api/metrics/promotion-roi')).map((r) => [r.promotion_id, r.orders, r.revenue])).toEqual([['Q1', 1, 100]]);
    await store.close();
  });
});

describe('throughput', () => {
  test('counts work when it happened: 4 March holds A on O1 and B on O3, whenever the orders were created', async () => {
    // Scoped by creation, the day held O3 alone (created on the 4th): B, one actor.
    expect(await metricRows(app, '/api/metrics/throughput?from=2025-03-04&to=2025-03-05')).toEqual([
      { bucket: null, group: null, actors: 2, actor_days: 2, orders_touched: 2, orders_per_actor_day: 1 },
    ]);
    // The same from the events' instants (a range that is not whole days of the tenant's zone).
    expect(await metricRows(app, '/api/metrics/throughput?from=2025-03-04T00:00:00%2B08:00&to=2025-03-04T23:59:00%2B08:00')).toEqual([
      { bucket: null, group: null, actors: 2, actor_days: 2, orders_touched: 2, orders_per_actor_day: 1 },
    ]);
    // A token locked to orders created from 4 March on sees B's work on O3 only.
    const minted = await app.request('/api/embed-tokens', { method: 'POST', headers: ADMIN, body: JSON.stringify({ filters: { from: '2025-03-04', to: '2025-04-01' } }) });
    const { token } = await minted.json();
    const res = await app.request('/api/metrics/throughput?from=2025-03-04&to=2025-03-05', { headers: { Authorization: `Bearer ${token}` } });
    expect((await res.json()).rows).toEqual([{ bucket: null, group: null, actors: 1, actor_days: 1, orders_touched: 1, orders_per_actor_day: 1 }]);
  });

  test('orders touched per actor per active day', async () => {
    expect(await metricRows(app, '/api/metrics/throughput')).toEqual([
      { bucket: null, group: null, actors: 2, actor_days: 5, orders_touched: 6, orders_per_actor_day: 1.2 },
    ]);
    expect(await metricRows(app, '/api/metrics/throughput?groupBy=actor')).toEqual([
      { bucket: null, group: 'A', actors: 1, actor_days: 3, orders_touched: 3, orders_per_actor_day: 1 },
      { bucket: null, group: 'B', actors: 1, actor_days: 2, orders_touched: 3, orders_per_actor_day: 1.5 },
    ]);
  });
});
