import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveDbPath } from '../config.js';
import { Database } from '../db/database.js';
import { ApiError, formatProblem, type RowProblem } from '../errors.js';
import { mappingFromText, presetMapping } from '../import/presets.js';
import { runImport } from '../import/run-import.js';

const USAGE = `usage: npm run import -- (--preset NAME | --mapping FILE.json) [--skip-invalid] [--tenant ID] [--db PATH] FILE…
  presets: canonical, marketplace-order-report, olist, shopify`;

/** `npm run import`: loads export files into the store through a preset or mapping file. */
async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      preset: { type: 'string' },
      mapping: { type: 'string' },
      'skip-invalid': { type: 'boolean' },
      tenant: { type: 'string' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length === 0) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (values.mapping && values.preset) throw new Error('give --preset or --mapping, not both (a mapping file is its own preset)');
  const mapping = values.mapping
    ? mappingFromText(readFileSync(values.mapping, 'utf8'), values.mapping)
    : presetMapping(values.preset ?? 'canonical');
  const db = await Database.open({ path: resolveDbPath(values.db) });
  try {
    const result = await runImport(db, {
      mapping,
      files: positionals.map((path) => ({ path })),
      onError: values['skip-invalid'] ? 'skip' : 'reject',
      ...(values.tenant ? { tenant: values.tenant } : {}),
      onProgress: (message) => console.error(`… ${message}`),
    });
    const { problems, ...summary } = result;
    console.log(JSON.stringify(summary, null, 2));
    printProblems(problems, result.totalProblems, 'rejected rows');
    return 0;
  } finally {
    await db.close();
  }
}

function printProblems(problems: RowProblem[], total: number, what: string): void {
  if (total === 0) return;
  console.error(`${total} ${what}${total > problems.length ? ` (first ${problems.length})` : ''}:`);
  for (const p of problems) console.error(`  ${formatProblem(p)}`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ApiError) {
      console.error(`import failed: ${error.message}`);
      const details = error.details as { problems?: RowProblem[]; totalProblems?: number; issues?: string[] };
      if (details.problems) printProblems(details.problems, details.totalProblems ?? details.problems.length, 'problems');
      for (const issue of details.issues ?? []) console.error(`  ${issue}`);
    } else {
      console.error(`import failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    process.exit(1);
  },
);
