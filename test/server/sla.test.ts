/** The sla metric on a hand-worked fixture: due, met, breached and lateness, and today's open orders. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { ADMIN, importPreset, openStore, testApp } from './helpers.js';
import { getJson, metricRows } from './metrics-helpers.js';

let db: Database;
let app: ReturnType<typeof testApp>;
const H = 3_600_000;
const at = (iso: string, hours = 0) => new Date(Date.parse(iso) + hours * H).toISOString();

beforeAll(async () => {
  db = await openStore();
  const dir = mkdtempSync(join(tmpdir(), 'op-sla-'));
  const orders = ['order_id,channel,created_at'];
  const events = ['order_id,channel,at,type,stage'];
  const order = (id: string, channel: string, paid: string, then: [string, number][] = []) => {
    orders.push(`${id},${channel},${at(paid, -1)}`);
    events.push(`${id},${channel},${paid},stage,paid`);
    for (const [stage, hours] of then) events.push(`${id},${channel},${at(paid, hours)},stage,${stage}`);
  };
  // tmall's own target: paid → shipped within 24 h.
  order('S1', 'tmall', '2025-06-01T00:00:00Z', [['shipped', 20]]); // met
  order('S2', 'tmall', '2025-06-02T00:00:00Z', [['shipped', 30]]); // 6 h late
  order('S3', 'tmall', '2025-06-03T00:00:00Z', [['cancelled', 10]]); // settled before its deadline: not due
  order('S4', 'tmall', '2025-06-09T20:00:00Z'); // open 16 h, due at 20:00 today
  order('S5', 'tmall', '2025-06-08T00:00:00Z'); // open 60 h: breached, 36 h late
  [10, 18, 22, 26, 40].forEach((hours, i) => order(`H${i}`, 'tmall', `2025-05-0${i + 1}T00:00:00Z`, [['shipped', hours]]));
  // douyin under the target for every channel: 48 h.
  order('D1', 'douyin', '2025-06-05T00:00:00Z', [['shipped', 24]]);
  order('D2', 'douyin', '2025-06-09T00:00:00Z'); // open 36 h, due tomorrow
  writeFileSync(join(dir, 'orders.csv'), orders.join('\n'));
  writeFileSync(join(dir, 'events.csv'), events.join('\n'));
  await importPreset(db, 'canonical', [join(dir, 'orders.csv'), join(dir, 'events.csv')]);
  app = testApp(db);
});
afterAll(() => db.close());

const setTargets = (slaTargets: unknown) =>
  app.request('/api/settings', { method: 'PUT', headers: { ...ADMIN, 'Content-Type': 'application/json' }, body: JSON.stringify({ slaTargets }) });

test('without targets the metric says how to set them', async () => {
  const { status, body } = await getJson(app, '/api/metrics/sla');
  expect([status, body.error.code]).toEqual([400, 'no_sla_targets']);
  expect((await setTargets([{ from: 'paid', to: 'paid', hours: 1 }])).status).toBe(400);
  expect((await setTargets([{ from: 'paid', to: 'shipped', hours: -1 }])).status).toBe(400);
});

test('due, met, breached and lateness per target and channel; open orders due today, at risk, breached', async () => {
  expect((await setTargets([{ from: 'paid', to: 'shipped', hours: 48 }, { from: 'paid', to: 'shipped', hours: 24, channel: 'tmall' }])).status).toBe(200);
  expect(await metricRows(app, '/api/metrics/sla?asOf=2025-06-10T12:00:00Z&tz=UTC')).toEqual([
    // D1 shipped in 24 of its 48 h; D2 is due tomorrow, with one completed order of history: no estimate.
    { target: 'paid→shipped', from_stage: 'paid', to_stage: 'shipped', target_hours: 48, channel: 'douyin', bucket: null, due: 1, met: 1, breached: 0, breach_rate: 0, mean_late_hours: null, open: 1, due_today: 0, at_risk: 0, open_breached: 0 },
    // Met: S1 (20 h), H0-H2 (10, 18, 22 h). Breached: S2 6 h late, H3 2, H4 16, S5 still open 36 h past: mean 15.
    // S4 has waited 16 h: of the 6 completed orders that took 16 h or more, 3 took over 24: p = 0.5, at risk.
    { target: 'paid→shipped', from_stage: 'paid', to_stage: 'shipped', target_hours: 24, channel: 'tmall', bucket: null, due: 8, met: 4, breached: 4, breach_rate: 0.5, mean_late_hours: 15, open: 2, due_today: 1, at_risk: 1, open_breached: 1 },
  ]);
});

test('by month decided (met: when shipped; breached: at the deadline), and a stricter threshold', async () => {
  const rows = await metricRows(app, '/api/metrics/sla?asOf=2025-06-10T12:00:00Z&tz=UTC&interval=month&channel=tmall');
  expect(rows.map((r) => [r.bucket, r.due, r.breached, r.at_risk])).toEqual([
    [null, 8, 4, 1],
    ['2025-05-01T00:00:00+00:00', 5, 2, null],
    ['2025-06-01T00:00:00+00:00', 3, 2, null],
  ]);
  const strict = await metricRows(app, '/api/metrics/sla?asOf=2025-06-10T12:00:00Z&tz=UTC&channel=tmall&threshold=0.6');
  expect(strict[0].at_risk).toBe(0);
});

test('GET /api/orders lists exactly the orders behind each count: the fixture by name', async () => {
  expect((await setTargets([{ from: 'paid', to: 'shipped', hours: 48 }, { from: 'paid', to: 'shipped', hours: 24, channel: 'tmall' }])).status).toBe(200);
  const ids = async (query: string) => {
    const { status, body } = await getJson(app, `/api/orders?asOf=2025-06-10T12:00:00Z&tz=UTC&sort=created_at&${query}`);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.total).toBe(body.orders.length);
    return body.orders.map((o: { order_id: string }) => o.order_id);
  };
  // The target's channels together (tmall under its own 24 h, douyin under 48 h), then one channel.
  expect(await ids('sla=paid→shipped&slaState=met')).toEqual(['H0', 'H1', 'H2', 'S1', 'D1']);
  expect(await ids('sla=paid->shipped')).toEqual(['H3', 'H4', 'S2', 'S5']);
  expect(await ids('sla=paid->shipped&slaState=due&channel=tmall')).toEqual(['H0', 'H1', 'H2', 'H3', 'H4', 'S1', 'S2', 'S5']);
  expect(await ids('sla=paid->shipped&slaState=open')).toEqual(['S5', 'D2', 'S4']);
  expect(await ids('sla=paid->shipped&slaState=due_today')).toEqual(['S4']);
  expect(await ids('sla=paid->shipped&slaState=at_risk')).toEqual(['S4']);
  expect(await ids('sla=paid->shipped&slaState=at_risk&threshold=0.6')).toEqual([]);
  expect(await ids('sla=paid->shipped&slaState=open_breached')).toEqual(['S5']);
  const unknown = await getJson(app, '/api/orders?sla=placed->delivered');
  expect([unknown.status, unknown.body.error.message]).toEqual([400, "sla: 'placed->delivered' is not a service-level target here; targets are paid→shipped"]);
  const stray = await getJson(app, '/api/orders?slaState=met');
  expect([stray.status, stray.body.error.message]).toEqual([400, 'slaState: needs sla: it says which service-level target to list']);
});

test("the at-risk history is the tenant's, not the page's; a token's locked range bounds it", async () => {
  expect((await setTargets([{ from: 'paid', to: 'shipped', hours: 48 }, { from: 'paid', to: 'shipped', hours: 24, channel: 'tmall' }])).status).toBe(200);
  const tmall = async (query: string, init?: RequestInit) => {
    const res = await app.request(`/api/metrics/sla?asOf=2025-06-10T12:00:00Z&tz=UTC&channel=tmall&${query}`, init);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    const [whole] = body.rows as Record<string, unknown>[];
    return [whole!.due, whole!.met, whole!.open, whole!.at_risk];
  };
  // Orders created in June: S2 and S5 breached (S1 was created on May 31); S4 (16 h in) is still
  // judged by the six completed orders that took 16 h or more, May's among them (3 over 24 h: at
  // risk). From June's orders alone (S2) there would be no estimate, and nothing at risk: what a
  // page of the last few days would show of every order still taking long.
  expect(await tmall('from=2025-06-01')).toEqual([2, 0, 2, 1]);
  const minted = await app.request('/api/embed-tokens', {
    method: 'POST',
    headers: { ...ADMIN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ filters: { from: '2025-06-01T00:00:00Z' } }),
  });
  expect(minted.status).toBe(201);
  const { token } = (await minted.json()) as { token: string };
  // A token locked to June sees June's history alone: one order, no estimate.
  expect(await tmall('', { headers: { Authorization: `Bearer ${token}` } })).toEqual([2, 0, 2, 0]);
  const list = await getJson(app, `/api/orders?asOf=2025-06-10T12:00:00Z&tz=UTC&sla=paid->shipped&slaState=at_risk&from=2025-06-01`);
  expect(list.body.orders.map((o: { order_id: string }) => o.order_id)).toEqual(['S4']);
});

test('a decision is counted in the local day it fell on in a zone half an hour off UTC, from the facts and from the rollups', async () => {
  const store = await openStore();
  try {
    const dir = mkdtempSync(join(tmpdir(), 'op-sla-zone-'));
    // Shipped at 18:45 UTC: 00:15 on June 2 in Kolkata (+5:30), while its UTC hour (18:00) is still June 1 there.
    writeFileSync(join(dir, 'orders.csv'), 'order_id,channel,created_at\nK1,jd,2025-06-01T00:00:00Z');
    writeFileSync(join(dir, 'events.csv'), 'order_id,channel,at,type,stage\nK1,jd,2025-06-01T00:15:00Z,stage,paid\nK1,jd,2025-06-01T18:45:00Z,stage,shipped');
    await importPreset(store, 'canonical', [join(dir, 'orders.csv'), join(dir, 'events.csv')]);
    const zoned = testApp(store);
    const put = (body: unknown) =>
      zoned.request('/api/settings', { method: 'PUT', headers: { ...ADMIN, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await put({ slaTargets: [{ from: 'paid', to: 'shipped', hours: 48 }] })).status).toBe(200);
    const days = async () =>
      (await metricRows(zoned, '/api/metrics/sla?tz=Asia/Kolkata&interval=day')).filter((r) => r.bucket !== null).map((r) => [r.bucket, r.due, r.met]);
    // The tenant in Shanghai: the facts answer a Kolkata calendar.
    expect(await days()).toEqual([['2025-06-02T00:00:00+05:30', 1, 1]]);
    // The tenant in Kolkata: the rollups answer it.
    expect((await put({ timeZone: 'Asia/Kolkata' })).status).toBe(200);
    expect(await days()).toEqual([['2025-06-02T00:00:00+05:30', 1, 1]]);
  } finally {
    await store.close();
  }
});

test('a target on a stage without a time column of its own is judged from the stage lists, from the facts and from the rollups', async () => {
  const store = await openStore();
  try {
    const dir = mkdtempSync(join(tmpdir(), 'op-sla-custom-'));
    // qc_checked is no pipeline stage with a column: its time lives in the order's stage lists only.
    writeFileSync(join(dir, 'orders.csv'), 'order_id,channel,created_at\nQ1,jd,2025-06-01T00:00:00Z\nQ2,jd,2025-06-01T00:00:00Z');
    writeFileSync(
      join(dir, 'events.csv'),
      ['order_id,channel,at,type,stage', 'Q1,jd,2025-06-01T02:00:00Z,stage,qc_checked', 'Q1,jd,2025-06-01T07:00:00Z,stage,shipped',
        'Q2,jd,2025-06-01T02:00:00Z,stage,qc_checked', 'Q2,jd,2025-06-01T22:00:00Z,stage,shipped'].join('\n'),
    );
    const withRollups = testApp(store);
    const put = (body: unknown) =>
      withRollups.request('/api/settings', { method: 'PUT', headers: { ...ADMIN, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await put({ pipeline: ['placed', 'paid', 'qc_checked', 'shipped', 'delivered'] })).status).toBe(200);
    await importPreset(store, 'canonical', [join(dir, 'orders.csv'), join(dir, 'events.csv')]);
    expect((await put({ slaTargets: [{ from: 'qc_checked', to: 'shipped', hours: 10 }] })).status).toBe(200);
    for (const app of [withRollups, testApp(store, { rollups: false })]) {
      const [row] = await metricRows(app, '/api/metrics/sla?asOf=2025-06-02T00:00:00Z');
      // Q1 shipped 5 h after its check (met), Q2 20 h (10 h late).
      expect([row.target, row.due, row.met, row.breached, row.mean_late_hours]).toEqual(['qc_checked→shipped', 2, 1, 1, 10]);
    }
  } finally {
    await store.close();
  }
});
