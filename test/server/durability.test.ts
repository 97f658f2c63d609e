import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { backupStore, restoreStore } from '../../server/db/backup.js';
import { Database } from '../../server/db/database.js';
import { generateDemoData } from '../../server/demo/generate-demo-data.js';
import { ADMIN_KEY } from './helpers.js';
import { killed, startService } from './service-process.js';

async function counts(port: number) {
  return (await (await fetch(`http://127.0.0.1:${port}/api/health`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } })).json()).rows as Record<string, number>;
}

/** A canonical orders CSV with `n` orders. */
function ordersCsv(dir: string, name: string, n: number, prefix: string): string {
  const lines = ['order_id,channel,created_at,amount,currency'];
  for (let i = 0; i < n; i++) lines.push(`${prefix}${i},jd,2025-0${1 + (i % 9)}-1${i % 10} 10:00:00,${(i % 500) + 0.5},CNY`);
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n'));
  return path;
}

describe('durability', () => {
  test('kill -9 during a large import leaves the store as before it; a finished import survives kill -9', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'op-durable-'));
    const dbPath = join(dir, 'store.duckdb');
    const small = ordersCsv(dir, 'orders-small.csv', 1000, 'S');
    const large = ordersCsv(dir, 'orders-large.csv', 600_000, 'L');

    let { child, port } = await startService(dbPath);
    const upload = (path: string) =>
      fetch(`http://127.0.0.1:${port}/api/imports?filename=orders.csv`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN_KEY}` },
        body: new Uint8Array(readFileSync(path)),
      });
    expect((await upload(small)).status).toBe(201);
    const before = await counts(port);
    expect(before.orders).toBe(1000);

    // Kill it while the large import is being staged or committed.
    const pending = upload(large).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 1500));
    await killed(child);
    expect(await pending).toBe('aborted');

    ({ child, port } = await startService(dbPath));
    expect(await counts(port)).toEqual(before);

    // A finished import, then kill -9: every row is there after the restart.
    expect((await upload(large)).status).toBe(201);
    const after = await counts(port);
    expect(after.orders).toBe(601_000);
    await killed(child);
    ({ child, port } = await startService(dbPath));
    expect(await counts(port)).toEqual(after);
  }, 120_000);

  test('backup to Parquet and restore give back the same store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'op-backup-'));
    const db = await Database.open({ path: join(dir, 'store.duckdb') });
    await generateDemoData(db, { orders: 3000, seed: 2 });
    const fingerprint = async (d: Database) =>
      d.query(`SELECT (SELECT sum(hash(order_id, channel, created_at, amount, promotion_id))::VARCHAR FROM orders) AS o,
                      (SELECT sum(hash(order_id, "at", type, stage, actor, minutes, cost))::VARCHAR FROM order_events) AS e,
                      (SELECT count(*)::INT FROM promotions) AS p, (SELECT value FROM store_settings WHERE key = 'data_version') AS v`);
    const original = await fingerprint(db);
    await backupStore(db, join(dir, 'backup'));
    await db.close();
    await restoreStore(join(dir, 'backup'), join(dir, 'restored.duckdb'));
    const restored = await Database.open({ path: join(dir, 'restored.duckdb') });
    expect(await fingerprint(restored)).toEqual(original);
    await restored.close();
    await expect(restoreStore(join(dir, 'backup'), join(dir, 'restored.duckdb'))).rejects.toThrow('exists; restore into a new file');
  });
});
