import './uv-threadpool.js';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { loadSecurity } from './security/secrets.js';
import { positiveInteger, resolveDbPath } from './config.js';
import { Database } from './db/database.js';
import { generateDemoData } from './demo/generate-demo-data.js';
import { widgetBundleBuilt } from './routes/widget-files.js';
import { execFileSync } from 'node:child_process';

/**
 * `npm start`: opens (and migrates) the store, seeds demo data when it holds
 * no orders, and serves the API and pages on PORT (default 8787).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { db: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'no-demo': { type: 'boolean' } } });
  const dbPath = resolveDbPath(values.db);
  const port = positiveInteger(values.port ?? process.env.PORT, 'PORT', 8787);
  // Loopback unless told otherwise: serving other machines is a decision (HOST=0.0.0.0).
  const hostname = values.host ?? process.env.HOST ?? '127.0.0.1';
  if (!widgetBundleBuilt()) {
    console.log('building the widget bundle (npm run build)…');
    execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
  }
  const db = await Database.open({ path: dbPath });

  const [{ orders }] = (await db.query('SELECT count(*)::DOUBLE AS orders FROM orders')) as { orders: number }[];
  if (orders === 0 && !values['no-demo']) {
    const demoOrders = positiveInteger(process.env.ORDERPULSE_DEMO_ORDERS, 'ORDERPULSE_DEMO_ORDERS', 20_000);
    const result = await generateDemoData(db, { orders: demoOrders, seed: 1 });
    console.log(`seeded demo data: ${result.orders.toLocaleString('en')} orders, ${result.events.toLocaleString('en')} events (${result.elapsedMs} ms)`);
  }

  const security = await loadSecurity(db);
  if (security.generatedAdminKey) {
    console.log(`generated an admin key (shown once; set ORDERPULSE_ADMIN_KEY to choose your own): ${security.generatedAdminKey}`);
  }
  if (security.publicMetrics) console.log('OPEN DEMO MODE (ORDERPULSE_PUBLIC_DEMO=1): metrics answer without a token');
  const queryTimeoutMs = positiveInteger(process.env.ORDERPULSE_QUERY_TIMEOUT_MS, 'ORDERPULSE_QUERY_TIMEOUT_MS', 30_000);
  const app = createApp({ db, security, queryTimeoutMs });
  const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
    const shown = hostname === '127.0.0.1' || hostname === 'localhost' ? 'localhost' : hostname.includes(':') ? `[${hostname}]` : hostname;
    console.log(`OrderPulse is serving ${dbPath} at http://${shown}:${info.port}/`);
  });
  const stop = () => {
    server.close();
    void db.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`orderpulse: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
