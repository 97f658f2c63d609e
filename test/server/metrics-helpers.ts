import { join } from 'node:path';
import type { createApp } from '../../server/app.js';
import type { Database } from '../../server/db/database.js';
import { FIXTURES, FIXTURE_SLA_TARGETS, importPreset, openStore, setSlaTargets, testApp } from './helpers.js';

/** A store with the hand-worked metrics fixture (test/fixtures/metrics) and an app over it. */
export async function fixtureApp(): Promise<{ db: Database; app: ReturnType<typeof createApp> }> {
  const db = await openStore();
  await importPreset(db, 'canonical', ['orders.csv', 'events.csv', 'promotions.csv'].map((f) => join(FIXTURES, 'metrics', f)));
  await setSlaTargets(db, 'default', FIXTURE_SLA_TARGETS);
  return { db, app: testApp(db) };
}

/** Rounds every number to 9 decimals, so hand-worked values compare exactly where floating point would not. */
export function rounded<T>(value: T): T {
  if (typeof value === 'number') return (Math.round(value * 1e9) / 1e9) as T;
  if (Array.isArray(value)) return value.map(rounded) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)])) as T;
  return value;
}

export async function getJson(app: ReturnType<typeof createApp>, url: string): Promise<{ status: number; body: any }> {
  const res = await app.request(url);
  return { status: res.status, body: await res.json() };
}

/** The rows of a metric, rounded; fails loudly with the error body if the status is not 200. */
export async function metricRows(app: ReturnType<typeof createApp>, url: string): Promise<any[]> {
  const { status, body } = await getJson(app, url);
  if (status !== 200) throw new Error(`${url} → ${status} ${JSON.stringify(body)}`);
  return rounded(body.rows);
}
