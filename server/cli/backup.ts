import { parseArgs } from 'node:util';
import { resolveDbPath } from '../config.js';
import { backupStore, restoreStore } from '../db/backup.js';
import { Database } from '../db/database.js';

const USAGE = `usage: npm run backup -- --out DIR [--db PATH]
       npm run restore -- --from DIR --db NEW_PATH`;

/** `npm run backup` / `npm run restore`: the whole store to Parquet files and back. */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string' }, from: { type: 'string' }, db: { type: 'string' } },
  });
  const command = positionals[0];
  if (command === 'backup' && values.out) {
    const db = await Database.open({ path: resolveDbPath(values.db) });
    try {
      await backupStore(db, values.out);
    } finally {
      await db.close();
    }
    console.log(`backed up ${db.path} to ${values.out}`);
  } else if (command === 'restore' && values.from && values.db) {
    const path = resolveDbPath(values.db);
    await restoreStore(values.from, path);
    console.log(`restored ${values.from} into ${path}`);
  } else {
    console.error(USAGE);
    process.exit(2);
  }
}

main().catch((error: unknown) => {
  console.error(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
