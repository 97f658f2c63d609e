import { parseArgs } from 'node:util';
import { positiveInteger, resolveDbPath } from '../config.js';
import { Database } from '../db/database.js';
import { generateDemoData } from '../demo/generate-demo-data.js';

/** `npm run demo-data -- --orders N --seed S [--first F] [--db PATH]`: appends deterministic demo data to the store. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string' },
      seed: { type: 'string' },
      first: { type: 'string' },
      db: { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      'go-live': { type: 'string' },
    },
  });
  const db = await Database.open({ path: resolveDbPath(values.db) });
  try {
    const result = await generateDemoData(db, {
      orders: positiveInteger(values.orders, '--orders', 20_000),
      seed: positiveInteger(values.seed, '--seed', 1),
      first: positiveInteger(values.first, '--first', 0),
      ...(values.start ? { start: values.start } : {}),
      ...(values.end ? { end: values.end } : {}),
      ...(values['go-live'] ? { goLive: values['go-live'] } : {}),
    });
    console.log(JSON.stringify(result));
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(`demo-data failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
