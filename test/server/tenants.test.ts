import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { createApp } from '../../server/app.js';
import type { Database } from '../../server/db/database.js';
import { generateDemoData } from '../../server/demo/generate-demo-data.js';
import { METRIC_NAMES } from '../../server/metrics/catalog.js';
import { runImport } from '../../server/import/run-import.js';
import { FIXTURE_SLA_TARGETS, TEST_IMPORTED_AT, setSlaTargets } from './helpers.js';
import { presetMapping } from '../../server/import/presets.js';
import { upsertTenant } from '../../server/tenants.js';
import { ADMIN, FIXTURES, openStore, rows, testApp } from './helpers.js';
import { rounded } from './metrics-helpers.js';

type App = ReturnType<typeof createApp>;
const FIXTURE_FILES = ['orders.csv', 'events.csv', 'promotions.csv'].map((f) => join(FIXTURES, 'metrics', f));
// Rounded: sums over the same rows may differ in the last bits with DuckDB's parallel aggregation.
const json = async (res: Response) => ({ status: res.status, body: rounded(await res.json()) });
const asTenant = (tenant: string, headers: Record<string, string> = {}) => ({ headers: { ...ADMIN, 'X-OrderPulse-Tenant': tenant, ...headers } });
const bearer = (token: string, headers: Record<string, string> = {}) => ({ headers: { Authorization: `Bearer ${token}`, ...headers } });

async function importFixture(db: Database, tenant: string): Promise<void> {
  // At one set time in every store: freshness reads when each import ran.
  await runImport(db, { mapping: presetMapping('canonical'), files: FIXTURE_FILES.map((path) => ({ path })), tenant, importedAt: TEST_IMPORTED_AT });
  await setSlaTargets(db, tenant, FIXTURE_SLA_TARGETS);
}

async function mint(app: App, body: Record<string, unknown>): Promise<string> {
  const res = await app.request('/api/embed-tokens', { method: 'POST', headers: { ...ADMIN, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

/** Each metric with no parameters and with a breakdown, over ranges that hold the fixture and the demo data. */
const QUERIES = METRIC_NAMES.flatMap((name) => {
  if (name === 'roi-compare') return [`${name}?baselineFrom=2025-03-01&baselineTo=2025-03-08&to=2025-04-08`, `${name}?compare=channel:tmall,channel:douyin`];
  if (['promotion-roi', 'surge-alerts'].includes(name)) return [name];
  // Freshness reads the clock by default and takes no groupBy.
  // sla answers per channel already, and takes no groupBy.
  if (name === 'sla') return [name, `${name}?interval=month&from=2025-01-01&to=2026-01-01`];
  // order-forecast answers per channel and region already.
  if (name === 'order-forecast') return [name, `${name}?stage=paid,stock_locked&waited=2h&from=2025-01-01&to=2026-01-01`];
  if (name === 'freshness') return [`${name}?asOf=2026-01-02`, `${name}?interval=month&from=2025-01-01&to=2026-01-01&asOf=2026-01-02`];
  return [name, `${name}?groupBy=channel&from=2025-01-01&to=2026-01-01`];
});

describe('every metric reads only its tenant', () => {
  test('no metric file names a store table: they read through the op_* macros, which take $tenant first', () => {
    const dir = resolve(import.meta.dirname, '../../sql/metrics');
    for (const file of readdirSync(dir)) {
      const sql = readFileSync(join(dir, file), 'utf8');
      expect(sql, file).not.toMatch(/\b(FROM|JOIN)\s+(orders|order_events|promotions|tenants|order_facts|duration_counts|duration_values|order_day_totals|touch_counts|order_hour_counts)\b/i);
      expect(sql, file).toMatch(/^-- params: \$tenant,/m);
    }
  });

  // Store X: the fixture in `default`, the same fixture (same channels and order ids) plus demo data in `acme`.
  // Store Y: the fixture alone. Any join that crossed tenants would count the fixture orders twice in X.
  let x: App;
  let y: App;
  let z: App;
  beforeAll(async () => {
    const dbX = await openStore();
    await upsertTenant(dbX, 'acme', { name: 'Acme' });
    await importFixture(dbX, 'default');
    await importFixture(dbX, 'acme');
    await generateDemoData(dbX, { orders: 1500, seed: 4, tenant: 'acme' });
    const dbY = await openStore();
    await importFixture(dbY, 'default');
    // Store Z: acme's data as the default tenant of a store of its own.
    const dbZ = await openStore();
    await importFixture(dbZ, 'default');
    await generateDemoData(dbZ, { orders: 1500, seed: 4 });
    [x, y, z] = [testApp(dbX), testApp(dbY), testApp(dbZ)];
  });

  test('the default tenant of a shared store answers exactly as a store holding only its data', async () => {
    for (const query of QUERIES) {
      const shared = await json(await x.request(`/api/metrics/${query}`, asTenant('default')));
      const alone = await json(await y.request(`/api/metrics/${query}`));
      expect(shared.status, query).toBe(200);
      // The fixture has no surge: an empty answer there proves nothing, everything else must have rows.
      if (!query.startsWith('surge-alerts')) expect(shared.body.rows.length, query).toBeGreaterThan(0);
      expect(shared.body.rows, query).toEqual(alone.body.rows);
    }
  });

  test("acme's embed token sees exactly acme's data, which differs from default's", async () => {
    const token = await mint(x, { tenant: 'acme' });
    const same: string[] = [];
    for (const query of QUERIES) {
      const viaToken = await json(await x.request(`/api/metrics/${query}`, bearer(token)));
      const alone = await json(await z.request(`/api/metrics/${query}`));
      expect(viaToken.status, query).toBe(200);
      expect(viaToken.body.rows, query).toEqual(alone.body.rows);
      const other = await json(await x.request(`/api/metrics/${query}`, asTenant('default')));
      if (JSON.stringify(other.body.rows) === JSON.stringify(viaToken.body.rows)) same.push(query);
    }
    // Neither tenant's data has a surge hour (empty both ways); every other answer differs.
    expect(same).toEqual(['surge-alerts']);
  });

  test('the tenant is never a query parameter, and channels are known per tenant', async () => {
    const token = await mint(x, { tenant: 'acme' });
    expect((await json(await x.request('/api/metrics/on-time?tenant=default', bearer(token)))).body.error).toMatchObject({
      code: 'unknown_parameter',
    });
    // wechat is in acme's demo data only.
    expect((await json(await x.request('/api/metrics/on-time?channel=wechat', bearer(token)))).status).toBe(200);
    expect(await json(await x.request('/api/metrics/on-time?channel=wechat', asTenant('default')))).toEqual({
      status: 400,
      body: { error: { code: 'invalid_parameter', message: "channel: unknown channel 'wechat'; known channels: douyin, jd, tmall", details: { parameter: 'channel' } } },
    });
  });
});

describe('tenant administration', () => {
  let db: Database;
  let app: App;
  beforeAll(async () => {
    db = await openStore();
    app = testApp(db, { publicMetrics: false });
  });

  test('PUT /api/tenants/{id} creates (201) and updates (200); GET lists; all admin-only', async () => {
    const put = (id: string, body: unknown, headers: Record<string, string> = ADMIN) =>
      app.request(`/api/tenants/${id}`, { method: 'PUT', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect(await json(await put('beta', { name: 'Beta Ltd', allowedOrigins: ['https://Portal.Beta.example'] }))).toEqual({
      status: 201,
      body: { id: 'beta', name: 'Beta Ltd', allowedOrigins: ['https://portal.beta.example'] },
    });
    expect(await json(await put('beta', { allowedOrigins: ['https://portal.beta.example', 'http://localhost:5173'] }))).toEqual({
      status: 200,
      body: { id: 'beta', name: 'Beta Ltd', allowedOrigins: ['https://portal.beta.example', 'http://localhost:5173'] },
    });
    expect(await json(await app.request('/api/tenants', { headers: ADMIN }))).toEqual({
      status: 200,
      body: {
        tenants: [
          { id: 'beta', name: 'Beta Ltd', allowedOrigins: ['https://portal.beta.example', 'http://localhost:5173'] },
          { id: 'default', name: 'Default', allowedOrigins: [] },
        ],
      },
    });
    expect(await json(await put('beta', { allowedOrigins: ['https://portal.beta.example/dashboards'] }))).toEqual({
      status: 400,
      body: {
        error: {
          code: 'invalid_tenant',
          message: 'invalid tenant: allowedOrigins.0: an origin is scheme://host[:port] with no path (e.g. https://portal.example.com), or *',
          details: { issues: ['allowedOrigins.0: an origin is scheme://host[:port] with no path (e.g. https://portal.example.com), or *'] },
        },
      },
    });
    expect((await json(await put('Bad Id', {}))).body.error.code).toBe('invalid_tenant');
    expect((await put('gamma', {}, {})).status).toBe(401);
    expect((await app.request('/api/tenants')).status).toBe(401);
  });

  test('imports, settings and tokens go to the tenant the admin names; an unknown tenant is 404', async () => {
    await upsertTenant(db, 'delta', {});
    const upload = (tenant: string) => {
      const form = new FormData();
      form.append('file', new Blob([readFileSync(FIXTURE_FILES[0]!)]), 'orders.csv');
      return app.request('/api/imports', { method: 'POST', headers: { ...ADMIN, 'X-OrderPulse-Tenant': tenant }, body: form });
    };
    expect((await upload('delta')).status).toBe(201);
    expect(await rows(db, 'SELECT tenant_id, count(*)::INT AS n FROM orders GROUP BY ALL')).toEqual([{ tenant_id: 'delta', n: 6 }]);
    expect(await rows(db, 'SELECT tenant_id FROM imports')).toEqual([{ tenant_id: 'delta' }]);
    expect(await json(await upload('nobody'))).toEqual({
      status: 404,
      body: { error: { code: 'unknown_tenant', message: "unknown tenant 'nobody'; tenants are beta, default, delta", details: { tenant: 'nobody' } } },
    });

    const putSettings = await app.request('/api/settings', { method: 'PUT', ...asTenant('delta', { 'Content-Type': 'application/json' }), body: '{"timeZone":"Europe/Berlin"}' });
    expect(putSettings.status).toBe(200);
    expect((await (await app.request('/api/settings', asTenant('delta'))).json()).timeZone).toBe('Europe/Berlin');
    expect((await (await app.request('/api/settings', { headers: ADMIN })).json()).timeZone).toBe('Asia/Shanghai');
    // delta's metrics answer in its own zone.
    const token = await mint(app, { tenant: 'delta' });
    expect((await (await app.request('/api/metrics/on-time', bearer(token))).json()).params.tz).toBe('Europe/Berlin');

    const res = await app.request('/api/embed-tokens', { method: 'POST', headers: { ...ADMIN, 'Content-Type': 'application/json' }, body: '{"tenant":"nobody"}' });
    expect((await json(res)).body.error.code).toBe('unknown_tenant');
  });
});

describe('CORS per tenant', () => {
  let app: App;
  let acme: string;
  let other: string;
  const PORTAL = 'https://portal.acme.example';
  beforeAll(async () => {
    const db = await openStore();
    await upsertTenant(db, 'acme', { allowedOrigins: [PORTAL] });
    await importFixture(db, 'acme');
    app = testApp(db, { publicMetrics: false });
    acme = await mint(app, { tenant: 'acme' });
    other = await mint(app, { tenant: 'default' });
  });

  test("a page on the tenant's origin gets the data with Access-Control-Allow-Origin", async () => {
    const res = await app.request('/api/metrics/on-time', bearer(acme, { Origin: PORTAL }));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(res.headers.get('vary')).toContain('Origin');
    const preflight = await app.request('/api/metrics/on-time', {
      method: 'OPTIONS',
      headers: { Origin: PORTAL, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
  });

  test('any other origin is refused: no CORS header for the browser, 403 for the token', async () => {
    const evil = await app.request('/api/metrics/on-time', bearer(acme, { Origin: 'https://evil.example' }));
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(await evil.json()).toEqual({
      error: { code: 'origin_not_allowed', message: `pages on https://evil.example may not embed tenant 'acme' (its allowed origins: ${PORTAL})`, details: {} },
    });
    expect(evil.status).toBe(403);
    const preflight = await app.request('/api/metrics/on-time', {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    // The default tenant allows no origin: its token copied into acme's portal is refused too.
    expect((await app.request('/api/metrics/on-time', bearer(other, { Origin: PORTAL }))).status).toBe(403);
    // Same-origin pages (the service's own dashboard) and server-side calls (no Origin) are fine.
    expect((await app.request('http://localhost/api/metrics/on-time', bearer(other, { Origin: 'http://localhost' }))).status).toBe(200);
    expect((await app.request('/api/metrics/on-time', bearer(other))).status).toBe(200);
  });
});
