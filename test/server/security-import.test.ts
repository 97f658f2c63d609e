import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { ADMIN, openStore, testApp } from './helpers.js';

/**
 * What an admin upload can do to the service: far dates, placeholder dates, deep JSON,
 * pathological file-name patterns and timestamp formats. Each is a 4xx naming file, line and
 * column (or the mapping key), and the store stays as it was.
 */

let db: Database;
let app: ReturnType<typeof testApp>;
beforeAll(async () => {
  db = await openStore();
  app = testApp(db);
});
afterAll(() => db.close());

const json = async (res: Response) => ({ status: res.status, body: await res.json() });
async function upload(filename: string, body: string, mapping?: Record<string, unknown>) {
  const query = new URLSearchParams({ filename, ...(mapping ? { mapping: JSON.stringify(mapping) } : {}) });
  return json(await app.request(`/api/imports?${query}`, { method: 'POST', headers: ADMIN, body }));
}
const orderCount = async () => (await (await app.request('/api/health', { headers: ADMIN })).json()).rows.orders as number;
const canonicalOrders = (extra: Record<string, unknown> = {}) => ({
  name: 'orders-only',
  inputs: { orders: { match: 'orders' } },
  orders: { input: 'orders', key: 'order_id', fields: { order_id: 'order_id', channel: 'channel', created_at: 'created_at', promised_at: { column: 'promised_at', optional: true } } },
  ...extra,
});

describe('H4: date-times outside the accepted range', () => {
  test.each([
    ['9999-12-31', 'created_at'],
    ['294247-01-01', 'created_at'],
    ['infinity', 'created_at'],
    ['-infinity', 'created_at'],
    ['1969-12-31 23:59:59', 'created_at'],
    ['2200-01-01 00:00:00Z', 'created_at'],
  ])('%s is rejected with its line, and nothing is imported', async (value) => {
    const res = await upload('orders.csv', `order_id,channel,created_at\nA1,jd,2025-01-01 10:00:00\nA2,jd,${value}\n`);
    expect(res.status).toBe(422);
    expect(res.body.error.details.problems).toHaveLength(1);
    const [problem] = res.body.error.details.problems;
    expect(problem).toMatchObject({ file: 'orders.csv', line: 3, column: 'created_at' });
    expect(problem.reason).toMatch(
      new RegExp(`^(date-time '${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' is outside the accepted range 1970-01-01 to 2200-01-01 \\(set the mapping's "dateRange", or list placeholder values such as 9999-12-31 in "nullIf"\\)|not a date-time: '${value}' .*)$`),
    );
    expect(await orderCount()).toBe(0);
  });

  test('placeholders listed in nullIf read as empty; a mapping can widen the range', async () => {
    const csv = 'order_id,channel,created_at,promised_at\nB1,jd,2025-01-01 10:00:00,9999-12-31\nB2,jd,2025-01-02 10:00:00,0000-00-00\n';
    const res = await upload('orders.csv', csv, canonicalOrders({ nullIf: ['9999-12-31', '0000-00-00'] }));
    expect(res).toMatchObject({ status: 201, body: { ordersInserted: 2, rowsRejected: 0 } });
    const promised = await db.query(`SELECT order_id, promised_at FROM orders WHERE order_id LIKE 'B%' ORDER BY 1`);
    expect(promised).toEqual([
      { order_id: 'B1', promised_at: null },
      { order_id: 'B2', promised_at: null },
    ]);
    const wide = await upload('orders.csv', 'order_id,channel,created_at\nC1,jd,1950-06-01 10:00:00\n', canonicalOrders({ dateRange: { from: '1900-01-01', to: '2200-01-01' } }));
    expect(wide).toMatchObject({ status: 201, body: { ordersInserted: 1 } });
  });

  test('a bad dateRange is a 400 naming the key', async () => {
    const res = await upload('orders.csv', 'order_id,channel,created_at\n', canonicalOrders({ dateRange: { from: '0001-01-01', to: '2200-01-01' } }));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('the mapping field is not a valid mapping: dateRange.from: a date YYYY-MM-DD from 1000-01-01 to 9999-12-31');
  });
});

describe('H5: deeply nested JSON', () => {
  test('10,000 levels is a 400 with the line before DuckDB reads it, and the service goes on', async () => {
    const before = await orderCount();
    const res = await upload('orders.json', '['.repeat(10_000) + ']'.repeat(10_000));
    expect(res).toEqual({
      status: 400,
      body: {
        error: {
          code: 'unreadable_file',
          message: 'orders.json:1: JSON nested deeper than 64 levels; orders and events are flat records',
          details: { file: 'orders.json', line: 1, format: 'json' },
        },
      },
    });
    const ndjson = await upload('events.ndjson', '{"order_id": "A"}\n' + '{"a":'.repeat(100) + '1' + '}'.repeat(100) + '\n');
    expect(ndjson.body.error.message).toBe('events.ndjson:2: JSON nested deeper than 64 levels; orders and events are flat records');
    // Brackets inside strings are text, not nesting.
    const text = await upload('orders.json', JSON.stringify([{ order_id: '['.repeat(500), channel: 'jd', created_at: '2025-01-01T00:00:00Z' }]));
    expect(text).toMatchObject({ status: 201, body: { ordersInserted: 1 } });
    expect(await orderCount()).toBe(before + 1);
  });
});

describe('M5: mapping patterns and formats', () => {
  test.each([
    [{ inputs: { orders: { match: '(' } } }, 'inputs.orders.match: not a valid regular expression: /(/i: Unterminated group'],
    [{ inputs: { orders: { match: '^(a+)+$' } } }, "inputs.orders.match: '^(a+)+$' nests quantifiers (as in (a+)+), which can take exponential time; simplify it"],
    [{ timestampFormats: ['%Q'] }, "timestampFormats.0: '%Q' in '%Q' is not a strptime specifier (e.g. %Y-%m-%d %H:%M:%S)"],
    [{ timestampFormats: ['%%'] }, "timestampFormats.0: '%%' has no date or time specifier"],
  ])('%j is a 400 naming the key', async (change, message) => {
    const started = performance.now();
    const res = await upload('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!.csv', 'x\n', canonicalOrders(change));
    expect(res).toEqual({ status: 400, body: { error: { code: 'invalid_mapping', message: `the mapping field is not a valid mapping: ${message}`, details: { issues: [message] } } } });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test('every preset passes the same checks', async () => {
    const { PRESET_NAMES, presetMapping } = await import('../../server/import/presets.js');
    for (const name of PRESET_NAMES) expect(presetMapping(name).name).toBe(name);
  });
});
