import { describe, expect, test } from 'vitest';
import { generateDemoData } from '../../server/demo/generate-demo-data.js';
import { openStore, rows, testApp } from './helpers.js';

describe('demo data', () => {
  test('is deterministic for a seed and tells the stories of DOMAIN.md', async () => {
    const fingerprint = async (seed: number) => {
      const db = await openStore();
      const result = await generateDemoData(db, { orders: 5000, seed });
      const [fp] = await rows(
        db,
        `SELECT (SELECT sum(hash(order_id, channel, created_at, amount, promotion_id)) FROM orders)::VARCHAR AS orders,
                (SELECT sum(hash(order_id, "at", type, stage, actor, minutes, cost)) FROM order_events)::VARCHAR AS events`,
      );
      return { db, result, fp };
    };
    const a = await fingerprint(7);
    const b = await fingerprint(7);
    const c = await fingerprint(8);
    expect(a.fp).toEqual(b.fp);
    expect(a.fp).not.toEqual(c.fp);
    expect(a.result).toMatchObject({ orders: 5000, promotions: 6 });
    await b.db.close();
    await c.db.close();

    const db = a.db;
    expect((await rows(db, `SELECT DISTINCT channel FROM orders ORDER BY 1`)).map((r) => r.channel)).toEqual(['douyin', 'jd', 'offline', 'tmall', 'wechat']);
    // Douyin loses about 19 % of paid orders before shipping; the others a few per cent.
    const loss = await rows(
      db,
      `WITH s AS (SELECT channel, order_id, bool_or(stage = 'paid') AS paid, bool_or(stage = 'shipped') AS shipped FROM order_events GROUP BY ALL)
       SELECT channel, round(1 - count(*) FILTER (shipped)::DOUBLE / count(*) FILTER (paid), 2) AS lost FROM s GROUP BY channel ORDER BY channel`,
    );
    const lost = Object.fromEntries(loss.map((r) => [r.channel, r.lost as number]));
    expect(lost.douyin).toBeGreaterThan(0.15);
    expect(lost.douyin).toBeLessThan(0.23);
    expect(lost.tmall).toBeLessThan(0.06);
    // The go-live halves data moves and more; the complex size matrix has the most exceptions.
    const [moves] = await rows(
      db,
      `SELECT (SELECT count(*) FROM order_events e JOIN orders o USING (channel, order_id) WHERE type = 'data_move' AND o.created_at < '2025-07-01 00:00:00+08')::DOUBLE
            / (SELECT count(*) FROM orders WHERE created_at < '2025-07-01 00:00:00+08') AS before,
              (SELECT count(*) FROM order_events e JOIN orders o USING (channel, order_id) WHERE type = 'data_move' AND o.created_at >= '2025-07-01 00:00:00+08')::DOUBLE
            / (SELECT count(*) FROM orders WHERE created_at >= '2025-07-01 00:00:00+08') AS after`,
    );
    expect(moves!.before as number).toBeGreaterThan(2.5);
    expect(moves!.after as number).toBeLessThan(1);
    const [worst] = await rows(
      db,
      `SELECT sku_series FROM orders o LEFT JOIN (SELECT DISTINCT channel, order_id FROM order_events WHERE type = 'exception') x USING (channel, order_id)
       GROUP BY sku_series ORDER BY avg((x.order_id IS NOT NULL)::INT) DESC LIMIT 1`,
    );
    expect(worst).toEqual({ sku_series: 'tailored-suit' });
    await db.close();
  });
});

describe('demo data in batches', () => {
  test('stores its promotions once, so promotion-roi counts each order once, as one batch does', async () => {
    const whole = await openStore();
    await generateDemoData(whole, { orders: 4000, seed: 3 });
    const batched = await openStore();
    await generateDemoData(batched, { orders: 2000, seed: 3 });
    await generateDemoData(batched, { orders: 2000, first: 2000, seed: 3 });
    const app = testApp(batched);
    const [promotions] = await rows(batched, 'SELECT count(*)::INT AS n, count(DISTINCT promotion_id)::INT AS ids FROM promotions');
    expect(promotions).toEqual({ n: 6, ids: 6 });
    // Each order counted once: the promotions' orders add up to the orders that carry one.
    const roi = (await (await app.request('/api/metrics/promotion-roi')).json()).rows as { orders: number }[];
    const [carried] = await rows(batched, 'SELECT count(*)::INT AS n FROM orders WHERE promotion_id IS NOT NULL');
    expect(roi.reduce((sum, r) => sum + r.orders, 0)).toBe(carried!.n);
    expect(promotions!.n).toBe((await rows(whole, 'SELECT count(*)::INT AS n FROM promotions'))[0]!.n);
    await whole.close();
    await batched.close();
  });
});
