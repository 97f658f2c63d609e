import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { generateDemoData } from '../../server/demo/generate-demo-data.js';
import { METRIC_NAMES } from '../../server/metrics/catalog.js';
import { mintEmbedToken, mintRequestSchema } from '../../server/security/embed-token.js';
import { parseEmbedSecrets } from '../../server/security/secrets.js';
import { ADMIN, EMBED_SECRET, openStore, testApp } from './helpers.js';
import { fixtureApp } from './metrics-helpers.js';

let db: Database;
let app: ReturnType<typeof testApp>;
beforeAll(async () => {
  ({ db } = await fixtureApp());
  app = testApp(db, { publicMetrics: false });
});
afterAll(() => db.close());

const json = async (res: Response) => ({ status: res.status, body: await res.json() });
async function mint(body: Record<string, unknown>): Promise<string> {
  const res = await app.request('/api/embed-tokens', { method: 'POST', headers: ADMIN, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return (await res.json()).token;
}
const withToken = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

describe('admin key', () => {
  test.each([
    ['POST', '/api/imports?filename=orders.csv'],
    ['PUT', '/api/settings'],
    ['GET', '/api/settings'],
    ['POST', '/api/embed-tokens'],
  ])('%s %s needs it', async (method, url) => {
    expect(await json(await app.request(url, { method, body: method === 'GET' ? undefined : '{}' }))).toEqual({
      status: 401,
      body: { error: { code: 'admin_key_required', message: 'this endpoint needs the admin key (Authorization: Bearer <ORDERPULSE_ADMIN_KEY>)', details: {} } },
    });
    const wrong = await app.request(url, { method, headers: { Authorization: 'Bearer guess' }, body: method === 'GET' ? undefined : '{}' });
    expect((await json(wrong)).body.error.code).toBe('invalid_admin_key');
  });

  test('an upload over the size limit is refused with 413 and nothing changes', async () => {
    const small = testApp(db, { maxImportBytes: 64 });
    const res = await small.request('/api/imports?filename=orders.csv', { method: 'POST', headers: ADMIN, body: 'order_id,channel,created_at\n' + 'X,jd,2025-01-01\n'.repeat(20) });
    expect(await json(res)).toEqual({
      status: 413,
      body: { error: { code: 'import_too_large', message: 'the upload is larger than the 64-byte import limit', details: {} } },
    });
    expect((await (await small.request('/api/health', { headers: ADMIN })).json()).rows.orders).toBe(6);
  });
});

describe('embed tokens', () => {
  test('metrics need a token; the admin key works; health stays open', async () => {
    expect((await json(await app.request('/api/metrics/on-time'))).body.error).toEqual({
      code: 'token_required',
      message: 'metrics need an embed token (Authorization: Bearer <token>)',
      details: {},
    });
    expect((await app.request('/api/metrics/on-time', { headers: ADMIN })).status).toBe(200);
    expect((await app.request('/api/health')).status).toBe(200);
  });

  test('a metric the token does not allow is 403', async () => {
    const token = await mint({ metrics: ['on-time'] });
    expect((await app.request('/api/metrics/on-time', withToken(token))).status).toBe(200);
    expect(await json(await app.request('/api/metrics/cycle-time', withToken(token)))).toMatchObject({
      status: 403,
      body: { error: { code: 'metric_not_allowed', message: "this token does not allow the metric 'cycle-time'" } },
    });
  });

  test('expired, tampered, other-secret and other-tenant tokens are 401 with the reason', async () => {
    const secrets = parseEmbedSecrets(EMBED_SECRET);
    const request = mintRequestSchema.parse({});
    const expired = (await mintEmbedToken(secrets, request, Date.now() - 2 * 3600_000)).token;
    // A douyin-only token whose payload was edited to drop the lock.
    const good = await mint({ filters: { channel: ['douyin'] } });
    const [header, payload, signature] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const tampered = [header, Buffer.from(JSON.stringify({ ...claims, filters: {} })).toString('base64url'), signature].join('.');
    const otherSecret = (await mintEmbedToken(parseEmbedSecrets('test:another-secret'), request)).token;
    const otherKid = (await mintEmbedToken(parseEmbedSecrets('k9:whatever'), request)).token;
    const otherTenant = (await mintEmbedToken(secrets, mintRequestSchema.parse({ tenant: 'acme' }))).token;
    const cases: [string, string][] = [
      [expired, 'the token has expired'],
      [tampered, 'the token signature is not valid'],
      [otherSecret, 'the token signature is not valid'],
      [otherKid, "the token was signed with an unknown key id 'k9'"],
      [otherTenant, "the token belongs to tenant 'acme', which this service does not know"],
      ['not-a-jwt', 'the token is not a JWT'],
    ];
    for (const [token, message] of cases) {
      expect(await json(await app.request('/api/metrics/on-time', withToken(token))), message).toEqual({
        status: 401,
        body: { error: { code: token === expired ? 'token_expired' : 'invalid_token', message, details: {} } },
      });
    }
  });

  test('rotation: a token signed with an older secret still verifies', async () => {
    const rotated = testApp(db, { publicMetrics: false });
    const old = (await mintEmbedToken(parseEmbedSecrets(EMBED_SECRET), mintRequestSchema.parse({}))).token;
    expect((await rotated.request('/api/metrics/on-time', withToken(old))).status).toBe(200);
  });
});

describe('channel display names', () => {
  test("settings name channels; every answer carries the names its caller may see, a lock's own only", async () => {
    const put = (channelNames: unknown) =>
      app.request('/api/settings', { method: 'PUT', headers: { ...ADMIN, 'Content-Type': 'application/json' }, body: JSON.stringify({ channelNames }) });
    const bad = await json(await put({ 'Tmall!': { en: 'x' } }));
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_settings']);
    const names = { douyin: { en: 'Douyin Shop', 'zh-CN': '抖音小店' }, tmall: { 'zh-CN': '天猫旗舰店' } };
    expect((await put(names)).status).toBe(200);
    const admin = await json(await app.request('/api/metrics/channel-funnel', { headers: ADMIN }));
    expect(admin.body.meta.channelNames).toEqual(names);
    const locked = await json(await app.request('/api/metrics/channel-funnel', withToken(await mint({ filters: { channel: ['douyin'] } }))));
    expect(locked.body.meta.channelNames).toEqual({ douyin: names.douyin });
    const jdOnly = await json(await app.request('/api/metrics/channel-funnel', withToken(await mint({ filters: { channel: ['jd'] } }))));
    expect(jdOnly.body.meta).not.toHaveProperty('channelNames');
    expect((await put({})).status).toBe(200);
  });
});

describe('locked filters', () => {
  test('a token locked to douyin sees exactly the douyin answer of every metric, whatever it asks', async () => {
    const token = await mint({ filters: { channel: ['douyin'] } });
    const extra: Record<string, string> = { 'roi-compare': 'baselineFrom=2025-03-01&baselineTo=2025-03-08&to=2025-04-08', freshness: 'asOf=2026-01-02' };
    for (const name of METRIC_NAMES) {
      for (const query of ['', 'groupBy=channel', 'from=2025-01-01&to=2026-01-01']) {
        if (['surge-alerts', 'freshness', 'sla', 'order-forecast'].includes(name) && query.includes('groupBy')) continue;
        if (['promotion-roi', 'surge-alerts', 'roi-compare'].includes(name) && query === 'groupBy=channel') continue;
        if (name === 'roi-compare' && query.includes('to=')) continue; // its own range is in `extra`
        const q = [extra[name], query].filter(Boolean).join('&');
        const locked = await json(await app.request(`/api/metrics/${name}?${q}`, withToken(token)));
        const douyin = await json(await app.request(`/api/metrics/${name}?${[q, 'channel=douyin'].filter(Boolean).join('&')}`, { headers: ADMIN }));
        expect(locked.status, `${name}?${q}`).toBe(200);
        expect(locked.body.rows, `${name}?${q}`).toEqual(douyin.body.rows);
        expect(locked.body.params.channel).toEqual(['douyin']);
      }
    }
  });

  test('asking for another channel, directly or as a cohort, is 403', async () => {
    const token = await mint({ filters: { channel: ['douyin'] } });
    for (const url of [
      '/api/metrics/cycle-time?channel=tmall',
      '/api/metrics/cycle-time?channel=douyin,tmall',
      '/api/metrics/roi-compare?compare=channel:douyin,channel:tmall',
      '/api/metrics/promotion-roi?channel=TMALL',
    ]) {
      const res = await json(await app.request(url, withToken(token)));
      expect(res.status, url).toBe(403);
      expect(res.body.error.code).toBe('outside_token_filters');
    }
    // A cohort on another dimension stays inside douyin (which has no east orders: 0).
    const regions = await json(await app.request('/api/metrics/roi-compare?compare=region:west,region:east', withToken(token)));
    const orders = regions.body.rows.find((r: any) => r.kpi === 'orders');
    expect([orders.baseline, orders.current]).toEqual([2, 0]);
  });

  test('a bad time zone with a locked range is a 400, not a crash', async () => {
    const token = await mint({ filters: { from: '2025-03-01' } });
    const res = await json(await app.request('/api/metrics/on-time?tz=Nowhere/None', withToken(token)));
    expect(res).toEqual({
      status: 400,
      body: { error: { code: 'invalid_parameter', message: "tz: unknown IANA time zone 'Nowhere/None' (e.g. Asia/Shanghai)", details: { parameter: 'tz' } } },
    });
  });

  test('a locked date range is intersected with the requested one', async () => {
    const token = await mint({ filters: { from: '2025-03-01', to: '2025-03-05' } });
    const locked = await json(await app.request('/api/metrics/cycle-time?from=2025-01-01', withToken(token)));
    expect(locked.body.params).toMatchObject({ from: '2025-03-01T00:00:00+08:00', to: '2025-03-05T00:00:00+08:00' });
    const inside = await json(await app.request('/api/metrics/cycle-time?from=2025-03-03&to=2025-03-04', withToken(token)));
    expect(inside.body.params).toMatchObject({ from: '2025-03-03T00:00:00+08:00', to: '2025-03-04T00:00:00+08:00' });
  });
});

describe('hardening', () => {
  test('past the rate limit a token gets 429 with Retry-After; another token is unaffected', async () => {
    const limited = testApp(db, { publicMetrics: false, metricRequestsPerMinute: 3 });
    const [a, b] = [await mint({}), await mint({ metrics: ['on-time'] })];
    for (let i = 0; i < 3; i++) expect((await limited.request('/api/metrics/on-time', withToken(a))).status).toBe(200);
    const refused = await limited.request('/api/metrics/on-time', withToken(a));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await refused.json()).error.message).toMatch(/^too many requests: at most 3 per 60 s; retry in \d+ s$/);
    expect((await limited.request('/api/metrics/on-time', withToken(b))).status).toBe(200);
  });

  test('security headers on every response', async () => {
    const res = await app.request('/api/health');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=/);
  });

  test('a query past the timeout is stopped with 504 and the store keeps answering', async () => {
    const big = await openStore();
    await generateDemoData(big, { orders: 200_000, seed: 3 });
    const hasty = testApp(big, { queryTimeoutMs: 1, cacheMetrics: false });
    const res = await json(await hasty.request('/api/metrics/channel-funnel'));
    expect(res).toEqual({
      status: 504,
      body: { error: { code: 'query_timeout', message: 'the query took longer than 1 ms and was stopped; narrow the range or filters', details: {} } },
    });
    const patient = testApp(big);
    for (let i = 0; i < 3; i++) expect((await patient.request('/api/metrics/channel-funnel')).status).toBe(200);
    await big.close();
  });
});

describe('request log', () => {
  test('one JSON line per request with its id, never the query string or credentials', async () => {
    const lines: Record<string, unknown>[] = [];
    const { pino } = await import('pino');
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const logged = testApp(db, { logger, publicMetrics: false });
    const res = await logged.request('/api/metrics/on-time?channel=douyin', { headers: ADMIN });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'request', requestId: id, method: 'GET', path: '/api/metrics/on-time', status: 200 });
    expect(JSON.stringify(lines)).not.toContain('douyin');
    expect(JSON.stringify(lines)).not.toContain(ADMIN.Authorization.split(' ')[1]);
  });
});
