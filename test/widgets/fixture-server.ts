/**
 * The real service over the hand-worked metrics fixture (test/fixtures/metrics),
 * for the browser tests. Prints `listening <port>` when ready.
 */
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { pino } from 'pino';
import { createApp } from '../../server/app.js';
import { staticSecurity } from '../../server/security/secrets.js';
import { Database } from '../../server/db/database.js';
import { presetMapping } from '../../server/import/presets.js';
import { runImport } from '../../server/import/run-import.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'metrics');
const db = await Database.open({ path: ':memory:' });
await runImport(db, { mapping: presetMapping('canonical'), files: ['orders.csv', 'events.csv', 'promotions.csv'].map((f) => ({ path: join(fixtures, f) })) });
const server = serve({ fetch: createApp({ db, logger: pino({ level: 'silent' }), logError: () => undefined, security: staticSecurity({ adminKey: 'widget-tests', publicMetrics: true }) }).fetch, port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1' });
server.once('listening', () => console.log(`listening ${(server.address() as { port: number }).port}`));
