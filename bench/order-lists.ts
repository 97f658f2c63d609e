/**
 * The order lists a drill-through or a tracker asks for (GET /api/orders), timed cold over HTTP:
 * `npm run bench` times them at each size; `npm run bench:lists -- --store <file> [--runs N]` times
 * them on a store file of your own (e.g. the bench's data made by `npm run demo-data` in batches), to
 * compare two commits on the same data without generating it again.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { createApp } from '../server/app.js';
import { Database } from '../server/db/database.js';
import { staticSecurity } from '../server/security/secrets.js';
import { byTurns } from './stats.js';

export const ORDER_LISTS: [string, string][] = [
  ['first page, newest first', '/api/orders'],
  ['a stuck-orders bar (shipped, 1-3 d), oldest first', '/api/orders?stage=shipped&ageBucket=1-3d&sort=-age'],
  ['a funnel step\'s drop-offs (douyin, shipped)', '/api/orders?channel=douyin&step=shipped&outcome=dropped'],
  ['a friction driver (knitwear contacts)', '/api/orders?component=contact&skuSeries=knitwear'],
  ['by friction cost, jd', '/api/orders?channel=jd&sort=-friction_cost'],
  ['with forecasts, open orders waiting at shipped', '/api/orders?stage=shipped&forecast=true&limit=20'],
  ["an sla's at-risk orders (paid → shipped)", '/api/orders?sla=paid->shipped&slaState=at_risk'],
  ["an sla's breached orders of tmall", '/api/orders?sla=paid->shipped&slaState=breached&channel=tmall'],
  ['by warehouse (Chengdu), newest first', '/api/orders?warehouse=WH-Chengdu'],
];

type App = ReturnType<typeof createApp>;

/** Each list once to warm, then `runs` cold requests (the app must not cache metrics). */
export async function benchOrderLists(app: App, runs: number, log = true): Promise<{ list: string; url: string; coldMedian: number; coldP95: number }[]> {
  const rows = [];
  for (const [name, url] of ORDER_LISTS) {
    const [s] = await byTurns([async () => {
      const res = await app.request(url);
      if (res.status !== 200) throw new Error(`${url} → ${res.status} ${await res.text()}`);
      await res.json();
    }], runs);
    rows.push({ list: name, url, coldMedian: s!.median, coldP95: s!.p95 });
    if (log) console.log(`  orders: ${name.padEnd(48)} cold ${s!.median} ms (p95 ${s!.p95})`);
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { store: { type: 'string' }, runs: { type: 'string' }, 'memory-limit': { type: 'string' } } });
  if (!values.store) throw new Error('--store <file>: the store to time the lists on');
  const db = await Database.open({ path: values.store, memoryLimit: values['memory-limit'] ?? '2GB' });
  const app = createApp({ db, security: staticSecurity({ adminKey: 'bench', publicMetrics: true }), logger: pino({ level: 'silent' }), cacheMetrics: false, metricRequestsPerMinute: 1e9 });
  await benchOrderLists(app, Number(values.runs ?? 5));
  await db.close();
}
