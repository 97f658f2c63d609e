import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { openStore } from './helpers.js';

/** The read pool under load: fair between tenants, and every query answered by its timeout. */

let db: Database;
beforeAll(async () => {
  db = await openStore();
});
afterAll(() => db.close());

// About a tenth of a second of work on this machine, interruptible.
const SLOW = 'SELECT count(*)::DOUBLE AS n FROM range(60000000) t(x) WHERE x % 7 = 3';

describe('read pool', () => {
  test("a tenant with a dozen queries waiting delays another tenant's query by at most one query per connection", async () => {
    const finished: string[] = [];
    const flood = Array.from({ length: 12 }, (_, i) => db.query(SLOW, {}, {}, undefined, 'noisy').then(() => finished.push(`noisy-${i}`)));
    await new Promise((r) => setTimeout(r, 5));
    const quiet = db.query(SLOW, {}, {}, undefined, 'quiet').then(() => finished.push('quiet'));
    await Promise.all([...flood, quiet]);
    // First come first served would put it thirteenth; in turn, it runs when the first connection frees.
    expect(finished.indexOf('quiet')).toBeLessThanOrEqual(3);
  });

  test('a query that ignores the interrupt is answered 504 soon after its timeout, and the pool goes on', async () => {
    // One generate_series call building a 8.5M-element list checks no interrupt until it is done (~3 s).
    const stubborn = `SELECT len(generate_series(TIMESTAMP '2025-01-01', TIMESTAMP '3000-01-01', INTERVAL 1 HOUR)) AS n`;
    const started = performance.now();
    const error = await db.query(stubborn, {}, {}, 200).catch((e: unknown) => e as { status: number; code: string });
    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ status: 504, code: 'query_timeout' });
    expect(elapsed).toBeLessThan(200 + 1000);
    expect(db.retiredConnections).toBe(1);
    // Both connections are usable at once while the abandoned one finishes on its own.
    const t0 = performance.now();
    expect(await Promise.all([db.query('SELECT 1 AS x'), db.query('SELECT 2 AS x')])).toEqual([[{ x: 1 }], [{ x: 2 }]]);
    expect(performance.now() - t0).toBeLessThan(500);
    // An interruptible query is stopped by the interrupt itself.
    const plain = await db.query(SLOW.replace('60000000', '60000000000'), {}, {}, 100).catch((e: unknown) => e as { code: string });
    expect(plain).toMatchObject({ code: 'query_timeout' });
    expect(db.retiredConnections).toBe(1);
    await new Promise((r) => setTimeout(r, 3500));
  });
});
