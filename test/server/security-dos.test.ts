import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Database } from '../../server/db/database.js';
import { generateDemoData } from '../../server/demo/generate-demo-data.js';
import { ADMIN_KEY } from './helpers.js';
import { residentBytes, startService } from './service-process.js';

/**
 * The denial-of-service suite against the real service process: extreme dates, huge integers,
 * deep JSON, pathological patterns, 20,000 spellings of a time zone and a flood of garbage
 * tokens, while /api/health is asked every 100 ms. Throughout, health answers within 1 s, no
 * request runs more than a second past the query timeout, and resident memory stays under
 * DuckDB's memory limit plus the margin README states.
 */

const MEMORY_LIMIT_MB = 1024;
/** What Node, its heap and DuckDB's own allocations outside its buffer pool may add (README, Security). */
const RSS_MARGIN_MB = 768;
const QUERY_TIMEOUT_MS = 3000;
const SPELLINGS = Number(process.env.DOS_SPELLINGS ?? 20_000);

const admin = { Authorization: `Bearer ${ADMIN_KEY}` };

/** Case variants of a zone name, the n-th spelled by the bits of n. */
function spelling(name: string, n: number): string {
  let bit = 0;
  return [...name].map((ch) => (/[a-z]/i.test(ch) ? ((n >> bit++) & 1 ? ch.toUpperCase() : ch.toLowerCase()) : ch)).join('');
}

describe('denial of service', () => {
  test('the service keeps answering within its limits through every attack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'op-dos-'));
    const dbPath = join(dir, 'store.duckdb');
    const seed = await Database.open({ path: dbPath });
    await generateDemoData(seed, { orders: 20_000, seed: 4 });
    await seed.close();
    const { child, port } = await startService(dbPath, {
      ORDERPULSE_PUBLIC_DEMO: '0',
      ORDERPULSE_MEMORY_LIMIT: `${MEMORY_LIMIT_MB}MB`,
      ORDERPULSE_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      LOG_LEVEL: 'silent',
    });
    const base = `http://127.0.0.1:${port}`;
    const timed = async (path: string, init: RequestInit = {}) => {
      const started = performance.now();
      const res = await fetch(base + path, init);
      const body = await res.text();
      return { status: res.status, body, ms: performance.now() - started };
    };

    // Health and memory, watched throughout.
    const health: number[] = [];
    let peakRss = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const { status, ms } = await timed('/api/health');
        expect(status).toBe(200);
        health.push(ms);
        peakRss = Math.max(peakRss, residentBytes(child.pid!));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const slowest: { path: string; ms: number }[] = [];
    const request = async (path: string, init: RequestInit = {}) => {
      const result = await timed(path, init);
      slowest.push({ path, ms: result.ms });
      return result;
    };

    // An order dated near the end of year 9999, through a mapping that widens the accepted range.
    const mapping = {
      name: 'far-dates',
      dateRange: { from: '1970-01-01', to: '9999-12-31' },
      inputs: { orders: { match: 'orders' } },
      orders: { input: 'orders', key: 'order_id', fields: { order_id: 'order_id', channel: 'channel', created_at: 'created_at' } },
    };
    const far = await request(`/api/imports?filename=orders.csv&mapping=${encodeURIComponent(JSON.stringify(mapping))}`, {
      method: 'POST',
      headers: admin,
      body: 'order_id,channel,created_at\nFAR1,douyin,9999-12-30 10:00:00\nFAR2,douyin,1970-01-02 10:00:00\n',
    });
    expect(far.status, far.body).toBe(201);
    const mint = await fetch(`${base}/api/embed-tokens`, { method: 'POST', headers: { ...admin, 'Content-Type': 'application/json' }, body: JSON.stringify({}) });
    const viewer = { Authorization: `Bearer ${(await mint.json()).token}` };

    // Metrics over 8,000 years of data: answered from the data in scope, not its span.
    const far_ = await Promise.all(
      ['/api/metrics/surge-alerts', '/api/metrics/surge-alerts?minOrders=1', '/api/metrics/first-response?interval=day', '/api/metrics/friction-cost?interval=month', '/api/metrics/throughput?interval=day', '/api/metrics/cycle-time?interval=week'].map(
        (path) => request(path, { headers: viewer }),
      ),
    );
    for (const res of far_) expect(res.status, res.body).toBe(200);

    // Huge and malformed numbers: 400, never 500.
    for (const query of ['surge-alerts?minOrders=2147483648', 'surge-alerts?factor=1e400', 'friction-pareto?limit=1e309', 'channel-funnel?window=1e308h', 'cycle-time?from=294247-01-01', 'cycle-time?from=-infinity']) {
      const res = await request(`/api/metrics/${query}`, { headers: viewer });
      expect(res.status, `${query}: ${res.body}`).toBe(400);
    }

    // Deep JSON and a pathological pattern: 400 at once.
    const deep = await request('/api/imports?filename=orders.json', { method: 'POST', headers: admin, body: '['.repeat(10_000) + ']'.repeat(10_000) });
    expect(deep.status).toBe(400);
    const evil = { ...mapping, inputs: { orders: { match: '^(a+)+$' } } };
    const pattern = await request(`/api/imports?filename=${'a'.repeat(40)}!.csv&mapping=${encodeURIComponent(JSON.stringify(evil))}`, { method: 'POST', headers: admin, body: 'x\n' });
    expect(pattern.status).toBe(400);

    // 20,000 spellings of one zone: one zone to the service. Enough tokens that the rate limit
    // (600 a minute each) lets every spelling reach the time zone code.
    const tokens: string[] = [];
    for (let i = 0; i < Math.ceil(SPELLINGS / 500); i++) {
      const res = await fetch(`${base}/api/embed-tokens`, { method: 'POST', headers: { ...admin, 'Content-Type': 'application/json' }, body: '{}' });
      tokens.push((await res.json()).token);
    }
    const rssBefore = residentBytes(child.pid!);
    const zone = 'America/Argentina/Buenos_Aires';
    let next = 0;
    const statuses = new Map<number, number>();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < SPELLINGS) {
          const n = next++;
          const res = await fetch(`${base}/api/metrics/on-time?tz=${spelling(zone, n)}&from=2025-03-01&to=2025-04-01`, {
            headers: { Authorization: `Bearer ${tokens[n % tokens.length]}` },
          });
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    expect(Object.fromEntries(statuses)).toEqual({ 200: SPELLINGS });
    const spellingGrowthMb = (residentBytes(child.pid!) - rssBefore) / 2 ** 20;
    expect(spellingGrowthMb).toBeLessThan(64);

    // A flood of unique garbage tokens: limited by address after 60.
    const flood = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const res = await fetch(`${base}/api/metrics/on-time`, { headers: { Authorization: `Bearer garbage.${i}.token` } });
      await res.arrayBuffer();
      flood.set(res.status, (flood.get(res.status) ?? 0) + 1);
    }
    expect(Object.fromEntries(flood)).toEqual({ 401: 60, 429: 240 });

    watching = false;
    await watcher;
    expect(Math.max(...health)).toBeLessThan(1000);
    expect(health.length).toBeGreaterThan(10);
    expect(Math.max(...slowest.map((s) => s.ms))).toBeLessThan(QUERY_TIMEOUT_MS + 1000);
    expect(peakRss / 2 ** 20).toBeLessThan(MEMORY_LIMIT_MB + RSS_MARGIN_MB);
    console.log(
      `dos: health max ${Math.max(...health).toFixed(0)} ms over ${health.length} polls; slowest request ${Math.max(...slowest.map((s) => s.ms)).toFixed(0)} ms; ` +
        `peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB; ${SPELLINGS} zone spellings grew RSS ${spellingGrowthMb.toFixed(1)} MB`,
    );
  }, 240_000);
});
