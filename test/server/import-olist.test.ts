import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { OLIST_FILES, SHARED_DATA, importPreset, openStore, rows } from './helpers.js';

const OLIST = join(SHARED_DATA, 'olist');
const KAGGLE = join(SHARED_DATA, 'olist-kaggle-format');

describe('olist preset on the Excel re-saved export', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openStore();
  });
  afterAll(() => db.close());

  test('imports every order with its stage events, channel and amount from payments', async () => {
    const result = await importPreset(db, 'olist', OLIST_FILES.map((f) => join(OLIST, f)));
    expect(result).toMatchObject({
      ordersInserted: 9999,
      ordersUpdated: 0,
      rowsRejected: 0,
      totalProblems: 0,
      // Olist's status has no date of its own: the import says what that means.
      warnings: [
        'olist_orders_dataset.csv: statusStages has no "at" column: cancelled are stored without a time: counted as reached (and as settled, for a terminal stage), ' +
          'never in a duration or a funnel step; map the status\'s date as "at" to time them',
      ],
    });
    expect(result.rowsRead).toBe(9999 + 9998 + 9998 + 1500);
    // What each file gave, and which date-time columns carry times: the promise is a date (Excel's 0:00).
    expect(result.sources[0]).toEqual({
      input: 'orders',
      file: 'olist_orders_dataset.csv',
      columns: ['order_id', 'order_purchase_timestamp', 'order_estimated_delivery_date', 'customer_id', 'order_approved_at', 'order_delivered_carrier_date', 'order_delivered_customer_date', 'order_status'],
      stages: ['placed', 'paid', 'shipped', 'delivered', 'cancelled'],
      untimedStages: ['cancelled'],
      timePrecision: {
        // The Excel re-save keeps minutes, no seconds.
        order_purchase_timestamp: 'minute',
        order_estimated_delivery_date: 'date',
        order_approved_at: 'minute',
        order_delivered_carrier_date: 'minute',
        order_delivered_customer_date: 'minute',
      },
    });
    expect(await rows(db, `SELECT column_name, precision FROM source_columns WHERE source = 'olist' AND column_name LIKE '%estimated%'`)).toEqual([
      { column_name: 'order_estimated_delivery_date', precision: 'date' },
    ]);

    // Independent count, straight from the raw CSV: non-empty stage timestamps per column, plus status-derived cancellations.
    const [raw] = await rows(
      db,
      `SELECT count(order_purchase_timestamp)::INT AS placed, count(order_approved_at)::INT AS paid,
              count(order_delivered_carrier_date)::INT AS shipped, count(order_delivered_customer_date)::INT AS delivered,
              count(*) FILTER (order_status IN ('canceled', 'unavailable'))::INT AS cancelled
       FROM read_csv('${join(OLIST, 'olist_orders_dataset.csv')}', all_varchar = true)`,
    );
    const stored = await rows(db, `SELECT stage, count(*)::INT AS n FROM order_events GROUP BY stage`);
    expect(Object.fromEntries(stored.map((r) => [r.stage, r.n]))).toEqual(raw);
    expect(result.eventsInserted).toBe(Object.values(raw!).reduce((a: number, b) => a + (b as number), 0));
  });

  test('channel is the first payment type and amount the sum of payments, where payments join', async () => {
    const expected = await rows(
      db,
      `WITH p AS (SELECT * FROM read_csv('${join(OLIST, 'olist_order_payments_dataset.csv')}')),
            o AS (SELECT order_id FROM read_csv('${join(OLIST, 'olist_orders_dataset.csv')}')),
            firsts AS (SELECT order_id, arg_min(payment_type, payment_sequential) AS t, sum(payment_value) AS v FROM p GROUP BY order_id)
       SELECT coalesce(t, 'olist') AS channel, count(*)::INT AS n, round(sum(v), 2)::DOUBLE AS amount
       FROM o LEFT JOIN firsts USING (order_id) GROUP BY 1 ORDER BY 1`,
    );
    const actual = await rows(db, `SELECT channel, count(*)::INT AS n, sum(amount)::DOUBLE AS amount FROM orders GROUP BY 1 ORDER BY 1`);
    expect(actual).toEqual(expected);
    expect(actual.find((r) => r.channel === 'credit_card')?.n).toBeGreaterThan(700);
  });

  test('local Sao Paulo times become instants (UTC-3 before the 2017 DST change, UTC-2 during it)', async () => {
    const [order] = await rows(
      db,
      `SELECT strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M') AS created, strftime(promised_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M') AS promised
       FROM orders WHERE order_id = 'e481f51cbdc54678b7cc49136f2d6af7'`,
    );
    // 10/2/2017 10:56 local (UTC-3); 10/18/2017 0:00 local (DST began 15 Oct: UTC-2).
    expect(order).toEqual({ created: '2017-10-02T13:56', promised: '2017-10-18T02:00' });
  });

  test('importing the same files again changes nothing', async () => {
    const before = await rows(db, `SELECT (SELECT count(*) FROM orders)::INT AS o, (SELECT count(*) FROM order_events)::INT AS e`);
    const again = await importPreset(db, 'olist', OLIST_FILES.map((f) => join(OLIST, f)));
    expect(again).toMatchObject({ ordersInserted: 0, ordersUpdated: 0, ordersUnchanged: 9999, eventsInserted: 0 });
    expect(again.eventsDuplicate).toBeGreaterThan(39_000);
    expect(await rows(db, `SELECT (SELECT count(*) FROM orders)::INT AS o, (SELECT count(*) FROM order_events)::INT AS e`)).toEqual(before);
  });
});

describe('olist preset on the original Kaggle format', () => {
  test('reads quoted ids, seconds and files without a final newline', async () => {
    const db = await openStore();
    const result = await importPreset(db, 'olist', ['olist_orders_dataset.csv', 'olist_order_payments_dataset.csv', 'olist_order_items_dataset.csv'].map((f) => join(KAGGLE, f)));
    expect(result).toMatchObject({ ordersInserted: 4071, rowsRejected: 0 });
    const found = await rows(
      db,
      `SELECT order_id, strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S') AS created, channel, amount::DOUBLE AS amount FROM orders
       WHERE order_id IN ('53cdb2fc8bc7dce0b6741e2150273451', '55779fa8fe072d9f8c92d672154558f2') ORDER BY order_id`,
    );
    expect(found).toEqual([
      // No payment row: the mapping's default channel, amount unknown.
      { order_id: '53cdb2fc8bc7dce0b6741e2150273451', created: '2018-07-24T23:41:37', channel: 'olist', amount: null },
      { order_id: '55779fa8fe072d9f8c92d672154558f2', created: '2017-09-14T02:13:16', channel: 'boleto', amount: 233.66 },
    ]);
    await db.close();
  });
});
