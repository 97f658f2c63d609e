import { parseArgs } from 'node:util';
import { resolveDbPath } from '../config.js';
import { Database } from '../db/database.js';
import { readSettings, updateSettings } from '../settings.js';
import { DEFAULT_TENANT } from '../tenants.js';

const USAGE = `usage: npm run settings -- [--db PATH] [--tenant ID] [--time-zone ZONE] [--pipeline a,b,c] [--terminal a,b] [--show]
  changes a tenant's settings as PUT /api/settings does (a time zone or pipeline change rebuilds its facts and rollups), then prints them`;

/** `npm run settings`: a tenant's settings without a running server. */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      tenant: { type: 'string' },
      'time-zone': { type: 'string' },
      pipeline: { type: 'string' },
      terminal: { type: 'string' },
      show: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const list = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);
  const change: Record<string, unknown> = {
    ...(values['time-zone'] ? { timeZone: values['time-zone'] } : {}),
    ...(values.pipeline ? { pipeline: list(values.pipeline) } : {}),
    ...(values.terminal ? { terminalStages: list(values.terminal) } : {}),
  };
  const tenant = values.tenant ?? DEFAULT_TENANT;
  const db = await Database.open({ path: resolveDbPath(values.db) });
  try {
    const settings = Object.keys(change).length === 0 ? await readSettings(db, tenant) : await updateSettings(db, tenant, change);
    console.log(JSON.stringify(settings, null, 2));
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`settings failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
