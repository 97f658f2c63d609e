/**
 * One import in a process of its own, so its peak RSS is its own (the bench's process holds the
 * store it measures): `tsx bench/import-process.ts importer|duckdb <memory limit> <file>...`.
 * The importer (canonical preset) or DuckDB's read_csv into a plain table, each into a new
 * in-memory store. Prints one JSON line: {"ms": …, "rows": …, "peakRssMb": …}.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { Database } from '../server/db/database.js';
import { presetMapping } from '../server/import/presets.js';
import { runImport } from '../server/import/run-import.js';

const [mode, memoryLimit, ...files] = process.argv.slice(2);
if ((mode !== 'importer' && mode !== 'duckdb') || !memoryLimit || files.length === 0) {
  throw new Error('usage: tsx bench/import-process.ts importer|duckdb <memory limit> <file>...');
}
let rows = 0;
const started = performance.now();
if (mode === 'importer') {
  const db = await Database.open({ path: ':memory:', memoryLimit });
  rows = (await runImport(db, { mapping: presetMapping('canonical'), files: files.map((path) => ({ path })) })).rowsRead;
  await db.close();
} else {
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: memoryLimit });
  const c = await instance.connect();
  for (const [i, file] of files.entries()) {
    await c.run(`CREATE TABLE t${i} AS SELECT * FROM read_csv($file)`, { file });
    const read = await c.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM t${i}`);
    rows += Number(read.getRowObjectsJson()[0]!.n);
  }
  c.closeSync();
  instance.closeSync();
}
const ms = Math.round(performance.now() - started);
console.log(JSON.stringify({ ms, rows, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
