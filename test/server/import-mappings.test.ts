import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseMapping } from '../../server/import/presets.js';
import { runImport } from '../../server/import/run-import.js';
import { openStore, rejectionOf, rows, testApp } from './helpers.js';
import { metricRows } from './metrics-helpers.js';

/** Mappings as real exports need them, and the mistakes they must refuse loudly. */

const dir = mkdtempSync(join(tmpdir(), 'op-mappings-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const report = (extra: Record<string, unknown> = {}, fields: Record<string, unknown> = {}) =>
  parseMapping({
    name: 'order-report',
    inputs: { orders: { match: 'report' } },
    orders: {
      input: 'orders',
      key: 'Order',
      fields: { order_id: 'Order', channel: { column: 'Ship Mode', normalize: 'slug' }, created_at: 'Date', amount: { column: 'Amount', agg: 'sum' }, ...fields },
      multiLine: true,
      ...extra,
    },
  });
const CSV = [
  'Order,Ship Mode,Date,Amount,Status,Status Date,Shipped',
  'A1,Second Class,2025-03-01 10:00:00,10.005,Shipped - Delivered to Buyer,2025-03-04 09:00:00,2025-03-02 08:00:00',
  'A1,Second Class,2025-03-01 10:00:00,10.005,Shipped - Delivered to Buyer,2025-03-04 09:00:00,2025-03-02 08:00:00',
  'A2,Standard Class,2025-03-01 11:00:00,0.333,Cancelled,2025-03-01 12:00:00,',
  'A2,Standard Class,2025-03-01 11:00:00,0.333,Cancelled,2025-03-01 12:00:00,',
  'A2,Standard Class,2025-03-01 11:00:00,0.333,Cancelled,2025-03-01 12:00:00,',
].join('\n');

describe('mappings that fit real exports', () => {
  test('values normalised to channel codes, or mapped with a default; sums rounded once', async () => {
    const db = await openStore();
    await runImport(db, { mapping: report({}, {}), files: [{ path: file('report.csv', CSV) }] });
    expect(await rows(db, `SELECT order_id, channel, amount::VARCHAR AS amount FROM orders ORDER BY 1`)).toEqual([
      { order_id: 'A1', channel: 'second_class', amount: '20.01' },
      // Rounded per line before summing this was 0.99.
      { order_id: 'A2', channel: 'standard_class', amount: '1.00' },
    ]);
    const mapped = report({}, { channel: { column: 'Ship Mode', map: { 'Second Class': 'economy' }, default: 'other' } });
    const other = await openStore();
    await runImport(other, { mapping: mapped, files: [{ path: file('report.csv', CSV) }] });
    expect(await rows(other, `SELECT channel FROM orders ORDER BY order_id`)).toEqual([{ channel: 'economy' }, { channel: 'other' }]);
    await Promise.all([db.close(), other.close()]);
  });

  test('amounts past a hundred million, and ten decimals, are read exactly before the one rounding', async () => {
    const db = await openStore();
    const lines = ['Order,Ship Mode,Date,Amount', 'B1,Air,2025-03-01 10:00:00,150000000.0025', 'B1,Air,2025-03-01 10:00:00,150000000.0025',
      'B2,Air,2025-03-01 10:00:00,0.0000000004', 'B2,Air,2025-03-01 10:00:00,0.0049999995', 'B3,Air,2025-03-01 10:00:00,1e3'];
    await runImport(db, { mapping: report(), files: [{ path: file('report-big.csv', lines.join('\n')) }] });
    // 300000000.005 rounds up (lines past 10^8 take the wide path); 0.0049999999 rounds down,
    // which it would not if a line were read at fewer decimals (0.0049999995 → 0.005000).
    expect(await rows(db, `SELECT order_id, amount::VARCHAR AS amount FROM orders ORDER BY 1`)).toEqual([
      { order_id: 'B1', amount: '300000000.01' },
      { order_id: 'B2', amount: '0.00' },
      { order_id: 'B3', amount: '1000.00' },
    ]);
    await db.close();
  });

  test('a status with its own date, one value standing for two stages', async () => {
    const db = await openStore();
    const mapping = report({
      stages: { placed: 'Date', shipped: 'Shipped' },
      statusStages: { column: 'Status', at: 'Status Date', values: { 'Shipped - Delivered to Buyer': ['shipped', 'delivered'], Cancelled: 'cancelled' } },
    });
    const result = await runImport(db, { mapping, files: [{ path: file('report.csv', CSV) }] });
    expect(result.warnings).toEqual([]);
    expect(await rows(db, `SELECT order_id, stage, strftime("at" AT TIME ZONE 'Asia/Shanghai', '%m-%d %H:%M') AS at, origin FROM order_events ORDER BY 1, 3, 2`)).toEqual([
      { order_id: 'A1', stage: 'placed', at: '03-01 10:00', origin: 'order-report/Date' },
      { order_id: 'A1', stage: 'shipped', at: '03-02 08:00', origin: 'order-report/Shipped' },
      { order_id: 'A1', stage: 'delivered', at: '03-04 09:00', origin: 'order-report/status:Status' },
      { order_id: 'A1', stage: 'shipped', at: '03-04 09:00', origin: 'order-report/status:Status' },
      { order_id: 'A2', stage: 'placed', at: '03-01 11:00', origin: 'order-report/Date' },
      { order_id: 'A2', stage: 'cancelled', at: '03-01 12:00', origin: 'order-report/status:Status' },
    ]);
    // Shipped is its first time: the column's, not the status date.
    const [cycle] = await metricRows(testApp(db), '/api/metrics/cycle-time?fromStage=placed&toStage=shipped');
    expect(cycle).toMatchObject({ orders: 1, mean_hours: 22 });
    await db.close();
  });

  test('a status without its date: the stages it names are reached, untimed, and no duration uses them', async () => {
    const db = await openStore();
    const mapping = report({
      stages: { placed: 'Date', shipped: 'Shipped' },
      statusStages: { column: 'Status', values: { 'Shipped - Delivered to Buyer': ['shipped', 'delivered'], Cancelled: 'cancelled' } },
    });
    const path = file('report.csv', CSV);
    const result = await runImport(db, { mapping, files: [{ path }] });
    expect(result.sources[0]).toMatchObject({ stages: ['placed', 'shipped', 'delivered', 'cancelled'], untimedStages: ['shipped', 'delivered', 'cancelled'] });
    expect(result.warnings).toEqual([
      'report.csv: statusStages has no "at" column: shipped, delivered, cancelled are stored without a time: counted as reached (and as settled, ' +
        'for a terminal stage), never in a duration or a funnel step; map the status\'s date as "at" to time them',
    ]);
    expect(await rows(db, `SELECT order_id, stage, strftime("at" AT TIME ZONE 'Asia/Shanghai', '%m-%d %H:%M') AS at FROM order_events ORDER BY 1, 3 NULLS LAST, 2`)).toEqual([
      { order_id: 'A1', stage: 'placed', at: '03-01 10:00' },
      { order_id: 'A1', stage: 'shipped', at: '03-02 08:00' },
      { order_id: 'A1', stage: 'delivered', at: null },
      { order_id: 'A1', stage: 'shipped', at: null },
      { order_id: 'A2', stage: 'placed', at: '03-01 11:00' },
      { order_id: 'A2', stage: 'cancelled', at: null },
    ]);
    const app = testApp(db);
    // Shipped has its column's time; delivered none, so placed → delivered measures no order (it
    // measured 22 h, to the latest known time, before).
    expect(await metricRows(app, '/api/metrics/cycle-time?fromStage=placed&toStage=shipped')).toMatchObject([{ orders: 1, mean_hours: 22 }]);
    expect(await metricRows(app, '/api/metrics/cycle-time?fromStage=placed&toStage=delivered')).toEqual([]);
    // Both orders reached a terminal stage (delivered, cancelled), untimed: neither is stuck.
    expect(await metricRows(app, '/api/metrics/stuck-orders?asOf=2025-03-10T00:00:00')).toEqual([]);
    // The same export again: its untimed claims match the stored ones, nothing changes.
    const again = await runImport(db, { mapping, files: [{ path }] });
    expect(again).toMatchObject({ ordersUnchanged: 2, eventsInserted: 0, eventsUpdated: 0, eventsRemoved: 0, dataVersion: result.dataVersion });
    await db.close();
  });

  test('a custom pipeline declared in the mapping: view → cart → purchase, metrics answer at once', async () => {
    const db = await openStore();
    const mapping = parseMapping({
      name: 'web-shop',
      pipeline: ['view', 'cart', 'purchase'],
      inputs: { orders: { match: 'sessions' } },
      orders: { input: 'orders', key: 'id', fields: { order_id: 'id', channel: { value: 'web' }, created_at: 'viewed' }, stages: { view: 'viewed', cart: 'carted', purchase: 'bought' } },
    });
    await runImport(db, {
      mapping,
      files: [{ path: file('sessions.csv', 'id,viewed,carted,bought\nS1,2025-03-01 10:00:00,2025-03-01 10:05:00,2025-03-01 10:20:00\nS2,2025-03-01 11:00:00,2025-03-01 11:30:00,\nS3,2025-03-01 12:00:00,,\n') }],
    });
    const app = testApp(db);
    const steps = await metricRows(app, '/api/metrics/stage-breakdown');
    expect(steps.map((s) => [s.from_stage, s.to_stage, s.orders])).toEqual([
      ['view', 'cart', 2],
      ['cart', 'purchase', 1],
    ]);
    const funnel = await metricRows(app, '/api/metrics/channel-funnel');
    expect(funnel.map((r) => [r.step_name ?? r.step, r.orders])).toEqual([
      ['view', 3],
      ['cart', 2],
      ['purchase', 1],
    ]);
    expect(JSON.parse((await rows(db, `SELECT settings FROM tenants`))[0]!.settings as string).pipeline).toEqual(['view', 'cart', 'purchase']);
    await db.close();
  });
});

describe('strict by default', () => {
  test("a misspelt stage in a mapping is a 400 naming it and the closest known one", async () => {
    const db = await openStore();
    const error = await rejectionOf(runImport(db, { mapping: report({ stages: { shiped: 'Shipped' } }), files: [{ path: file('report.csv', CSV) }] }));
    expect(error).toMatchObject({
      status: 400,
      code: 'invalid_mapping',
      message: `orders.stages.shiped: 'shiped' is not a stage of tenant 'default' (its pipeline, terminal stages or DOMAIN.md's); did you mean 'shipped'? Declare custom stages in the mapping's "pipeline" or "customStages"`,
    });
    await db.close();
  });

  /** The problems of a canonical import of order E1 (jd) with one events-file line, and how many orders it left stored. */
  async function eventLineProblems(eventLine: string): Promise<{ problems: unknown; stored: unknown }> {
    const db = await openStore();
    const canonical = (await import('../../server/import/presets.js')).presetMapping('canonical');
    const error = await rejectionOf(
      runImport(db, {
        mapping: canonical,
        files: [{ path: file('orders.csv', 'order_id,channel,created_at\nE1,jd,2025-03-01 10:00:00\n') }, { path: file('events.csv', `order_id,channel,at,type,stage\n${eventLine}\n`) }],
      }),
    );
    const [stored] = await rows(db, 'SELECT count(*)::INT AS n FROM orders');
    await db.close();
    return { problems: error.details.problems, stored };
  }

  test('a misspelt stage in an events file is rejected with its line', async () => {
    expect(await eventLineProblems('E1,jd,2025-03-02 10:00:00,stage,shiped')).toEqual({
      problems: [
        { file: 'events.csv', line: 2, column: 'stage', reason: `stage 'shiped' is not one the tenant knows; did you mean 'shipped'? Declare custom stages in the mapping's "pipeline" or "customStages"` },
      ],
      stored: { n: 0 },
    });
  });

  test("an events file's channel that is no channel code is rejected with its line and what a code is, as in an orders file", async () => {
    expect(await eventLineProblems('E1,JD Global,2025-03-02 10:00:00,stage,shipped')).toEqual({
      problems: [
        { file: 'events.csv', line: 2, column: 'channel', reason: "channel 'jd global' is not a channel code (lower-case letters, digits, _ . -)" },
        { file: 'events.csv', line: 2, column: 'order_id', reason: 'no order E1 in channel jd global (in the store or this import)' },
      ],
      stored: { n: 0 },
    });
  });

  test('a mapped column the file lacks is a 400 unless optional; then a warning', async () => {
    const db = await openStore();
    const strict = report({ stages: { shipped: 'Ship Dat' } });
    const error = await rejectionOf(runImport(db, { mapping: strict, files: [{ path: file('report.csv', CSV) }] }));
    expect(error.message).toBe(`report.csv: the mapping 'order-report' needs column 'Ship Dat' (for shipped); mark a column "optional": true if the file may lack it`);
    const optional = report({ stages: { shipped: { column: 'Ship Dat', optional: true } } });
    const result = await runImport(db, { mapping: optional, files: [{ path: file('report.csv', CSV) }] });
    expect(result.warnings).toEqual(["report.csv: no column 'Ship Dat'; shipped is left as stored (or empty)"]);
    await db.close();
  });

  test('typos in enum values list the allowed ones; an empty file says so; a cost nothing prices is a warning', async () => {
    expect(() => report({}, { amount: { column: 'Amount', agg: 'summ' } })).toThrow("orders.fields.amount.agg: 'summ' is not an agg; aggs are first, sum, count, min, max");
    const db = await openStore();
    const canonical = (await import('../../server/import/presets.js')).presetMapping('canonical');
    expect(await rejectionOf(runImport(db, { mapping: canonical, files: [{ path: file('empty-orders.csv', '') }] }))).toMatchObject({
      status: 400,
      message: 'empty-orders.csv: the file is empty (not even a header line)',
    });
    const result = await runImport(db, {
      mapping: canonical,
      files: [{ path: file('orders.csv', 'order_id,channel,created_at\nW1,jd,2025-03-01 10:00:00\n') }, { path: file('events.csv', 'order_id,channel,at,type,minutes,cost\nW1,jd,2025-03-01 11:00:00,exception,20,35.00\n') }],
    });
    expect(result.warnings.at(-1)).toEqual(
      'events.csv: 1 exception event carry a cost, which friction-cost does not count: only expedites are priced by their cost; exceptions and contacts by their minutes, data moves by the settings',
    );
    await db.close();
  });
});

describe('marketplace-order-report preset', () => {
  test("a report with a status column and its date: stages at the status date, the channel as a code, items summed", async () => {
    const db = await openStore();
    const { presetMapping } = await import('../../server/import/presets.js');
    const path = file(
      'all-orders-report.csv',
      [
        'amazon-order-id,purchase-date,last-updated-date,order-status,sales-channel,sku,quantity,currency,item-price,ship-country',
        '111-1,2024-03-01T10:00:00+00:00,2024-03-05T08:00:00+00:00,Shipped - Delivered to Buyer,Amazon.com,SKU-A,1,USD,19.99,US',
        '111-1,2024-03-01T10:00:00+00:00,2024-03-05T08:00:00+00:00,Shipped - Delivered to Buyer,Amazon.com,SKU-B,2,USD,5.01,US',
        '111-2,2024-03-02T12:00:00+00:00,2024-03-02T13:00:00+00:00,Cancelled,Amazon.co.uk,SKU-C,1,GBP,7.50,GB',
        '111-3,2024-03-03T09:00:00+00:00,2024-03-03T09:00:00+00:00,Pending,Amazon.com,SKU-A,1,USD,19.99,US',
      ].join('\n'),
    );
    const result = await runImport(db, { mapping: presetMapping('marketplace-order-report'), files: [{ path }] });
    expect(result).toMatchObject({ ordersInserted: 3, rowsRejected: 0, warnings: [] });
    expect(await rows(db, `SELECT order_id, channel, quantity, amount::VARCHAR AS amount, currency FROM orders ORDER BY 1`)).toEqual([
      { order_id: '111-1', channel: 'amazon_com', quantity: 3, amount: '25.00', currency: 'USD' },
      { order_id: '111-2', channel: 'amazon_co_uk', quantity: 1, amount: '7.50', currency: 'GBP' },
      { order_id: '111-3', channel: 'amazon_com', quantity: 1, amount: '19.99', currency: 'USD' },
    ]);
    const [cycle] = await metricRows(testApp(db), '/api/metrics/cycle-time');
    expect(cycle).toMatchObject({ orders: 1, mean_hours: 94 });
    await db.close();
  });
});
