/** Property-based tests: whatever a caller sends, the service answers 2xx/4xx and a rejected import changes nothing. */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { METRICS } from '../../server/metrics/catalog.js';
import { ADMIN, testApp } from './helpers.js';
import { fixtureApp } from './metrics-helpers.js';

let db: Database;
let app: ReturnType<typeof testApp>;
beforeAll(async () => {
  ({ db } = await fixtureApp());
  app = testApp(db);
});
afterAll(() => db.close());

const fingerprint = async () =>
  JSON.stringify(
    await db.query(`SELECT (SELECT count(*)::INT FROM orders) AS o, (SELECT sum(hash(order_id, channel, created_at, amount))::VARCHAR FROM orders) AS oh,
                           (SELECT count(*)::INT FROM order_events) AS e, (SELECT count(*)::INT FROM promotions) AS p`),
  );

/** Values that look like what callers send, and what attackers try. */
const value = fc.oneof(
  fc.string(),
  fc.constantFrom('2025-03-01', '2025-03-01T10:00:00Z', 'tmall', 'jd,douyin', 'channel', 'month', 'placed', 'kept', '72h', '1e308', '-1', "' OR 1=1 --", '%00', '$from_ts'),
  fc.integer().map(String),
);

describe('fuzzing', () => {
  test('3,000 random query strings over every metric, open and through a locked token: only 200, 400 or 403, never SQL in the answer', async () => {
    const names = METRICS.map((m) => m.name);
    const locked = testApp(db, { publicMetrics: false });
    const minted = await locked.request('/api/embed-tokens', {
      method: 'POST',
      headers: ADMIN,
      body: JSON.stringify({ filters: { channel: ['douyin', 'jd'], from: '2025-03-02', to: '2025-04-01' } }),
    });
    const token = { Authorization: `Bearer ${(await minted.json()).token}` };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...names),
        fc.dictionary(fc.constantFrom(...new Set(METRICS.flatMap((m) => Object.keys(m.query.shape))), 'x', ''), value, { maxKeys: 5 }),
        fc.boolean(),
        async (name, query, withToken) => {
          const url = `/api/metrics/${name}?${new URLSearchParams(query)}`;
          const res = withToken ? await locked.request(url, { headers: token }) : await app.request(url);
          const text = await res.text();
          return [200, 400, ...(withToken ? [403] : [])].includes(res.status) && !/Error:|SELECT |Binder|Parser/.test(text);
        },
      ),
      { numRuns: 3000, seed: 42 },
    );
  });

  test('400 random and malformed CSV / JSON uploads: never a 5xx; a rejected one leaves the store as it was', async () => {
    const csvLine = fc.array(fc.oneof(value, fc.constant('"quoted, comma"'), fc.constant('"unterminated')), { maxLength: 7 }).map((cells) => cells.join(','));
    const csv = fc
      .tuple(
        fc.constantFrom('order_id,channel,created_at,amount', 'order_id;channel;created_at', '\ufefforder_id,channel,created_at,amount,currency', ''),
        fc.array(csvLine, { maxLength: 8 }),
        fc.constantFrom('\n', '\r\n'),
      )
      .map(([header, lines, newline]) => [header, ...lines].join(newline));
    const json = fc.oneof(fc.json(), fc.string(), fc.array(fc.dictionary(fc.constantFrom('order_id', 'channel', 'created_at', 'amount'), value)).map((a) => JSON.stringify(a)));
    await fc.assert(
      fc.asyncProperty(fc.oneof(csv.map((body) => ({ name: 'orders.csv', body })), json.map((body) => ({ name: 'orders.json', body })), json.map((body) => ({ name: 'orders.ndjson', body }))), fc.constantFrom('reject', 'skip'), async (file, onError) => {
        const before = await fingerprint();
        const res = await app.request(`/api/imports?filename=${file.name}&onError=${onError}`, { method: 'POST', headers: ADMIN, body: file.body });
        if (res.status >= 500) return false;
        if (res.status !== 201 && (await fingerprint()) !== before) return false;
        return true;
      }),
      { numRuns: 400, seed: 7 },
    );
    expect(await fingerprint()).toContain('"p":2');
  }, 120_000);
});
