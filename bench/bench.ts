/**
 * `npm run bench -- [--sizes 100000,1000000,10000000] [--runs 7] [--import-sizes 100000] [--memory-limit 2GB] [--long-tail-only]`
 *
 * For each size: generates demo data (about 10 events per order) into a store
 * file, then measures in the same run — each figure a median and p95 over
 * repeated runs:
 * - import rows/s through the importer (CSV and Parquet) against DuckDB's own
 *   read_csv / read_parquet into a plain table on the same files, and against
 *   a minimal deduplicating pipeline in DuckDB alone;
 * - every metric cold over HTTP (cache off) against the same SQL run directly
 *   on the store (ratio = service overhead), and warm (cached); where the
 *   rollups answer it, also cold from the per-order facts alone;
 * - up to 1M orders, four metrics computed by plain JavaScript loops over the
 *   rows loaded in memory (the hand-written alternative), checked against the
 *   service's numbers;
 * - requests/s and p99 with 16 concurrent clients on mixed cached requests
 *   against the listening service;
 * - DuckDB's exact quantile over the values the percentile metrics aggregate,
 *   flat, against count and mean over them (the percentile's own cost);
 * - peak RSS;
 * and once, first: the widget bundle's gzip size and, in headless Chromium, each
 * chart widget's time from data arriving to the chart drawn.
 * Writes BENCHMARKS.md and bench/results.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { pino } from 'pino';
import { createApp } from '../server/app.js';
import { Database } from '../server/db/database.js';
import { generateDemoData } from '../server/demo/generate-demo-data.js';
import { presetMapping } from '../server/import/presets.js';
import { runImport } from '../server/import/run-import.js';
import { METRICS } from '../server/metrics/catalog.js';
import { MetricService } from '../server/metrics/metric-service.js';
import { staticSecurity } from '../server/security/secrets.js';
import { contextBindings } from '../server/metrics/scope.js';
import { DEFAULT_TENANT, TenantDirectory } from '../server/tenants.js';
import { JS_METRICS, loadRows, sameNumbers, type LoadedRows } from './js-baseline.js';
import { benchLoad } from './load.js';
import { benchLongTail } from './long-tail.js';
import { benchOrderLists } from './order-lists.js';
import { benchPercentileBound } from './percentile-bound.js';
import { byTurns as timedByTurns, rssSampler, round, summarize, time } from './stats.js';
import { benchWidgetPaint } from './widget-paint.js';

const { values } = parseArgs({
  options: { sizes: { type: 'string' }, runs: { type: 'string' }, 'import-sizes': { type: 'string' }, 'memory-limit': { type: 'string' }, 'long-tail-only': { type: 'boolean' } },
});
const memoryLimit = values['memory-limit'] ?? '2GB';
const BATCH_ORDERS = 500_000;
const WIDGET_ORDERS = 100_000;
const sizes = (values.sizes ?? '100000,1000000').split(',').map(Number);
const importSizes = new Set((values['import-sizes'] ?? '100000').split(',').map(Number));
const runs = Number(values.runs ?? 7);
// Only generate the data and time the long tail (bench/long-tail.ts): for iterating on it; writes no report.
const longTailOnly = values['long-tail-only'] ?? false;
// A widget draws in tens of ms, where one scheduling hiccup of this 2-core machine weighs: its p95
// needs more than the handful of runs a 10M metric gets (with 5, p95 is the slowest of 5).
const widgetRuns = Math.max(runs, 40);
// Likewise a cached answer (about a millisecond): one GC pause among 5 runs made a 10M run's warm p95 8.7 ms.
const warmRuns = Math.max(runs, 50);

const QUERIES: Record<string, string> = {
  'cycle-time': 'interval=month&groupBy=channel',
  'stage-breakdown': '',
  'first-response': 'interval=month',
  'stuck-orders': 'asOf=2025-12-31T12:00:00',
  'on-time': 'interval=month',
  'friction-cost': 'interval=month',
  'friction-pareto': 'groupBy=sku_series',
  'channel-funnel': '',
  'roi-compare': 'baselineFrom=2025-01-01&baselineTo=2025-07-01&to=2026-01-01',
  'promotion-roi': '',
  throughput: 'interval=month',
  'surge-alerts': '',
  sla: 'interval=month',
  // A tracker's question: orders waiting at stock_locked for a day, by channel and region.
  'order-forecast': 'stage=stock_locked&waited=24h',
  freshness: 'interval=month&asOf=2026-01-01T00:00:00Z',
};


/** Mixed metrics and filters for the load test: each metric as benchmarked, and per channel. */
const LOAD_PATHS = METRICS.flatMap((m) => {
  const query = QUERIES[m.name]!;
  return [`/api/metrics/${m.name}?${query}`, ...['tmall', 'jd', 'douyin'].map((c) => `/api/metrics/${m.name}?${[query, `channel=${c}`].filter(Boolean).join('&')}`)];
});

type Row = Record<string, number | string>;
interface SizeResult {
  orders: number;
  events: number;
  generateMs: number;
  /** Peak RSS while generating (and committing) the data, in 1M-order batches. */
  generatePeakRssMb: number;
  /** Peak RSS from then on: imports, every metric cold and warm, and the load test. */
  peakRssMb: number;
  imports: Row[];
  /** Small imports into the full store, after everything else at this size. */
  incremental: Row[];
  metrics: Row[];
  /** The questions a few clicks away, against a flat baseline (long-tail.ts). */
  longTail: Row[];
  /** GET /api/orders as a drill-through or a tracker asks it, cold. */
  orderLists?: Row[];
  jsBaseline: Row[];
  /** DuckDB's exact quantile over the values the percentile metrics aggregate, flat (see percentile-bound.ts). */
  percentileBound: Row[];
  load: Row;
}
const results: { bundleGzipKb?: number; widgets?: Row[]; sizes: Record<number, SizeResult | { error: string }> } = { sizes: {} };
const rss = rssSampler();
// Always rebuild: a stale bundle would time old widget code.
execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
results.bundleGzipKb = bundleGzipKb();

const duckdbVersion = ((await (await (await DuckDBInstance.create(':memory:')).connect()).runAndReadAll('SELECT version() AS v')).getRowObjectsJson()[0] as { v: string }).v;
const machine = { cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`, memoryGb: round(os.totalmem() / 2 ** 30, 0), node: process.version, duckdb: duckdbVersion, date: new Date().toISOString() };

// First, on a store of their own, so the widget figures do not depend on which sizes are run.
if (!longTailOnly) results.widgets = await benchWidgets();

for (const size of sizes) {
  try {
    rss.reset();
    const dir = mkdtempSync(join(os.tmpdir(), 'op-bench-store-'));
    const db = await Database.open({ path: join(dir, 'bench.duckdb'), memoryLimit });
    // The data goes in in batches of half a million orders, one transaction each, as a large history
    // would be imported: one 10M-order transaction runs out of DuckDB's memory limit, and a 10M run in
    // batches of a million ran out of 2 GB too (with an earlier, heavier facts refresh).
    const generated = { orders: 0, events: 0, elapsedMs: 0 };
    for (let first = 0; first < size; first += BATCH_ORDERS) {
      const batch = await generateDemoData(db, { orders: Math.min(BATCH_ORDERS, size - first), first, seed: 1 });
      generated.orders += batch.orders;
      generated.events += batch.events;
      generated.elapsedMs += batch.elapsedMs;
    }
    await db.withConnection((c) => c.run('CHECKPOINT'));
    const generatePeakRssMb = round(rss.peak() / 2 ** 20, 0);
    (globalThis as { gc?: () => void }).gc?.();
    rss.reset();
    console.log(`${size} orders: generated ${generated.events} events in ${generated.elapsedMs} ms, peak RSS ${generatePeakRssMb} MB`);
    const imports: Row[] = [];
    if (importSizes.has(size)) imports.push(...(await benchImports(db)));

    const security = staticSecurity({ adminKey: 'bench', publicMetrics: true });
    const logger = pino({ level: 'silent' });
    const cold = createApp({ db, security, logger, cacheMetrics: false, metricRequestsPerMinute: 1e9 });
    // The same metrics from the per-order facts alone, where the rollups answer them.
    const facts = createApp({ db, security, logger, cacheMetrics: false, rollups: false, metricRequestsPerMinute: 1e9 });
    const warm = createApp({ db, security, logger, metricRequestsPerMinute: 1e9 });
    const direct = new MetricService(db, new TenantDirectory(db), METRICS, { cache: false });
    const ctx = await direct.metricContext(DEFAULT_TENANT);
    const metrics: Row[] = [];
    for (const definition of longTailOnly ? [] : METRICS) {
      const query = QUERIES[definition.name]!;
      const url = `/api/metrics/${definition.name}?${query}`;
      const resolved = definition.resolve(Object.fromEntries(new URLSearchParams(query)), ctx);
      const sql = direct.sqlOf(definition.name);
      const byTurns = (works: (() => Promise<unknown>)[], count = runs) => timedByTurns(works, count);
      const request = (app: ReturnType<typeof createApp>) => async () => {
        const res = await app.request(url);
        if (res.status !== 200) throw new Error(`${url} → ${res.status} ${await res.text()}`);
        await res.json();
      };
      const fromRollups = resolved.bindings.rollup?.value === true;
      let http: ReturnType<typeof summarize>;
      let sqlOnly: ReturnType<typeof summarize>;
      let fromFacts: ReturnType<typeof summarize> | undefined;
      try {
        const [overHttp, inProcess] = await byTurns([
          request(cold),
          () => sql.run(db, { ...resolved.bindings, ...contextBindings(DEFAULT_TENANT, ctx) }, resolved.tz),
        ]);
        [http, sqlOnly] = [overHttp!, inProcess!];
        if (fromRollups) fromFacts = (await byTurns([request(facts)]))[0];
      } catch (error) {
        // One metric failing at a size (e.g. past the memory limit) is a result too.
        metrics.push({ metric: definition.name, error: (error as Error).message });
        console.log(`  ${definition.name.padEnd(16)} failed: ${(error as Error).message}`);
        continue;
      }
      const cached = (await byTurns([async () => (await warm.request(url)).json()], warmRuns))[0]!;
      metrics.push({
        metric: definition.name,
        source: fromRollups ? 'rollups' : 'facts',
        coldMedian: http.median,
        coldP95: http.p95,
        ...(fromFacts ? { factsMedian: fromFacts.median, factsP95: fromFacts.p95 } : {}),
        sqlMedian: sqlOnly.median,
        overhead: round(http.median / sqlOnly.median),
        warmMedian: cached.median,
        warmP95: cached.p95,
      });
      const factsNote = fromFacts ? ` (facts alone ${fromFacts.median} ms, p95 ${fromFacts.p95})` : '';
      console.log(`  ${definition.name.padEnd(16)} cold ${http.median} ms (p95 ${http.p95})${factsNote}, SQL ${sqlOnly.median} ms, warm ${cached.median} ms`);
    }

    // The same SQL in-process for any URL: the metric's statement with the bindings the service resolves.
    const sqlOf = async (url: string) => {
      const parsed = new URL(url, 'http://x');
      const definition = METRICS.find((m) => parsed.pathname.endsWith(`/${m.name}`))!;
      const resolved = definition.resolve(Object.fromEntries(parsed.searchParams), ctx);
      return direct.sqlOf(definition.name).run(db, { ...resolved.bindings, ...contextBindings(DEFAULT_TENANT, ctx) }, resolved.tz);
    };
    const longTail = await benchLongTail(db, cold, sqlOf, runs);
    const orderLists: Row[] = longTailOnly ? [] : await benchOrderLists(cold, runs);
    if (longTailOnly) {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
      continue;
    }

    const server = serve({ fetch: warm.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const load = await benchLoad(base, LOAD_PATHS);
    console.log(`  load: ${load.requestsPerSec} req/s with ${load.connections} clients, p99 ${load.latencyP99} ms, ${load.non2xx} non-2xx`);
    server.close();
    // The service's memory: measured before the JS baseline loads every row into this same process.
    const peakRssMb = round(rss.peak() / 2 ** 20, 0);
    const jsBaseline = size <= 1_000_000 ? await benchJsBaseline(db, cold) : [];
    const percentileBound = await benchPercentileBound(db, runs);
    // Hand the baseline's arrays back before the next size measures its own peak (--expose-gc, set by npm run bench).
    (globalThis as { gc?: () => void }).gc?.();

    // Last: these imports add orders and events to the store the figures above were measured on.
    const incremental = await benchIncrementalImports(db);

    results.sizes[size] = {
      orders: generated.orders,
      events: generated.events,
      generateMs: generated.elapsedMs,
      generatePeakRssMb,
      peakRssMb,
      imports,
      incremental,
      metrics,
      longTail,
      orderLists,
      jsBaseline,
      percentileBound,
      load,
    };
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  } catch (error) {
    // A size that fails (e.g. out of memory) is reported as such; the others still count.
    results.sizes[size] = { error: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
    console.log(`${size} orders failed: ${results.sizes[size].error}`);
  }
  writeReports();
}
rss.stop();

/** The widgets' paint times against a service over a year of demo data (2025) in its own in-memory store. */
async function benchWidgets(): Promise<Row[]> {
  const db = await Database.open({ path: ':memory:', memoryLimit });
  await generateDemoData(db, { orders: WIDGET_ORDERS, seed: 1 });
  const app = createApp({ db, security: staticSecurity({ adminKey: 'bench', publicMetrics: true }), logger: pino({ level: 'silent' }), metricRequestsPerMinute: 1e9 });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  try {
    await new Promise((resolve) => server.once('listening', resolve));
    return await benchWidgetPaint(`http://127.0.0.1:${(server.address() as { port: number }).port}`, widgetRuns);
  } finally {
    server.close();
    await db.close();
  }
}

/** The JavaScript loops against the service over HTTP (cold) on the same question; their numbers must agree. */
async function benchJsBaseline(db: Database, app: ReturnType<typeof createApp>): Promise<Row[]> {
  let loaded: LoadedRows | undefined;
  const loadMs = await time(async () => (loaded = await loadRows(db)));
  console.log(`  JS baseline: loaded ${loaded!.orders} orders and ${loaded!.eventAt.length} events into arrays in ${round(loadMs, 0)} ms (not timed below)`);
  const rows: Row[] = [];
  for (const m of JS_METRICS) {
    const url = `/api/metrics/${m.metric}?${m.query}`;
    const service = (await (await app.request(url)).json()) as { rows: Record<string, unknown>[] };
    const expected = new Map(service.rows.map((r) => [m.key(r), m.pick(r)]));
    const js = (m.run as (rows: LoadedRows) => ({ key: string } & Record<string, unknown>)[])(loaded!);
    const mismatches = js.filter(({ key, ...values }) => !expected.has(key) || !sameNumbers(values, expected.get(key)!)).length + Math.abs(expected.size - js.length);
    const jsTimes: number[] = [];
    const httpTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      jsTimes.push(await time(async () => m.run(loaded!)));
      httpTimes.push(await time(async () => (await app.request(url)).json()));
    }
    const j = summarize(jsTimes);
    const h = summarize(httpTimes);
    rows.push({ metric: m.metric, query: m.query, jsMedian: j.median, jsP95: j.p95, serviceMedian: h.median, jsOverService: round(j.median / h.median), mismatches });
    console.log(`  JS ${m.metric.padEnd(16)} ${j.median} ms vs service ${h.median} ms; ${mismatches} groups disagree`);
  }
  return rows;
}

/** orderpulse.js and every file it imports, transitively, gzip -9, in KB: what a page loading every widget downloads. */
function bundleGzipKb(): number {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*["'](\.{1,2}\/[^"']+)["']/g)) visit(join(dirname(file), spec!));
  };
  visit('dist/widgets/orderpulse.js');
  return round([...seen].reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0) / 1024, 1);
}

/**
 * What a daily import costs once the store is large: 1,000 new orders with their events (copies of
 * stored ones under new ids), and one new event each for 1,000 stored orders picked at random. Each
 * run imports different rows; the first run is a warm-up.
 */
async function benchIncrementalImports(db: Database): Promise<Row[]> {
  const dir = mkdtempSync(join(os.tmpdir(), 'op-bench-inc-'));
  const rows: Row[] = [];
  try {
    const kinds = {
      'append 1,000 new orders with their events': async (run: number) => {
        const orders = join(dir, `orders-${run}.parquet`);
        const events = join(dir, `events-${run}.parquet`);
        await db.withConnection(async (c) => {
          await c.run(
            `CREATE OR REPLACE TEMP TABLE picked AS SELECT channel, order_id FROM orders USING SAMPLE reservoir(1000 ROWS) REPEATABLE (${run})`,
          );
          await c.run(
            `COPY (SELECT 'new${run}-' || o.order_id AS order_id, o.* EXCLUDE (tenant_id, order_id, order_key, source) FROM orders o SEMI JOIN picked USING (channel, order_id))
             TO '${orders}' (FORMAT parquet)`,
          );
          await c.run(
            `COPY (SELECT 'new${run}-' || e.order_id AS order_id, e.* EXCLUDE (tenant_id, order_id, order_key, origin, event_id) FROM order_events e SEMI JOIN picked USING (channel, order_id))
             TO '${events}' (FORMAT parquet)`,
          );
        });
        return [orders, events];
      },
      // The everyday path (#17): a newer export of orders already stored, most of them unchanged.
      're-export 1,000 stored orders, a third corrected': async (run: number) => {
        const orders = join(dir, `reexport-orders-${run}.parquet`);
        const events = join(dir, `reexport-events-${run}.parquet`);
        await db.withConnection(async (c) => {
          await c.run(
            `CREATE OR REPLACE TEMP TABLE picked AS SELECT order_key FROM orders USING SAMPLE reservoir(1000 ROWS) REPEATABLE (${1000 + run})`,
          );
          await c.run(
            `COPY (SELECT o.* EXCLUDE (tenant_id, order_key, source) REPLACE (
                     CASE WHEN hash(o.order_id, ${run}) % 6 = 0 THEN o.amount + 1 ELSE o.amount END AS amount,
                     CASE WHEN hash(o.order_id, ${run}) % 6 = 1 THEN o.promised_at + INTERVAL 1 HOUR ELSE o.promised_at END AS promised_at)
                   FROM orders o SEMI JOIN picked USING (order_key)) TO '${orders}' (FORMAT parquet)`,
          );
          await c.run(
            `COPY (SELECT e.order_id, e.channel, e."at", e.type, e.stage, e.actor,
                          CASE WHEN e.type IN ('contact', 'exception') AND hash(e.order_id, ${run}) % 6 = 2 THEN e.minutes + 1 ELSE e.minutes END AS minutes, e.cost
                   FROM order_events e SEMI JOIN picked USING (order_key)) TO '${events}' (FORMAT parquet)`,
          );
        });
        return [orders, events];
      },
      'add one event to each of 1,000 stored orders': async (run: number) => {
        const events = join(dir, `events-contacts-${run}.parquet`);
        await db.withConnection((c) =>
          c.run(
            `COPY (SELECT order_id, channel, created_at + INTERVAL (40 + ${run}) DAY AS "at", 'contact' AS type, NULL::VARCHAR AS stage,
                          'bench-agent' AS actor, 5 AS minutes, NULL::DOUBLE AS cost
                   FROM orders USING SAMPLE reservoir(1000 ROWS) REPEATABLE (${run})) TO '${events}' (FORMAT parquet)`,
          ),
        );
        return [events];
      },
    };
    for (const [kind, write] of Object.entries(kinds)) {
      const samples: number[] = [];
      let rowCount = 0;
      for (let run = 0; run <= runs; run++) {
        const files = await write(run);
        let result: Awaited<ReturnType<typeof runImport>> | undefined;
        const ms = await time(async () => {
          result = await runImport(db, { mapping: presetMapping('canonical'), files: files.map((path) => ({ path })) });
        });
        if (run > 0) samples.push(ms);
        rowCount = result!.rowsRead;
      }
      const s = summarize(samples);
      rows.push({ kind, rows: rowCount, median: s.median, p95: s.p95 });
      console.log(`  incremental import (${kind}): ${s.median} ms (p95 ${s.p95}) for ${rowCount} rows`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** Import rows/s: the importer (canonical preset) against DuckDB's own reader into a plain table, same files. */
async function benchImports(source: Database): Promise<Row[]> {
  const dir = mkdtempSync(join(os.tmpdir(), 'op-bench-'));
  const rows: Row[] = [];
  try {
    for (const format of ['csv', 'parquet'] as const) {
      const options = format === 'csv' ? '(HEADER, DELIMITER \',\')' : '(FORMAT parquet)';
      const orders = join(dir, `orders.${format}`);
      const events = join(dir, `events.${format}`);
      await source.withConnection(async (c) => {
        await c.run(`COPY (SELECT * FROM orders) TO '${orders}' ${options}`);
        await c.run(`COPY (SELECT * FROM order_events ORDER BY "at") TO '${events}' ${options}`);
      });
      const [{ n }] = (await source.query('SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM order_events) AS n')) as { n: string }[];
      const totalRows = Number(n);
      const repeated = async (work: () => Promise<void>) => {
        const samples: number[] = [];
        for (let i = 0; i < runs; i++) samples.push(await time(work));
        return summarize(samples);
      };
      const importer = await repeated(async () => {
        const target = await Database.open({ path: ':memory:' });
        await runImport(target, { mapping: presetMapping('canonical'), files: [{ path: orders }, { path: events }] });
        await target.close();
      });
      const reader = format === 'csv' ? 'read_csv' : 'read_parquet';
      const plain = await repeated(async () => {
        const instance = await DuckDBInstance.create(':memory:');
        const c = await instance.connect();
        await c.run(`CREATE TABLE o AS SELECT * FROM ${reader}('${orders}')`);
        await c.run(`CREATE TABLE e AS SELECT * FROM ${reader}('${events}')`);
        c.closeSync();
        instance.closeSync();
      });
      // The least an import that deduplicates and keeps per-order facts does, in DuckDB alone: typed
      // reads, one grouping on the event identity into the table, one grouping per order, and no
      // validation, error reporting or derived lists.
      const minimal = await repeated(async () => {
        const instance = await DuckDBInstance.create(':memory:');
        const c = await instance.connect();
        await c.run(`CREATE TABLE o AS SELECT * FROM ${reader}('${orders}')`);
        await c.run(`CREATE TEMP TABLE staged AS SELECT * FROM ${reader}('${events}')`);
        await c.run(`CREATE TABLE e AS SELECT order_id, channel, "at", type, stage, actor, max(minutes) AS minutes, max(cost) AS cost FROM staged GROUP BY ALL`);
        await c.run(`CREATE TABLE f AS SELECT channel, order_id, count(*) AS events, min("at") AS first_at, list({'at': "at", 'stage': stage}) FILTER (type = 'stage') AS stages FROM e GROUP BY ALL`);
        c.closeSync();
        instance.closeSync();
      });
      // Rates from the median times; the p95 time gives the slower rate.
      const rate = (ms: number) => round(totalRows / (ms / 1000), 0);
      rows.push({
        format,
        rows: totalRows,
        importerRowsPerSec: rate(importer.median),
        importerRowsPerSecAtP95: rate(importer.p95),
        duckdbRowsPerSec: rate(plain.median),
        ratio: round(plain.median / importer.median, 3),
        minimalRowsPerSec: rate(minimal.median),
      });
      console.log(`  import ${format}: ${rows.at(-1)!.importerRowsPerSec} rows/s vs DuckDB ${rows.at(-1)!.duckdbRowsPerSec} rows/s (minimal pipeline ${rows.at(-1)!.minimalRowsPerSec})`);
      if (format === 'csv') rows.push(...importProcesses(orders, events));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/**
 * The orders file alone, and both files, each imported in a process of its own (bench/import-process.ts)
 * by the importer and by DuckDB's read_csv into a plain table: rows/s from the median time, and the
 * largest peak RSS of the runs, which in this process would be the store's.
 */
function importProcesses(orders: string, events: string): Row[] {
  const script = join(import.meta.dirname, 'import-process.ts');
  const measure = (mode: 'importer' | 'duckdb', files: string[]) => {
    const samples = Array.from({ length: runs }, () =>
      JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', script, mode, memoryLimit, ...files], { encoding: 'utf8' }).trim().split('\n').at(-1)!) as { ms: number; rows: number; peakRssMb: number },
    );
    return { ...summarize(samples.map((x) => x.ms)), rows: samples[0]!.rows, peakRssMb: Math.max(...samples.map((x) => x.peakRssMb)) };
  };
  const out: Row[] = [];
  for (const [format, files] of [['csv, orders only', [orders]], ['csv, orders and events', [orders, events]]] as const) {
    const importer = measure('importer', [...files]);
    const duckdb = measure('duckdb', [...files]);
    const rate = (ms: number) => round(importer.rows / (ms / 1000), 0);
    out.push({
      format: `${format} (a process each)`,
      rows: importer.rows,
      importerRowsPerSec: rate(importer.median),
      importerRowsPerSecAtP95: rate(importer.p95),
      duckdbRowsPerSec: rate(duckdb.median),
      ratio: round(duckdb.median / importer.median, 3),
      importerPeakRssMb: importer.peakRssMb,
      duckdbPeakRssMb: duckdb.peakRssMb,
    });
    console.log(`  import ${format}: ${out.at(-1)!.importerRowsPerSec} rows/s (peak RSS ${importer.peakRssMb} MB) vs DuckDB ${out.at(-1)!.duckdbRowsPerSec} rows/s (${duckdb.peakRssMb} MB)`);
  }
  return out;
}

/** Writes BENCHMARKS.md and bench/results.json from what is measured so far (after every size). */
function writeReports(): void {
  const command = `npm run bench -- --sizes ${sizes.join(',')} --runs ${runs} --import-sizes ${[...importSizes].join(',')} --memory-limit ${memoryLimit}`;
  const md: string[] = [
    '# Benchmarks',
    '',
    `Generated by \`${command}\` on ${machine.date.slice(0, 10)}: ${machine.cpus}, ${machine.memoryGb} GiB, Node ${machine.node}, DuckDB ${machine.duckdb}, store in a file with DuckDB's memory limit at ${memoryLimit}. Times in ms: median and p95 over ${runs} runs after one warm-up (warm answers over ${warmRuns}). "cold" = over HTTP through \`app.request()\` with the cache off; "SQL" = the same statement and bindings run directly on the store, by turns with the cold requests; "overhead" = cold ÷ SQL; "warm" = answered from the cache. The raw figures are in \`bench/results.json\`.`,
    '',
    '## Widgets',
    '',
    `Bundle: \`orderpulse.js\` with its chunks ${results.bundleGzipKb} KB gzip. In headless Chromium (1200×480 px per chart), from the response body read by \`fetch\` to the chart drawn (\`op-chart-rendered\`) and to the next animation frame (painted), with ${WIDGET_ORDERS.toLocaleString('en')} orders of demo data for 2025 in an in-memory store of their own, measured before anything else, ${widgetRuns} runs after one warm-up:`,
    '',
    '| widget | rows | drawn median | drawn p95 | painted median | painted p95 |',
    '|---|---|---|---|---|---|',
    ...(results.widgets ?? []).map((w) => `| ${w.widget} | ${w.rows} | ${w.drawnMedian} | ${w.drawnP95} | ${w.paintedMedian} | ${w.paintedP95} |`),
    '',
  ];
  for (const [size, r] of Object.entries(results.sizes)) {
    if ('error' in r) {
      md.push(`## ${Number(size).toLocaleString('en')} orders`, '', `**Failed:** ${r.error}`, '');
      continue;
    }
    md.push(`## ${Number(size).toLocaleString('en')} orders (${r.events.toLocaleString('en')} events)`, '', `Generated in ${r.generateMs} ms with a peak RSS of ${r.generatePeakRssMb} MB; peak RSS while serving (imports, metrics, load test) ${r.peakRssMb} MB.`, '');
    if (r.imports.length) {
      md.push(
        `Each import into a new in-memory store, ${runs} runs; rows/s from the median time (and, for the importer, from the p95 time):`,
        '',
        '| import | rows | importer rows/s | at p95 | DuckDB read into a table rows/s | importer ÷ DuckDB | DuckDB minimal pipeline rows/s | importer peak RSS MB | DuckDB peak RSS MB |',
        '|---|---|---|---|---|---|---|---|---|',
      );
      for (const i of r.imports) md.push(`| ${i.format} | ${i.rows} | ${i.importerRowsPerSec} | ${i.importerRowsPerSecAtP95 ?? ''} | ${i.duckdbRowsPerSec} | ${i.ratio} | ${i.minimalRowsPerSec ?? 'n/a'} | ${i.importerPeakRssMb ?? ''} | ${i.duckdbPeakRssMb ?? ''} |`);
      md.push('', '"Minimal pipeline": the same files through DuckDB alone with the least a deduplicating import with per-order facts does: read both files, group the events on their identity into the table, group them once more per order. No validation, error reporting or derived lists. "A process each": one import per process (bench/import-process.ts), so that its peak RSS is its own.', '');
    }
    md.push(
      '| metric | read from | cold median | cold p95 | SQL median | overhead | warm median | warm p95 | facts alone median | facts alone p95 |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const m of r.metrics) {
      md.push(
        m.error
          ? `| ${m.metric} | | failed: ${m.error} | | | | | | | |`
          : `| ${m.metric} | ${m.source} | ${m.coldMedian} | ${m.coldP95} | ${m.sqlMedian} | ${m.overhead} | ${m.warmMedian} | ${m.warmP95} | ${m.factsMedian ?? ''} | ${m.factsP95 ?? ''} |`,
      );
    }
    md.push('', '"read from": the rollups answer the benchmarked query, or the per-order facts; "facts alone": the same request, cold, with the rollups switched off (`createApp({ rollups: false })`).', '');
    if (r.longTail?.length) {
      md.push(
        'The long tail: questions a few clicks from the defaults (bench/long-tail.ts), cold over HTTP, the same SQL in-process, and a flat baseline: the plainest DuckDB SQL answering the same question over a flat table of the same orders with one column per stage time (built once, not timed), by turns; a variant that answers within 100 ms is timed over at least 25 rounds. "÷ flat" = cold median ÷ flat median:',
        '',
        '| variant | cold median | cold p95 | SQL median | flat median | ÷ flat |',
        '|---|---|---|---|---|---|',
        ...r.longTail.map((v) => `| ${v.variant} | ${v.coldMedian} | ${v.coldP95} | ${v.sqlMedian} | ${v.flatMedian} | ${v.overFlat} |`),
        '',
      );
    }
    if (r.orderLists?.length) {
      md.push('Order lists (`GET /api/orders`, 50 rows a page unless the URL says otherwise), cold over HTTP:', '', '| list | URL | cold median | cold p95 |', '|---|---|---|---|');
      for (const o of r.orderLists) md.push(`| ${o.list} | \`${o.url}\` | ${o.coldMedian} | ${o.coldP95} |`);
      md.push('');
    }
    if (r.jsBaseline.length) {
      md.push('Hand-written JavaScript loops over the rows loaded in arrays (loading not timed) against the service over HTTP, same question; "disagree" counts groups whose numbers differ beyond 1e-9:', '');
      md.push('| metric | query | JS median | JS p95 | service median | JS ÷ service | disagree |', '|---|---|---|---|---|---|---|');
      for (const j of r.jsBaseline) md.push(`| ${j.metric} | \`${j.query}\` | ${j.jsMedian} | ${j.jsP95} | ${j.serviceMedian} | ${j.jsOverService} | ${j.mismatches} |`);
      md.push('');
    }
    if (r.percentileBound?.length) {
      md.push('What an exact percentile costs in DuckDB alone: every value the metric aggregates in its default all-time scope, copied flat into a temp table (no lists, filters or dimensions), grouped by step: count and mean against p50 and p90 by `quantile_cont`:', '');
      md.push('| values | count | count and mean median | quantile_cont median | quantile_cont p95 | ns per value for the quantile |', '|---|---|---|---|---|---|');
      for (const b of r.percentileBound) md.push(`| ${b.values} | ${b.count} | ${b.countMeanMedian} | ${b.quantileMedian} | ${b.quantileP95} | ${b.nsPerValue} |`);
      md.push('');
    }
    md.push(`Load: ${r.load.connections} concurrent clients for ${r.load.seconds} s cycling through ${r.load.paths} cached requests (every metric, unfiltered and per channel) against the listening service: **${r.load.requestsPerSec} requests/s**, latency median ${r.load.latencyMedian} ms, p99 ${r.load.latencyP99} ms, ${r.load.non2xx} non-2xx, ${r.load.errors} errors.`, '');
    if (r.incremental?.length) {
      md.push('Small imports into this store once everything above was measured (ms):', '', '| import | rows | median | p95 |', '|---|---|---|---|');
      for (const i of r.incremental) md.push(`| ${i.kind} | ${i.rows} | ${i.median} | ${i.p95} |`);
      md.push('');
    }
  }
  const measured = sizes.filter((size) => results.sizes[size] && !('error' in results.sizes[size]!));
  const metricsAt = (size: number) => (results.sizes[size] as SizeResult).metrics;
  if (measured.length > 1) {
    const pairs = measured.slice(1).map((to, i) => [measured[i]!, to] as const);
    md.push('## Growth', '', 'Cold median at the larger size ÷ at the smaller:', '', `| metric | ${pairs.map(([a, b]) => `${a} → ${b} (${b / a}× orders)`).join(' | ')} |`, `|---|${pairs.map(() => '---|').join('')}`);
    for (const m of metricsAt(measured[0]!)) {
      const at = (size: number) => metricsAt(size).find((x) => x.metric === m.metric)?.coldMedian as number | undefined;
      md.push(`| ${m.metric} | ${pairs.map(([a, b]) => (at(a) && at(b) ? round(at(b)! / at(a)!) : 'n/a')).join(' | ')} |`);
    }
    md.push('');
  }
  writeFileSync('BENCHMARKS.md', md.join('\n'));
  writeFileSync('bench/results.json', JSON.stringify({ machine, command, memoryLimit, ...results }, null, 2) + '\n');
  console.log('wrote BENCHMARKS.md and bench/results.json');
}
process.exit(0);
