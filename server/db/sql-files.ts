import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's `sql/` folder, wherever the service is started from. */
export const SQL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'sql');

/** Reads `sql/<relativePath>` as text. */
export function readSql(relativePath: string): string {
  return readFileSync(join(SQL_DIR, relativePath), 'utf8');
}

/** Lists the `.sql` files of a folder under `sql/`, sorted by name. */
export function listSqlFiles(folder: string): string[] {
  return readdirSync(join(SQL_DIR, folder))
    .filter((name) => name.endsWith('.sql'))
    .sort();
}
