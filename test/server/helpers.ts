import { resolve } from 'node:path';
import { pino } from 'pino';
import { createApp, type AppDeps } from '../../server/app.js';
import { staticSecurity } from '../../server/security/secrets.js';
import { Database, type JsonRow } from '../../server/db/database.js';
import { presetMapping } from '../../server/import/presets.js';
import { runImport, type ImportResult } from '../../server/import/run-import.js';

/** The public exports beside the repository (never copied into it). */
export const SHARED_DATA = resolve(import.meta.dirname, '../../../shared/data');
export const FIXTURES = resolve(import.meta.dirname, '../fixtures');

export const OLIST_FILES = ['olist_orders_dataset.csv', 'olist_order_payments_dataset.csv', 'olist_order_items_dataset.csv', 'olist_products_dataset.csv'];

export function openStore(): Promise<Database> {
  return Database.open({ path: ':memory:' });
}

/** When the tests' imports run, unless a test says otherwise: answers that read import times (freshness) repeat. */
export const TEST_IMPORTED_AT = new Date('2026-01-01T00:00:00Z');

export function importPreset(
  db: Database,
  preset: string,
  paths: string[],
  onError: 'reject' | 'skip' = 'reject',
): Promise<ImportResult> {
  return runImport(db, { mapping: presetMapping(preset), files: paths.map((path) => ({ path })), onError, importedAt: TEST_IMPORTED_AT });
}

/** The hand-worked fixture's service level: paid → shipped within a day. */
export const FIXTURE_SLA_TARGETS = [{ from: 'paid', to: 'shipped', hours: 24 }];

/**
 * Sets a tenant's SLA targets straight in the store, without bumping the data version (before any
 * request: the service reads settings once per data version), so fixtures keep version 1.
 */
export async function setSlaTargets(db: Database, tenant: string, targets: unknown[]): Promise<void> {
  await db.transaction(async (c) => {
    const [row] = (await c.runAndReadAll('SELECT settings FROM tenants WHERE tenant_id = $tenant', { tenant })).getRowObjectsJson();
    const settings = { ...(row?.settings ? (JSON.parse(row.settings as string) as object) : {}), slaTargets: targets };
    await c.run('UPDATE tenants SET settings = $value WHERE tenant_id = $tenant', { tenant, value: JSON.stringify(settings) });
  });
}

/** Runs a query on the store; numbers come back as numbers where the SQL casts them to DOUBLE/INTEGER. */
export function rows(db: Database, sql: string): Promise<JsonRow[]> {
  return db.query(sql);
}

/** Catches the rejection of `promise` so a test can assert on the error it carries. */
export async function rejectionOf(promise: Promise<unknown>): Promise<{ status: number; code: string; message: string; details: any }> {
  try {
    await promise;
  } catch (error) {
    return error as { status: number; code: string; message: string; details: any };
  }
  throw new Error('expected a rejection');
}

export const ADMIN_KEY = 'test-admin-key';
export const EMBED_SECRET = 'test:embed-secret-for-tests';
/** Headers that carry the admin key. */
export const ADMIN = { Authorization: `Bearer ${ADMIN_KEY}` };

/** The app over a store, in open demo mode unless told otherwise, with a known admin key. */
export function testApp(db: Database, options: Partial<AppDeps> & { publicMetrics?: boolean } = {}): ReturnType<typeof createApp> {
  const { publicMetrics = true, ...rest } = options;
  // Suites fire thousands of requests from one "address": the rate limit has its own test.
  return createApp({
    db,
    logger: pino({ level: 'silent' }),
    logError: process.env.TEST_LOG_ERRORS ? (e: unknown) => console.error(e) : () => undefined,
    security: staticSecurity({ adminKey: ADMIN_KEY, embedSecret: EMBED_SECRET, publicMetrics }),
    metricRequestsPerMinute: 1_000_000,
    ...rest,
  });
}
