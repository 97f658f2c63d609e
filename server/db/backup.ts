import { existsSync, readdirSync } from 'node:fs';
import { sqlString } from '../import/sql-text.js';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Database } from './database.js';


/** Writes the whole store (schema, data, settings) to `dir` as Parquet plus DuckDB's schema/load scripts. */
export async function backupStore(db: Database, dir: string): Promise<void> {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} is not empty; back up into a new folder`);
  // A writer connection: the export sees one consistent snapshot, and no import runs meanwhile.
  await db.withConnection((c) => c.run(`EXPORT DATABASE ${sqlString(dir)} (FORMAT parquet)`));
}

/** Loads a backup folder into a new store file; refuses to overwrite an existing one. */
export async function restoreStore(dir: string, path: string): Promise<void> {
  if (!existsSync(`${dir}/schema.sql`)) throw new Error(`${dir} holds no backup (no schema.sql)`);
  if (path !== ':memory:' && existsSync(path)) throw new Error(`${path} exists; restore into a new file`);
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await connection.run(`IMPORT DATABASE ${sqlString(dir)}`);
    await connection.run('CHECKPOINT');
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
