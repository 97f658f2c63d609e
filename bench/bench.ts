/**
 * `npm run bench -- [--sizes 100000,1000000] [--runs 7] [--import-sizes 100000]`
 *
 * For each size: generates demo data (about 10 events per order), then measures
 * in the same run — each figure a median and p95 over repeated runs:
 * - import rows/s through the importer (CSV and Parquet) against DuckDB's own
 *   read_csv / read_parquet into a plain table on the same files;
 * - every metric cold over HTTP (cache off) against the same SQL run directly
 *   on the store (ratio = service overhead), and warm (cached);
 * - peak RSS. Writes BENCHMARKS.md and bench/results.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
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
import { text } from '../server/metrics/bindings.js';
import { DEFAULT_TENANT, TenantDirectory } from '../server/tenants.js';
import { rssSampler, round, summarize, time } from './stats.js';

const { values } = parseArgs({ options: { sizes: { type: 'string' }, runs: { type: 'string' }, 'import-sizes': { type: 'string' } } });
const sizes = (values.sizes ?? '100000,1000000').split(',').map(Number);
const importSizes = new Set((values['import-sizes'] ?? '100000').split(',').map(Number));
const runs = Number(values.runs ?? 7);

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
};

type Row = Record<string, number | string>;
const results: { sizes: Record<number, { orders: number; events: number; generateMs: number; peakRssMb: number; imports: Row[]; metrics: Row[] }> } = { sizes: {} };
const rss = rssSampler();

for (const size of sizes) {
  rss.reset();
  const db = await Database.open({ path: ':memory:' });
  const generated = await generateDemoData(db, { orders: size, seed: 1 });
  console.log(`${size} orders: generated ${generated.events} events in ${generated.elapsedMs} ms`);
  const imports: Row[] = [];
  if (importSizes.has(size)) imports.push(...(await benchImports(db)));

  const security = staticSecurity({ adminKey: 'bench', publicMetrics: true });
  const logger = pino({ level: 'silent' });
  const cold = createApp({ db, security, logger, cacheMetrics: false, metricRequestsPerMinute: 1e9 });
  const warm = createApp({ db, security, logger, metricRequestsPerMinute: 1e9 });
  const direct = new MetricService(db, new TenantDirectory(db), METRICS, { cache: false });
  const ctx = await direct.metricContext(DEFAULT_TENANT);
  const metrics: Row[] = [];
  for (const definition of METRICS) {
    const query = QUERIES[definition.name]!;
    const url = `/api/metrics/${definition.name}?${query}`;
    const resolved = definition.resolve(Object.fromEntries(new URLSearchParams(query)), ctx);
    const sql = direct.sqlOf(definition.name);
    const sample = async (work: () => Promise<unknown>) => {
      await work(); // warm DuckDB's own caches and the JIT alike for both sides
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) samples.push(await time(work));
      return summarize(samples);
    };
    const http = await sample(async () => {
      const res = await cold.request(url);
      if (res.status !== 200) throw new Error(`${url} → ${res.status}`);
      await res.json();
    });
    const sqlOnly = await sample(() => sql.run(db, { ...resolved.bindings, tenant: text(DEFAULT_TENANT), store_tz: text(ctx.settings.timeZone) }, resolved.tz));
    await warm.request(url);
    const cached = await sample(async () => (await warm.request(url)).json());
    metrics.push({
      metric: definition.name,
      coldMedian: http.median,
      coldP95: http.p95,
      sqlMedian: sqlOnly.median,
      overhead: round(http.median / sqlOnly.median),
      warmMedian: cached.median,
      warmP95: cached.p95,
    });
    console.log(`  ${definition.name.padEnd(16)} cold ${http.median} ms (p95 ${http.p95}), SQL ${sqlOnly.median} ms, warm ${cached.median} ms`);
  }
  results.sizes[size] = { orders: generated.orders, events: generated.events, generateMs: generated.elapsedMs, peakRssMb: round(rss.peak() / 2 ** 20, 0), imports, metrics };
  await db.close();
}
rss.stop();

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
      const importer = await time(async () => {
        const target = await Database.open({ path: ':memory:' });
        await runImport(target, { mapping: presetMapping('canonical'), files: [{ path: orders }, { path: events }] });
        await target.close();
      });
      const reader = format === 'csv' ? 'read_csv' : 'read_parquet';
      const plain = await time(async () => {
        const instance = await DuckDBInstance.create(':memory:');
        const c = await instance.connect();
        await c.run(`CREATE TABLE o AS SELECT * FROM ${reader}('${orders}')`);
        await c.run(`CREATE TABLE e AS SELECT * FROM ${reader}('${events}')`);
        c.closeSync();
        instance.closeSync();
      });
      rows.push({ format, rows: totalRows, importerRowsPerSec: round(totalRows / (importer / 1000), 0), duckdbRowsPerSec: round(totalRows / (plain / 1000), 0), ratio: round(plain / importer, 3) });
      console.log(`  import ${format}: ${rows.at(-1)!.importerRowsPerSec} rows/s vs DuckDB ${rows.at(-1)!.duckdbRowsPerSec} rows/s`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

const duckdbVersion = ((await (await (await DuckDBInstance.create(':memory:')).connect()).runAndReadAll('SELECT version() AS v')).getRowObjectsJson()[0] as { v: string }).v;
const machine = { cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`, memoryGb: round(os.totalmem() / 2 ** 30, 0), node: process.version, duckdb: duckdbVersion, date: new Date().toISOString() };
writeFileSync('bench/results.json', JSON.stringify({ machine, command: `npm run bench -- --sizes ${sizes.join(',')} --runs ${runs}`, ...results }, null, 2) + '\n');

const md: string[] = [
  '# Benchmarks',
  '',
  `Generated by \`npm run bench -- --sizes ${sizes.join(',')} --runs ${runs}\` on ${machine.date.slice(0, 10)}: ${machine.cpus}, ${machine.memoryGb} GiB, Node ${machine.node}, DuckDB ${machine.duckdb}. Times in ms: median and p95 over ${runs} runs after one warm-up. "cold" = over HTTP through \`app.request()\` with the cache off; "SQL" = the same statement and bindings run directly on the store; "overhead" = cold ÷ SQL; "warm" = answered from the cache. The raw figures are in \`bench/results.json\`.`,
  '',
];
for (const [size, r] of Object.entries(results.sizes)) {
  md.push(`## ${Number(size).toLocaleString('en')} orders (${r.events.toLocaleString('en')} events)`, '', `Generated in ${r.generateMs} ms; peak RSS ${r.peakRssMb} MB.`, '');
  if (r.imports.length) {
    md.push('| import | rows | importer rows/s | DuckDB read into a table rows/s | importer ÷ DuckDB |', '|---|---|---|---|---|');
    for (const i of r.imports) md.push(`| ${i.format} | ${i.rows} | ${i.importerRowsPerSec} | ${i.duckdbRowsPerSec} | ${i.ratio} |`);
    md.push('');
  }
  md.push('| metric | cold median | cold p95 | SQL median | overhead | warm median | warm p95 |', '|---|---|---|---|---|---|---|');
  for (const m of r.metrics) md.push(`| ${m.metric} | ${m.coldMedian} | ${m.coldP95} | ${m.sqlMedian} | ${m.overhead} | ${m.warmMedian} | ${m.warmP95} |`);
  md.push('');
}
if (sizes.length > 1) {
  md.push('## Growth', '', `Cold median at ${sizes.at(-1)} orders ÷ at ${sizes[0]} (${sizes.at(-1)! / sizes[0]!}× the orders):`, '', '| metric | ratio |', '|---|---|');
  const first = results.sizes[sizes[0]!]!.metrics;
  const last = results.sizes[sizes.at(-1)!]!.metrics;
  for (const m of last) md.push(`| ${m.metric} | ${round((m.coldMedian as number) / (first.find((f) => f.metric === m.metric)!.coldMedian as number))} |`);
  md.push('');
}
writeFileSync('BENCHMARKS.md', md.join('\n'));
console.log('wrote BENCHMARKS.md and bench/results.json');
process.exit(0);
