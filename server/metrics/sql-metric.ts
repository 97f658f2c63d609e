import type { Database } from '../db/database.js';
import { readSql } from '../db/sql-files.js';
import { bindingsFor, type Bindings } from './bindings.js';
import { isoInZone } from './zoned-time.js';

export type ColumnType = 'time' | 'string' | 'integer' | 'number' | 'boolean';
export interface Column {
  name: string;
  type: ColumnType;
}

/** One `sql/metrics/<name>.sql` file: its statement and the columns its header declares. */
export class SqlMetric {
  readonly sql: string;
  readonly columns: Column[];
  readonly parameters: string[];

  constructor(readonly name: string) {
    this.sql = readSql(`metrics/${name}.sql`);
    this.columns = headerList(this.sql, 'columns').map((entry) => {
      const [column, type] = entry.split(/\s+/);
      return { name: column!, type: type as ColumnType };
    });
    this.parameters = headerList(this.sql, 'params').map((p) => p.replace(/^\$/, ''));
  }

  /** Runs the metric; time columns (epoch ms in SQL) come back as ISO 8601 with the offset of `timeZone`. */
  async run(db: Database, bindings: Bindings, timeZone: string, timeoutMs?: number, queue?: string): Promise<Record<string, unknown>[]> {
    const { values, types } = bindingsFor(this.sql, bindings);
    const rows = await db.query(this.sql, values, types, timeoutMs, queue);
    const times = this.columns.filter((c) => c.type === 'time').map((c) => c.name);
    for (const row of rows) {
      for (const name of times) {
        const ms = row[name];
        if (typeof ms === 'number') row[name] = isoInZone(ms, timeZone);
      }
    }
    return rows;
  }
}

function headerList(sql: string, key: string): string[] {
  const line = new RegExp(`^-- ${key}: (.*)$`, 'm').exec(sql);
  if (!line) throw new Error(`SQL metric header has no '-- ${key}:' line`);
  return line[1]!.split(',').map((s) => s.trim());
}
