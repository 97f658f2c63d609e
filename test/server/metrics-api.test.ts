import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { METRICS, METRIC_NAMES } from '../../server/metrics/catalog.js';
import { boolean } from '../../server/metrics/bindings.js';
import { SqlMetric, specialize } from '../../server/metrics/sql-metric.js';
import { ADMIN, FIXTURES } from './helpers.js';
import { fixtureApp, getJson } from './metrics-helpers.js';

let db: Database;
let app: Awaited<ReturnType<typeof fixtureApp>>['app'];
beforeAll(async () => ({ db, app } = await fixtureApp()));
afterAll(() => db.close());

describe('the response envelope', () => {
  test('metric, resolved params, typed columns, rows of plain JSON, meta', async () => {
    const { status, body } = await getJson(app, '/api/metrics/on-time?from=2025-03-01&to=2025-04-01T00:00:00Z&channel=TMALL,douyin&interval=week');
    expect(status).toBe(200);
    expect(body.metric).toBe('on-time');
    expect(body.params).toEqual({
      from: '2025-03-01T00:00:00+08:00',
      to: '2025-04-01T08:00:00+08:00',
      tz: 'Asia/Shanghai',
      channel: ['tmall', 'douyin'],
      region: [],
      skuSeries: [],
      customerTier: [],
      promotion: [],
      warehouse: [],
      interval: 'week',
      groupBy: null,
      // The default asOf (the latest event) and basis, resolved.
      asOf: '2025-04-01T10:00:00+08:00',
      basis: 'promised',
    });
    expect(body.columns[0]).toEqual({ name: 'bucket', type: 'time' });
    // Weeks start on Monday, local time: 3 March 2025 is a Monday (the promises fall on 5-7 March).
    expect(body.rows.map((r: any) => [r.bucket, r.due, r.on_time])).toEqual([
      ['2025-03-03T00:00:00+08:00', 3, 2],
    ]);
    expect(body.meta).toMatchObject({ dataVersion: 1, cached: false, rowCount: 1 });
    expect(typeof body.meta.elapsedMs).toBe('number');
  });

  test('every SQL file declares exactly the parameters it binds, and its columns are what it returns', async () => {
    for (const name of METRIC_NAMES) {
      const sql = new SqlMetric(name);
      const used = new Set([...sql.sql.matchAll(/\$([a-z_]+)/g)].map((m) => m[1]));
      expect([...used].sort(), name).toEqual([...sql.parameters].sort());
    }
    for (const [name, query] of [
      ['cycle-time', ''], ['stage-breakdown', ''], ['first-response', ''], ['stuck-orders', ''], ['on-time', ''],
      ['friction-cost', ''], ['friction-pareto', ''], ['channel-funnel', ''], ['roi-compare', '?compare=channel:jd,channel:tmall'],
      ['promotion-roi', ''], ['throughput', ''],
    ] as const) {
      const { body } = await getJson(app, `/api/metrics/${name}${query}`);
      expect(body.rows.length, name).toBeGreaterThan(0);
      expect(Object.keys(body.rows[0]), name).toEqual(body.columns.map((c: any) => c.name));
    }
  });

  test('GET /api/metrics lists every metric with its parameters; /api/openapi.json comes from the same schemas', async () => {
    const { body } = await getJson(app, '/api/metrics');
    expect(body.metrics.map((m: any) => m.name)).toEqual([
      'cycle-time', 'stage-breakdown', 'first-response', 'stuck-orders', 'on-time', 'friction-cost', 'friction-pareto',
      'channel-funnel', 'roi-compare', 'promotion-roi', 'throughput', 'surge-alerts', 'sla', 'order-forecast', 'freshness',
    ]);
    const funnel = body.metrics.find((m: any) => m.name === 'channel-funnel');
    expect(funnel.parameters.map((p: any) => p.name)).toEqual([
      'from', 'to', 'tz', 'channel', 'region', 'skuSeries', 'customerTier', 'promotion', 'warehouse', 'groupBy', 'steps', 'window', 'order', 'asOf',
    ]);
    expect(funnel.parameters.find((p: any) => p.name === 'groupBy').enum).toEqual(['channel', 'sku_series', 'region', 'customer_tier', 'promotion_id', 'warehouse']);
    const { body: openapi } = await getJson(app, '/api/openapi.json');
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths).filter((p) => p.startsWith('/api/metrics/'))).toHaveLength(METRICS.length);
    expect(openapi.paths['/api/metrics/cycle-time'].get.parameters.map((p: any) => p.name)).toEqual(
      body.metrics[0].parameters.map((p: any) => p.name),
    );
  });
});

describe('caller mistakes are 4xx errors that name the parameter', () => {
  test.each([
    ['/api/metrics/lead-time', 404, 'unknown_metric', "unknown metric 'lead-time'; metrics are cycle-time, stage-breakdown, first-response, stuck-orders, on-time, friction-cost, friction-pareto, channel-funnel, roi-compare, promotion-roi, throughput, surge-alerts, sla, order-forecast, freshness"],
    ['/api/metrics/cycle-time?from=2025-13-01', 400, 'invalid_parameter', "from: '2025-13-01' is not a date (YYYY-MM-DD) or an ISO 8601 date-time"],
    ['/api/metrics/cycle-time?to=yesterday', 400, 'invalid_parameter', "to: 'yesterday' is not a date (YYYY-MM-DD) or an ISO 8601 date-time"],
    ['/api/metrics/cycle-time?from=2025-03-02&to=2025-03-01', 400, 'invalid_parameter', 'from: must be before to'],
    ['/api/metrics/cycle-time?from=2025-03-01&to=2025-03-01', 400, 'invalid_parameter', 'from: must be before to'],
    ['/api/metrics/cycle-time?fromStage=boxed', 400, 'invalid_parameter', "fromStage: unknown stage 'boxed'; stages are placed, paid, credit_checked, stock_locked, dispatched, picked, shipped, delivered, cancelled, refunded, returned"],
    ['/api/metrics/cycle-time?fromStage=paid&toStage=paid', 400, 'invalid_parameter', 'toStage: must differ from fromStage'],
    ['/api/metrics/cycle-time?groupBy=colour', 400, 'invalid_parameter', 'groupBy: Invalid option: expected one of "channel"|"sku_series"|"region"|"customer_tier"|"promotion_id"|"warehouse"'],
    ['/api/metrics/cycle-time?interval=hour', 400, 'invalid_parameter', 'interval: Invalid option: expected one of "day"|"week"|"month"'],
    ['/api/metrics/cycle-time?channel=tmall,ebay', 400, 'invalid_parameter', "channel: unknown channel 'ebay'; known channels: douyin, jd, tmall"],
    ['/api/metrics/cycle-time?tz=Mars/Olympus', 400, 'invalid_parameter', "tz: unknown IANA time zone 'Mars/Olympus' (e.g. Asia/Shanghai)"],
    ['/api/metrics/cycle-time?chanel=tmall', 400, 'unknown_parameter', "unknown parameter 'chanel'; cycle-time takes from, to, tz, channel, region, skuSeries, customerTier, promotion, warehouse, interval, groupBy, fromStage, toStage, stats"],
    ['/api/metrics/channel-funnel?steps=placed', 400, 'invalid_parameter', 'steps: a funnel needs at least two steps'],
    ['/api/metrics/channel-funnel?steps=placed,wrapped', 400, 'invalid_parameter', "steps: unknown stage 'wrapped'; stages are placed, paid, credit_checked, stock_locked, dispatched, picked, shipped, delivered, cancelled, refunded, returned, kept"],
    ['/api/metrics/channel-funnel?window=soon', 400, 'invalid_parameter', "window: 'soon' is not a duration such as 72h, 7d or 90m"],
    ['/api/metrics/channel-funnel?window=0h', 400, 'invalid_parameter', "window: '0h' is not a duration such as 72h, 7d or 90m"],
    ['/api/metrics/friction-pareto?limit=0', 400, 'invalid_parameter', 'limit: must be from 1 to 500'],
    ['/api/metrics/friction-pareto?limit=ten', 400, 'invalid_parameter', 'limit: a whole number'],
    ['/api/metrics/stuck-orders?asOf=now', 400, 'invalid_parameter', "asOf: 'now' is not a date (YYYY-MM-DD) or an ISO 8601 date-time"],
    ['/api/metrics/roi-compare', 400, 'invalid_parameter', 'baselineFrom: roi-compare needs baselineFrom and baselineTo (or compare=dimension:value,dimension:value)'],
    ['/api/metrics/roi-compare?baselineFrom=2025-03-08&baselineTo=2025-03-01', 400, 'invalid_parameter', 'baselineFrom: must be before baselineTo'],
    ['/api/metrics/roi-compare?compare=channel:jd', 400, 'invalid_parameter', "compare: needs two cohorts such as channel:douyin,channel:tmall, not 'channel:jd'"],
    ['/api/metrics/roi-compare?compare=colour:red,channel:jd', 400, 'invalid_parameter', "compare: 'colour:red' is not dimension:value with a dimension of channel, region, sku_series, customer_tier, promotion, promotion_id, warehouse"],
    ['/api/metrics/roi-compare?compare=channel:ebay,channel:jd', 400, 'invalid_parameter', "compare: unknown channel 'ebay'"],
    ['/api/metrics/surge-alerts?hours=some', 400, 'invalid_parameter', 'hours: Invalid option: expected one of "surges"|"all"'],
    ['/api/metrics/surge-alerts?factor=1', 400, 'invalid_parameter', "factor: must be a number above 1 and at most 1,000,000, not '1'"],
    ['/api/metrics/surge-alerts?minOrders=2.5', 400, 'invalid_parameter', "minOrders: must be a whole number from 1 to 1,000,000,000, not '2.5'"],
    ['/api/metrics/surge-alerts?minOrders=2147483648', 400, 'invalid_parameter', "minOrders: must be a whole number from 1 to 1,000,000,000, not '2147483648'"],
    ['/api/metrics/surge-alerts?factor=1e400', 400, 'invalid_parameter', "factor: must be a number above 1 and at most 1,000,000, not '1e400'"],
    ['/api/metrics/channel-funnel?window=99999999h', 400, 'invalid_parameter', "window: at most 876000 hours (a hundred years), not '99999999h'"],
    ['/api/metrics/roi-compare?compare=__proto__:x,constructor:y', 400, 'invalid_parameter', "compare: '__proto__:x' is not dimension:value with a dimension of channel, region, sku_series, customer_tier, promotion, promotion_id, warehouse"],
    ['/api/metrics/cycle-time?from=0050-01-01', 400, 'invalid_parameter', "from: '0050-01-01' is not a date (YYYY-MM-DD) or an ISO 8601 date-time"],
    ['/api/metrics/cycle-time?from=2025-02-30T00:00:00Z', 400, 'invalid_parameter', "from: '2025-02-30T00:00:00Z' is not a date (YYYY-MM-DD) or an ISO 8601 date-time"],
  ])('%s → %i', async (url, status, code, message) => {
    const { status: actual, body } = await getJson(app, url);
    expect(actual).toBe(status);
    expect(body.error.code).toBe(code);
    expect(body.error.message).toBe(message);
  });

  test('odd but well-formed values never reach SQL as text: a quote in a list is just an unknown value', async () => {
    for (const url of [
      "/api/metrics/cycle-time?region=east'%20OR%201=1--",
      '/api/metrics/cycle-time?skuSeries=%00',
      '/api/metrics/friction-cost?customerTier=' + 'x'.repeat(5000),
      "/api/metrics/promotion-roi?promotion=');DROP TABLE orders;--",
    ]) {
      const { status, body } = await getJson(app, url);
      expect(status, url).toBe(200);
      // No order has such a value: the filter was bound as data and matched nothing.
      expect(body.rows, url).toEqual([]);
    }
    const body = await (await app.request('/api/health', { headers: ADMIN })).json();
    expect(body.rows.orders).toBe(6);
  });
});

describe('caching', () => {
  test('identical requests are served from memory, ETag answers 304, an import invalidates', async () => {
    const url = '/api/metrics/friction-cost?groupBy=region';
    const first = await app.request(url);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"\d+-[0-9a-f]{20}"$/);
    expect((await first.json()).meta.cached).toBe(false);
    const second = await (await app.request(url)).json();
    expect(second.meta.cached).toBe(true);
    // Same resolved parameters, spelled differently: same entry.
    expect((await (await app.request('/api/metrics/friction-cost?groupBy=region&channel=')).json()).meta.cached).toBe(true);
    const notModified = await app.request(url, { headers: { 'If-None-Match': etag } });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe('');

    const events = readFileSync(join(FIXTURES, 'metrics', 'events.csv'), 'utf8').split('\n')[0] + '\nO6,jd,2025-04-01 10:00:00,data_move,,A,,\n';
    const imported = await app.request('/api/imports?filename=events.csv', { method: 'POST', headers: ADMIN, body: events });
    expect(imported.status).toBe(201);
    const after = await app.request(url, { headers: { 'If-None-Match': etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    const body = await after.json();
    expect(body.meta.cached).toBe(false);
    expect(body.rows.find((r: any) => r.group === 'north').data_move_cost).toBe(11);
  });
});

describe('no query string produces a 500 or leaks SQL', () => {
  test('2,400 random mixes of valid and broken parameters across every metric', async () => {
    // A seeded generator keeps failures reproducible.
    let seed = 20251124;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
    const values: Record<string, string[]> = {
      from: ['2025-03-01', '2025-03-01T08:00:00Z', '2025-02-30', '', 'x', '9999-12-31', '2025-03-01T25:00'],
      to: ['2025-04-02', '2025-03-01', '1970-01-01', '%00', '2025-04-02 10:00:00+0800'],
      tz: ['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'Nowhere/None', ''],
      channel: ['tmall', 'jd,douyin', 'JD', 'ebay', ',', ''],
      region: ['east', "x'y", ''],
      interval: ['day', 'week', 'month', 'year', ''],
      groupBy: ['channel', 'sku_series', 'region', 'customer_tier', 'promotion_id', 'stage', 'actor', 'sku'],
      fromStage: ['placed', 'paid', 'kept', 'nope'],
      toStage: ['delivered', 'shipped', 'placed', ''],
      steps: ['placed,paid', 'placed,kept,paid', 'paid', ',,,', 'placed,shipped,delivered,kept'],
      window: ['1h', '7d', '-3h', 'x', '1e400'],
      limit: ['1', '500', '501', '-1', '1.5'],
      asOf: ['2025-03-05', 'tomorrow', '2025-03-05T12:00:00-05:00'],
      baselineFrom: ['2025-03-01', 'bad'],
      baselineTo: ['2025-03-08', '2025-02-01'],
      compare: ['channel:jd,channel:tmall', 'region:east,region:west', 'promotion:P1,promotion:P2', 'x', 'channel:jd,channel:jd,channel:jd'],
      factor: ['4', '1', 'abc', '1e9'],
      minOrders: ['1', '0', 'ten'],
      bogus: ['1'],
    };
    const statuses = new Map<number, number>();
    for (let i = 0; i < 2400; i++) {
      const name = pick(METRIC_NAMES);
      const params = new URLSearchParams();
      const count = Math.floor(random() * 4);
      for (let j = 0; j < count; j++) {
        const key = pick(Object.keys(values));
        params.set(key, pick(values[key]!));
      }
      const res = await app.request(`/api/metrics/${name}?${params}`);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const text = await res.text();
      expect([200, 400], `${name}?${params} → ${res.status} ${text}`).toContain(res.status);
      expect(text, `${name}?${params}`).not.toMatch(/Binder Error|Parser Error|Conversion Error|SELECT |at [\w.]+ \(/);
    }
    expect(statuses.get(200)).toBeGreaterThan(300);
    expect(statuses.get(400)).toBeGreaterThan(300);
  });
});

describe('lenient where it is safe', () => {
  test('an empty parameter is the same as leaving it out; a repeated one is a list', async () => {
    const empty = await getJson(app, '/api/metrics/cycle-time?from=&interval=&channel=');
    const plain = await getJson(app, '/api/metrics/cycle-time');
    expect(empty.body.rows).toEqual(plain.body.rows);
    const repeated = await getJson(app, '/api/metrics/cycle-time?channel=tmall&channel=douyin&groupBy=channel');
    expect(repeated.body.params.channel).toEqual(['tmall', 'douyin']);
    expect(repeated.body.rows.map((r: any) => r.group)).toEqual(['douyin', 'tmall']);
  });
});

describe('SQL branches by a flag (specialize)', () => {
  const sql = ['SELECT 1 AS x', '  -- when not $rollup', '  FROM facts', '  -- or', '  UNION ALL', '  -- when $rollup', '  FROM rollups', '  -- end', 'ORDER BY x'].join('\n');
  test('keeps the branch the boolean binding selects, without the separator; an unknown flag keeps the whole statement', () => {
    expect(specialize(sql, { rollup: boolean(true) }).split('\n').filter((l) => !l.trim().startsWith('--'))).toEqual(['SELECT 1 AS x', '  FROM rollups', 'ORDER BY x']);
    expect(specialize(sql, { rollup: boolean(false) }).split('\n').filter((l) => !l.trim().startsWith('--'))).toEqual(['SELECT 1 AS x', '  FROM facts', 'ORDER BY x']);
    expect(specialize(sql, {})).toBe(sql);
  });

  test('blocks nest: a block inside a branch left out is left out whatever its flag', () => {
    const nested = ['A', '-- when $outer', 'B', '-- when $inner', 'C', '-- or', '-- when not $inner', 'D', '-- end', 'E', '-- end', '-- when $other', 'F', '-- end', 'G'].join('\n');
    const kept = (flags: Record<string, boolean>) => specialize(nested, Object.fromEntries(Object.entries(flags).map(([k, v]) => [k, boolean(v)]))).split('\n').filter((l) => !l.startsWith('--'));
    expect(kept({ outer: true, inner: true, other: false })).toEqual(['A', 'B', 'C', 'E', 'G']);
    expect(kept({ outer: true, inner: false, other: true })).toEqual(['A', 'B', 'D', 'E', 'F', 'G']);
    // Before nesting, the inner block's own `when not` kept D with the outer branch left out.
    expect(kept({ outer: false, inner: false, other: false })).toEqual(['A', 'G']);
    expect(kept({ outer: false, inner: true, other: true })).toEqual(['A', 'F', 'G']);
  });
});
