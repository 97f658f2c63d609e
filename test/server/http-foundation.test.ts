import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { createApp } from '../../server/app.js';
import type { Database } from '../../server/db/database.js';
import { ADMIN, FIXTURES, SHARED_DATA, openStore, testApp } from './helpers.js';

let db: Database;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  db = await openStore();
  app = testApp(db);
});
afterAll(() => db.close());

function upload(files: { name: string; path: string }[], fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const f of files) form.append('file', new Blob([readFileSync(f.path)]), f.name);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return form;
}

describe('GET / and /api/health', () => {
  test('the page answers with HTML', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('<op-dashboard id="dashboard"');
  });

  test('health reports status to anyone, and data version and row counts with the admin key', async () => {
    expect(await (await app.request('/api/health')).json()).toEqual({ status: 'ok' });
    const res = await app.request('/api/health', { headers: ADMIN });
    expect(await res.json()).toEqual({ status: 'ok', dataVersion: 0, rows: { orders: 0, events: 0, promotions: 0, imports: 0 } });
  });

  test('an unknown route is a JSON 404', async () => {
    const res = await app.request('/api/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'no route GET /api/nope', details: {} } });
  });
});

describe('POST /api/imports', () => {
  test('a multipart upload of the olist files imports them and bumps the data version', async () => {
    const dir = join(SHARED_DATA, 'olist-kaggle-format');
    const body = upload(
      ['olist_orders_dataset.csv', 'olist_order_payments_dataset.csv'].map((name) => ({ name, path: join(dir, name) })),
      { preset: 'olist' },
    );
    const res = await app.request('/api/imports', { method: 'POST', body, headers: ADMIN });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ mapping: 'olist', ordersInserted: 4071, rowsRejected: 0, dataVersion: 1 });
    const health = await (await app.request('/api/health', { headers: ADMIN })).json();
    expect(health).toMatchObject({ dataVersion: 1, rows: { orders: 4071, imports: 1 } });
  });

  test('a raw body with ?filename= and a rejected file: 422 with the problems, store unchanged', async () => {
    const res = await app.request('/api/imports?filename=orders-with-errors.csv', {
      method: 'POST',
      headers: ADMIN,
      body: readFileSync(join(FIXTURES, 'import', 'orders-with-errors.csv')),
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error.code).toBe('import_rejected');
    expect(body.error.details.problems[0]).toEqual({
      file: 'orders-with-errors.csv',
      line: 3,
      column: 'created_at',
      reason: "not a date-time: 'yesterday' (expected ISO 8601 or one of the mapping's timestampFormats)",
    });
    expect((await (await app.request('/api/health', { headers: ADMIN })).json()).rows.orders).toBe(4071);
  });

  test.each([
    ['/api/imports', undefined, 400, 'missing_filename'],
    ['/api/imports?filename=a.csv&preset=sap', 'x\n', 400, 'unknown_preset'],
    ['/api/imports?filename=a.csv&onError=maybe', 'x\n', 400, 'invalid_parameter'],
    ['/api/imports?filename=orders.xlsx', 'x', 400, 'unknown_format'],
    ['/api/imports?filename=a.csv&mapping={', 'x', 400, 'invalid_mapping'],
  ])('POST %s is a 4xx naming the mistake', async (url, body, status, code) => {
    const res = await app.request(url, { method: 'POST', headers: ADMIN, ...(body === undefined ? {} : { body }) });
    expect(res.status).toBe(status);
    expect((await res.json()).error.code).toBe(code);
  });
});

test.each([
  ['multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="file"; filename="orders.csv"\r\n\r\nbroken'],
  ['multipart/form-data', 'nothing'],
])('a malformed %s upload is a 400', async (type, body) => {
  const res = await app.request('/api/imports', { method: 'POST', headers: { ...ADMIN, 'content-type': type }, body });
  expect(res.status).toBe(400);
  expect((await res.json()).error).toEqual({
    code: 'invalid_multipart',
    message: 'the multipart/form-data body cannot be read (check the boundary and the parts)',
    details: {},
  });
});

describe('/api/settings', () => {
  test('defaults, a valid change that bumps the data version, and an invalid one', async () => {
    const defaults = await (await app.request('/api/settings', { headers: ADMIN })).json();
    expect(defaults).toMatchObject({ timeZone: 'Asia/Shanghai', minutesPerDataMove: 11, laborCostPerHour: 60, marginRate: 0.3 });
    const before = (await (await app.request('/api/health', { headers: ADMIN })).json()).dataVersion;
    const put = await app.request('/api/settings', { method: 'PUT', headers: ADMIN, body: JSON.stringify({ laborCostPerHour: 75 }) });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ laborCostPerHour: 75, timeZone: 'Asia/Shanghai', dataVersion: before + 1 });
    const bad = await app.request('/api/settings', { method: 'PUT', headers: ADMIN, body: JSON.stringify({ pipeline: ['placed', 'placed'] }) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toBe('invalid settings: pipeline: pipeline lists a stage twice');
    const long = Array.from({ length: 101 }, (_, i) => `step_${i}`);
    const tooLong = await app.request('/api/settings', { method: 'PUT', headers: ADMIN, body: JSON.stringify({ pipeline: long }) });
    expect(tooLong.status).toBe(400);
    expect((await tooLong.json()).error.message).toMatch(/^invalid settings: pipeline: .*100/);
    expect((await app.request('/api/settings', { method: 'PUT', headers: ADMIN, body: 'nope' })).status).toBe(400);
  });
});
