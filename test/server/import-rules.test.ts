import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Database } from '../../server/db/database.js';
import { parseMapping } from '../../server/import/presets.js';
import { runImport } from '../../server/import/run-import.js';
import { FIXTURES, importPreset, openStore, rejectionOf, rows } from './helpers.js';

const IMPORT = join(FIXTURES, 'import');
let db: Database;
let dir: string;
beforeEach(async () => {
  db = await openStore();
  dir = mkdtempSync(join(tmpdir(), 'op-import-test-'));
});
afterEach(() => db.close());

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const storeCounts = () =>
  rows(db, `SELECT (SELECT count(*) FROM orders)::INT AS orders, (SELECT count(*) FROM order_events)::INT AS events, (SELECT count(*) FROM imports)::INT AS imports`);

describe('CSV dialects', () => {
  test('semicolons, a BOM, CRLF, offsets and no final newline', async () => {
    const result = await importPreset(db, 'canonical', [join(IMPORT, 'orders-semicolon-bom-crlf.csv')]);
    expect(result).toMatchObject({ ordersInserted: 3, rowsRejected: 0 });
    expect(
      await rows(db, `SELECT order_id, channel, strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M') AS utc, amount::DOUBLE AS amount FROM orders ORDER BY order_id`),
    ).toEqual([
      // No offset: read in the store's time zone, Asia/Shanghai (UTC+8).
      { order_id: 'A1', channel: 'tmall', utc: '2025-03-01 02:00', amount: 100.5 },
      // Channel codes are lower-cased; an explicit offset wins.
      { order_id: 'A2', channel: 'jd', utc: '2025-03-01 04:30', amount: 15 },
      { order_id: 'A3', channel: 'douyin', utc: '2025-03-02 01:15', amount: 20 },
    ]);
  });

  test('a quoted delimiter far below the lines the dialect is sniffed from', async () => {
    // DuckDB sniffs from the first 20,480 lines; none of these is quoted.
    const lines = Array.from({ length: 30_000 }, (_, i) => `T${i};tmall;2025-03-01 10:00:00;1`);
    const path = file('orders.csv', ['order_id;channel;created_at;sku', ...lines, 'Q1;tmall;2025-03-01 10:00:00;"a;b ""c"""'].join('\n'));
    expect(await importPreset(db, 'canonical', [path])).toMatchObject({ ordersInserted: 30_001, rowsRejected: 0 });
    expect(await rows(db, `SELECT sku FROM orders WHERE order_id = 'Q1'`)).toEqual([{ sku: 'a;b "c"' }]);
  });
});

describe('strict by default', () => {
  test('one bad row rejects the whole file, each problem as file:line column — reason', async () => {
    await importPreset(db, 'canonical', [join(IMPORT, 'orders-semicolon-bom-crlf.csv')]);
    const before = await storeCounts();
    const error = await rejectionOf(importPreset(db, 'canonical', [join(IMPORT, 'orders-with-errors.csv')]));
    expect(error.status).toBe(422);
    expect(error.code).toBe('import_rejected');
    expect(error.message).toBe(
      "6 problems in 6 rows; nothing was imported (first: orders-with-errors.csv:3 created_at — not a date-time: 'yesterday' (expected ISO 8601 or one of the mapping's timestampFormats))",
    );
    expect(error.details.problems).toEqual([
      { file: 'orders-with-errors.csv', line: 3, column: 'created_at', reason: "not a date-time: 'yesterday' (expected ISO 8601 or one of the mapping's timestampFormats)" },
      { file: 'orders-with-errors.csv', line: 4, column: 'amount', reason: "not a number: 'ten'" },
      { file: 'orders-with-errors.csv', line: 5, column: '', reason: 'Expected Number of Columns: 5 Found: 6' },
      { file: 'orders-with-errors.csv', line: 6, column: 'channel', reason: "channel 'tmall global' is not a channel code (lower-case letters, digits, _ . -)" },
      { file: 'orders-with-errors.csv', line: 7, column: 'order_id', reason: 'the order key is empty' },
      { file: 'orders-with-errors.csv', line: 9, column: 'order_id', reason: 'order tmall B1 appears again (first on line 2)' },
    ]);
    expect(await storeCounts()).toEqual(before);
  });

  test('onError=skip commits the valid rows and reports the rejected ones', async () => {
    const result = await importPreset(db, 'canonical', [join(IMPORT, 'orders-with-errors.csv')], 'skip');
    expect(result).toMatchObject({ rowsRead: 8, ordersInserted: 2, rowsRejected: 6, totalProblems: 6 });
    expect(await rows(db, `SELECT order_id, amount::DOUBLE AS amount FROM orders ORDER BY 1`)).toEqual([
      { order_id: 'B1', amount: 10 },
      { order_id: 'B7', amount: 7.25 },
    ]);
  });

  test('an event for an order that exists nowhere is rejected with its line', async () => {
    const events = file('events.csv', 'order_id,channel,at,type,stage\nZ9,tmall,2025-03-01 10:00:00,stage,paid\n');
    const error = await rejectionOf(importPreset(db, 'canonical', [events]));
    expect(error.details.problems).toEqual([
      { file: 'events.csv', line: 2, column: 'order_id', reason: 'no order Z9 in channel tmall (in the store or this import)' },
    ]);
  });

  test('unknown event types and stage events without a stage are named', async () => {
    await importPreset(db, 'canonical', [join(IMPORT, 'orders-semicolon-bom-crlf.csv')]);
    const events = file('events.csv', 'order_id,channel,at,type,stage\nA1,tmall,2025-03-01 10:00:00,phone_call,\nA1,tmall,2025-03-01 11:00:00,stage,\n');
    const error = await rejectionOf(importPreset(db, 'canonical', [events]));
    expect(error.details.problems).toEqual([
      { file: 'events.csv', line: 2, column: 'type', reason: "unknown event type 'phone_call' (expected stage, data_move, exception, expedite, contact)" },
      { file: 'events.csv', line: 3, column: 'stage', reason: 'a stage event needs a stage' },
    ]);
  });

  test('negative minutes and costs are named (friction is never negative)', async () => {
    await importPreset(db, 'canonical', [join(IMPORT, 'orders-semicolon-bom-crlf.csv')]);
    const events = file('events.csv', 'order_id,channel,at,type,minutes,cost\nA1,tmall,2025-03-01 10:00:00,contact,-5,\nA1,tmall,2025-03-01 11:00:00,expedite,,-20.5\n');
    const error = await rejectionOf(importPreset(db, 'canonical', [events]));
    expect(error.details.problems).toEqual([
      { file: 'events.csv', line: 2, column: 'minutes', reason: 'minutes is negative: -5.0' },
      { file: 'events.csv', line: 3, column: 'cost', reason: 'cost is negative: -20.50' },
    ]);
  });
});

describe('events and deduplication', () => {
  test('NDJSON events for orders in the store; an exact duplicate event is stored once', async () => {
    await importPreset(db, 'canonical', [join(IMPORT, 'orders-semicolon-bom-crlf.csv')]);
    const first = await importPreset(db, 'canonical', [join(IMPORT, 'events.ndjson')]);
    expect(first).toMatchObject({ rowsRead: 5, eventsInserted: 4, eventsDuplicate: 1 });
    const again = await importPreset(db, 'canonical', [join(IMPORT, 'events.ndjson')]);
    expect(again).toMatchObject({ eventsInserted: 0, eventsDuplicate: 5 });
    expect(
      await rows(db, `SELECT type, actor, minutes, cost::DOUBLE AS cost, strftime("at" AT TIME ZONE 'UTC', '%H:%M') AS utc FROM order_events ORDER BY "at"`),
    ).toEqual([
      { type: 'stage', actor: null, minutes: null, cost: null, utc: '02:00' },
      { type: 'data_move', actor: 'clerk-1', minutes: null, cost: null, utc: '03:00' },
      { type: 'exception', actor: 'clerk-2', minutes: 30, cost: null, utc: '04:00' },
      // 2025-03-02 09:00 in Shanghai: the latest event.
      { type: 'expedite', actor: null, minutes: null, cost: 120.5, utc: '01:00' },
    ]);
  });

  test('copies of one event in a file that disagree on minutes or cost keep the largest of each, whatever the line order', async () => {
    await importPreset(db, 'canonical', [join(IMPORT, 'orders-semicolon-bom-crlf.csv')]);
    const copy = (minutes: number, cost: string) => `A1,tmall,2025-03-01T04:00:00Z,exception,,clerk-2,${minutes},${cost}`;
    const events = file('events.csv', ['order_id,channel,at,type,stage,actor,minutes,cost', copy(30, ''), copy(45, '7'), copy(20, '')].join('\n'));
    expect(await importPreset(db, 'canonical', [events])).toMatchObject({ eventsInserted: 1, eventsDuplicate: 2 });
    expect(await rows(db, `SELECT minutes, cost::DOUBLE AS cost FROM order_events`)).toEqual([{ minutes: 45, cost: 7 }]);
  });

  test('orders and events in one import, from JSON and Parquet', async () => {
    const orders = file('orders.json', JSON.stringify([{ order_id: 'J1', channel: 'wechat', created_at: '2025-05-01T08:00:00Z', amount: 12.3, currency: 'CNY' }]));
    const parquetSource = file('events-source.csv', 'order_id,channel,at,type,stage\nJ1,wechat,2025-05-01T09:00:00Z,stage,paid\n');
    const parquet = join(dir, 'events.parquet');
    await db.query(`COPY (SELECT * FROM read_csv('${parquetSource}')) TO '${parquet}' (FORMAT parquet)`);
    const result = await importPreset(db, 'canonical', [orders, parquet]);
    expect(result).toMatchObject({ ordersInserted: 1, eventsInserted: 1, rowsRejected: 0 });
    expect(await rows(db, `SELECT stage, strftime("at" AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M') AS utc FROM order_events`)).toEqual([
      { stage: 'paid', utc: '2025-05-01T09:00' },
    ]);
  });

  test('typed Parquet date-times: instants as they are, wall times in the time zone, as from text', async () => {
    const parquet = join(dir, 'orders.parquet');
    await db.query(
      `COPY (SELECT * FROM (VALUES
         ('P1', 'tmall', TIMESTAMPTZ '2025-05-01 08:00:00+00', TIMESTAMP '2025-05-03 10:00:00'),
         ('P2', 'jd', TIMESTAMPTZ '2025-05-02 23:30:00+00', NULL),
         ('P3', 'jd', NULL, TIMESTAMP '2025-05-03 10:00:00')) t(order_id, channel, created_at, promised_at)) TO '${parquet}' (FORMAT parquet)`,
    );
    const result = await importPreset(db, 'canonical', [parquet], 'skip');
    expect(result).toMatchObject({ ordersInserted: 2, rowsRejected: 1 });
    expect(result.problems).toEqual([{ file: 'orders.parquet', line: 3, column: 'created_at', reason: 'created_at is empty' }]);
    const stored = `SELECT order_id, strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M') AS created, strftime(promised_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M') AS promised
                    FROM orders ORDER BY order_id`;
    // A wall time is read in the store's time zone, Asia/Shanghai (UTC+8).
    const expected = [
      { order_id: 'P1', created: '2025-05-01 08:00', promised: '2025-05-03 02:00' },
      { order_id: 'P2', created: '2025-05-02 23:30', promised: null },
    ];
    expect(await rows(db, stored)).toEqual(expected);
    const fromText = await openStore();
    try {
      const csv = file('orders.csv', 'order_id,channel,created_at,promised_at\nP1,tmall,2025-05-01 08:00:00+00,2025-05-03 10:00:00\nP2,jd,2025-05-02T23:30:00Z,\n');
      await importPreset(fromText, 'canonical', [csv]);
      expect(await rows(fromText, stored)).toEqual(expected);
    } finally {
      await fromText.close();
    }
  });

  test("an upsert takes the newer file's word, an emptied cell included; a column the file lacks keeps its value", async () => {
    await importPreset(db, 'canonical', [file('orders.csv', 'order_id,channel,created_at,amount,region,sku\nU1,jd,2025-01-01 00:00:00,5.00,east,S1\n')]);
    const result = await importPreset(db, 'canonical', [file('orders.csv', 'order_id,channel,created_at,amount,region\nU1,jd,2025-01-01 00:00:00,6.00,\n')]);
    expect(result).toMatchObject({ ordersInserted: 0, ordersUpdated: 1, ordersUnchanged: 0 });
    expect(await rows(db, `SELECT amount::DOUBLE AS amount, region, sku FROM orders`)).toEqual([{ amount: 6, region: null, sku: 'S1' }]);
  });
});

describe('shopify preset', () => {
  test('line items group into one order; paid, fulfilled, cancelled and refunded become stages', async () => {
    const result = await importPreset(db, 'shopify', [join(IMPORT, 'shopify_orders_export.csv')]);
    expect(result).toMatchObject({ rowsRead: 4, ordersInserted: 3, rowsRejected: 0 });
    expect(
      await rows(db, `SELECT order_id, channel, quantity, amount::DOUBLE AS amount, currency, sku, region, customer_id FROM orders ORDER BY order_id`),
    ).toEqual([
      { order_id: '#1001', channel: 'shopify', quantity: 3, amount: 55, currency: 'USD', sku: 'TEE-BL', region: 'US', customer_id: 'ann@example.com' },
      { order_id: '#1002', channel: 'shopify', quantity: 1, amount: 30, currency: 'USD', sku: 'MUG-1', region: 'CA', customer_id: 'bob@example.com' },
      { order_id: '#1003', channel: 'shopify', quantity: 1, amount: 12, currency: 'USD', sku: 'PIN-1', region: 'US', customer_id: 'cy@example.com' },
    ]);
    expect(
      await rows(db, `SELECT order_id, stage, strftime("at" AT TIME ZONE 'UTC', '%m-%d %H:%M') AS utc FROM order_events ORDER BY order_id, "at", stage`),
    ).toEqual([
      { order_id: '#1001', stage: 'placed', utc: '01-15 15:30' },
      { order_id: '#1001', stage: 'paid', utc: '01-15 15:32' },
      { order_id: '#1001', stage: 'shipped', utc: '01-16 14:00' },
      { order_id: '#1002', stage: 'placed', utc: '01-16 12:59' },
      { order_id: '#1002', stage: 'paid', utc: '01-16 13:00' },
      { order_id: '#1002', stage: 'shipped', utc: '01-17 17:00' },
      // Refunds carry no time in the export: stored untimed (no duration can use one).
      { order_id: '#1002', stage: 'refunded', utc: null },
      { order_id: '#1003', stage: 'placed', utc: '01-18 01:00' },
      { order_id: '#1003', stage: 'cancelled', utc: '01-18 13:00' },
    ]);
  });
});

describe('caller mistakes', () => {
  test('an unknown preset, an unmatched file, an unreadable file, a bad mapping', async () => {
    const { presetMapping } = await import('../../server/import/presets.js');
    expect(() => presetMapping('sap')).toThrow("unknown preset 'sap'; presets are canonical, marketplace-order-report, olist, shopify");
    const unmatched = await rejectionOf(importPreset(db, 'olist', [file('sales.csv', 'a\n1\n')]));
    expect([unmatched.status, unmatched.message]).toEqual([
      400,
      "sales.csv: matches no input of mapping 'olist'; its inputs are orders (/olist_orders_dataset/), payments (/olist_order_payments_dataset/), items (/olist_order_items_dataset/), products (/olist_products_dataset/)",
    ]);
    const garbage = await rejectionOf(importPreset(db, 'canonical', [file('orders.parquet', 'not parquet at all')]));
    expect(garbage.status).toBe(400);
    expect(garbage.code).toBe('unreadable_file');
    expect(garbage.message).toMatch(/^orders\.parquet: not a readable PARQUET file \(/);
    expect(garbage.message).not.toContain(dir);
    expect(() => parseMapping({ name: 'x', inputs: {}, orders: { input: 'o', key: 'id', fields: {} } })).toThrow("input 'o' is not declared");
    const missingColumn = await rejectionOf(importPreset(db, 'canonical', [file('orders.csv', 'id,channel\n1,jd\n')]));
    expect(missingColumn.message).toBe("orders.csv: the mapping 'canonical' needs column 'order_id' (for order key), 'order_id' (for order_id), 'created_at' (for created_at); mark a column \"optional\": true if the file may lack it");
    expect(await storeCounts()).toEqual([{ orders: 0, events: 0, imports: 0 }]);
  });

  test('a custom mapping file: constants, a status column and a day-first format', async () => {
    const mapping = parseMapping({
      name: 'erp-export',
      timeZone: 'Europe/Berlin',
      timestampFormats: ['%d.%m.%Y %H:%M'],
      inputs: { orders: { match: 'erp', delimiter: '|' } },
      orders: {
        input: 'orders',
        key: 'Beleg',
        fields: { order_id: 'Beleg', channel: { value: 'offline' }, created_at: 'Datum', amount: 'Betrag', currency: { value: 'EUR' } },
        stages: { placed: 'Datum', shipped: 'Versand' },
        statusStages: { column: 'Status', values: { STORNO: 'cancelled' } },
      },
    });
    const path = file('erp.csv', 'Beleg|Datum|Versand|Betrag|Status\nX-1|31.01.2025 09:00|01.02.2025 10:00|99.90|OK\nX-2|31.01.2025 10:00||5|storno\n');
    const result = await runImport(db, { mapping, files: [{ path }] });
    expect(result).toMatchObject({ ordersInserted: 2, eventsInserted: 4 });
    expect(
      await rows(db, `SELECT order_id, stage, strftime("at" AT TIME ZONE 'UTC', '%d %H:%M') AS utc FROM order_events ORDER BY order_id, "at", stage`),
    ).toEqual([
      { order_id: 'X-1', stage: 'placed', utc: '31 08:00' },
      { order_id: 'X-1', stage: 'shipped', utc: '01 09:00' },
      { order_id: 'X-2', stage: 'placed', utc: '31 09:00' },
      { order_id: 'X-2', stage: 'cancelled', utc: null },
    ]);
  });
});

describe('channel codes', () => {
  test('lower-cased whether the orders file or a lookup gives them', async () => {
    const mapping = parseMapping({
      name: 'orders-and-payments',
      inputs: { orders: { match: 'orders' }, payments: { match: 'payments' } },
      orders: {
        input: 'orders',
        key: 'id',
        fields: { order_id: 'id', channel: 'shop', created_at: 'created' },
        lookups: [{ input: 'payments', key: 'order', fields: { channel: 'via' } }],
      },
    });
    const orders = file('orders.csv', 'id,shop,created\nL1,TMALL,2025-03-01 10:00:00\nL2,,2025-03-01 11:00:00\n');
    const payments = file('payments.csv', 'order,via\nL2,JD_Pay\n');
    expect(await runImport(db, { mapping, files: [{ path: orders }, { path: payments }] })).toMatchObject({ ordersInserted: 2, rowsRejected: 0 });
    expect(await rows(db, `SELECT order_id, channel FROM orders ORDER BY order_id`)).toEqual([
      { order_id: 'L1', channel: 'tmall' },
      { order_id: 'L2', channel: 'jd_pay' },
    ]);
    await importPreset(db, 'canonical', [file('orders.csv', 'order_id,channel,created_at\nC1,Douyin,2025-03-01 12:00:00\n')]);
    expect(await rows(db, `SELECT channel FROM orders WHERE order_id = 'C1'`)).toEqual([{ channel: 'douyin' }]);
  });
});

describe('first stage times kept at import', () => {
  test("after orders, events, an upsert and a re-import, each order's stage lists equal a recomputation from scratch", async () => {
    await importPreset(db, 'canonical', [join(IMPORT, 'orders-semicolon-bom-crlf.csv')]);
    await importPreset(db, 'canonical', [join(IMPORT, 'events.ndjson')]);
    // A new created_at moves `placed`; an earlier paid event replaces nothing but adds a stage.
    await importPreset(db, 'canonical', [file('orders.csv', 'order_id,channel,created_at,amount\nA1,tmall,2025-03-01 08:00:00,100.50\n')]);
    await importPreset(db, 'canonical', [file('events.csv', 'order_id,channel,at,type,stage\nA3,douyin,2025-03-02 10:00:00,stage,paid\n')]);
    await importPreset(db, 'canonical', [join(IMPORT, 'events.ndjson')]);
    const [diff] = await rows(
      db,
      `WITH fresh AS (
         SELECT tenant_id, channel, order_id, stage, min("at") AS "at" FROM (
           SELECT tenant_id, channel, order_id, stage, "at" FROM order_events WHERE type = 'stage'
           UNION ALL SELECT tenant_id, channel, order_id, 'placed', created_at FROM orders) GROUP BY ALL
       ), kept AS (
         SELECT f.tenant_id, f.channel, f.order_id, k.stage, f.stage_at[i] AS "at"
         FROM (SELECT *, generate_subscripts(stage_keys, 1) AS i FROM order_facts) f JOIN stage_keys k ON k.key = f.stage_keys[i]
       )
       SELECT (SELECT count(*) FROM (SELECT * FROM fresh EXCEPT SELECT * FROM kept))::INT AS missing,
              (SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM fresh))::INT AS stale,
              (SELECT count(*) FROM kept)::INT AS total`,
    );
    expect(diff).toEqual({ missing: 0, stale: 0, total: 4 });
  });
});

describe('out of memory', () => {
  test('an import past the memory limit is a 503 that says so, writes nothing, and the store goes on working', async () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `T${i},tmall,2025-03-01 10:00:00,sku-${i}`);
    const big = file('orders.csv', ['order_id,channel,created_at,sku', ...lines].join('\n'));
    // Opens a store with `memoryLimit`, where the import runs out of memory and leaves nothing behind.
    const outOfMemory = async (memoryLimit: string) => {
      const store = await Database.open({ path: ':memory:', memoryLimit });
      const error = await rejectionOf(importPreset(store, 'canonical', [big]));
      expect(error).toMatchObject({ status: 503, code: 'out_of_memory' });
      expect(error.message).toMatch(/^the request needed more memory than the store's limit \(\d+\.\d MiB; ORDERPULSE_MEMORY_LIMIT\) and was stopped; nothing was written/);
      expect(await rows(store, 'SELECT (SELECT count(*) FROM orders)::INT AS orders, (SELECT count(*) FROM imports)::INT AS imports')).toEqual([{ orders: 0, imports: 0 }]);
      return store;
    };
    // 32 MB runs out while reading the file (not the file's fault): too little for the CSV reader's 30 MB buffer
    // besides the store's own (at 24 MB, opening the store itself ran out one time in eight).
    await (await outOfMemory('32MB')).close();
    // 56 MB runs out later, while staging or committing; a small import then lands (at 48 MB the
    // small one itself ran out one time in two once the store had more tables and macros).
    const store = await outOfMemory('56MB');
    try {
      expect(await importPreset(store, 'canonical', [join(IMPORT, 'orders-semicolon-bom-crlf.csv')])).toMatchObject({ ordersInserted: 3 });
    } finally {
      await store.close();
    }
  });
});
