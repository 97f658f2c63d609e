/**
 * GET /api/extent on the hand-worked metrics fixture (test/fixtures/metrics): what a dashboard
 * needs to fit the data, each count worked out from the CSV.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { defaultRange } from '../../server/metrics/extent.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN, importPreset } from './helpers.js';
import { fixtureApp, getJson } from './metrics-helpers.js';

let db: Database;
let app: Awaited<ReturnType<typeof fixtureApp>>['app'];
beforeAll(async () => ({ db, app } = await fixtureApp()));
afterAll(() => db.close());

describe('GET /api/extent', () => {
  test('the first and last order, channels, currencies, stages in pipeline order, event kinds', async () => {
    const { status, body } = await getJson(app, '/api/extent');
    expect(status).toBe(200);
    expect(body).toEqual({
      orders: 6,
      firstOrderAt: '2025-03-03T09:00:00+08:00',
      lastOrderAt: '2025-04-01T09:00:00+08:00',
      // O5's credit check, 1 April 10:00.
      latestEventAt: '2025-04-01T10:00:00+08:00',
      // Shorter than a year: all of it, to the day after the last order.
      defaultRange: { from: '2025-03-03', to: '2025-04-02' },
      timeZone: 'Asia/Shanghai',
      channels: [{ code: 'douyin', orders: 2 }, { code: 'jd', orders: 2 }, { code: 'tmall', orders: 2 }],
      currencies: [{ code: 'CNY', orders: 6 }],
      stages: [
        { stage: 'placed', orders: 6, inPipeline: true, terminal: false, precision: 'time' },
        { stage: 'paid', orders: 5, inPipeline: true, terminal: false, precision: 'time' },
        { stage: 'credit_checked', orders: 2, inPipeline: true, terminal: false, precision: 'time' },
        { stage: 'shipped', orders: 3, inPipeline: true, terminal: false, precision: 'time' },
        { stage: 'delivered', orders: 3, inPipeline: true, terminal: true, precision: 'time' },
        { stage: 'cancelled', orders: 1, inPipeline: false, terminal: true, precision: 'time' },
        { stage: 'returned', orders: 1, inPipeline: false, terminal: true, precision: 'time' },
      ],
      precision: { created_at: 'time', promised_at: 'time' },
      // Data moves: O1 × 2, O3; exception O1; contacts O1, O5; expedite O2. Actors on O1, O2, O3, O5.
      events: { data_move: 3, exception: 1, contact: 2, expedite: 1, touched_orders: 4 },
    });
  });

  test('a locked token sees the extent of its own orders only', async () => {
    const res = await app.request('/api/embed-tokens', { method: 'POST', headers: ADMIN, body: JSON.stringify({ filters: { channel: ['douyin'] } }) });
    const { token } = await res.json();
    const locked = await app.request('/api/extent', { headers: { Authorization: `Bearer ${token}` } });
    const body = await locked.json();
    expect([body.orders, body.firstOrderAt, body.channels]).toEqual([2, '2025-03-04T10:00:00+08:00', [{ code: 'douyin', orders: 2 }]]);
    expect(body.stages.map((s: any) => s.stage)).toEqual(['placed', 'paid', 'shipped', 'delivered', 'cancelled']);
  });

  test('the default range is the last 12 whole months, or all of the data when shorter', () => {
    expect(defaultRange('2023-05-17', '2025-03-09')).toEqual({ from: '2024-04-01', to: '2025-04-01' });
    expect(defaultRange('2024-04-01', '2025-03-31')).toEqual({ from: '2024-04-01', to: '2025-04-01' });
    expect(defaultRange('2024-04-02', '2025-03-31')).toEqual({ from: '2024-04-02', to: '2025-04-01' });
    expect(defaultRange('2024-12-31', '2024-12-31')).toEqual({ from: '2024-12-31', to: '2025-01-01' });
  });

  test('is kept per data version: an import that adds a later order moves it', async () => {
    const before = (await getJson(app, '/api/extent')).body;
    expect((await getJson(app, '/api/extent')).body).toEqual(before);
    const dir = mkdtempSync(join(tmpdir(), 'op-extent-'));
    writeFileSync(join(dir, 'orders.csv'), 'order_id,channel,created_at,amount,currency\nO9,jd,2025-06-10 09:00:00,10.00,USD\n');
    await importPreset(db, 'canonical', [join(dir, 'orders.csv')]);
    const after = (await getJson(app, '/api/extent')).body;
    expect([after.orders, after.lastOrderAt, after.currencies]).toEqual([7, '2025-06-10T09:00:00+08:00', [{ code: 'CNY', orders: 6 }, { code: 'USD', orders: 1 }]]);
  });
});
