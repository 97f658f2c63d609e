import type { Database } from '../db/database.js';
import { readSql } from '../db/sql-files.js';
import { bindingsFor, type Bindings } from './bindings.js';
import { isoInZone } from './zoned-time.js';

import type { Column, ColumnType } from '../../widgets/internal/envelope.js';

export type { Column, ColumnType };

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
    this.flags = [...new Set([...this.sql.matchAll(/^\s*-- when (?:not )?\$(\w+)\s*$/gm)].map((m) => m[1]!))];
  }

  /** The statement for each value of the flags its branches are marked with, built once (specialize). */
  private readonly statements = new Map<string, string>();
  private readonly flags: string[];

  private statementFor(bindings: Bindings): string {
    const key = this.flags.map((flag) => String(bindings[flag]?.value)).join();
    let sql = this.statements.get(key);
    if (sql === undefined) {
      // Without comments: a parameter that only the header (or the branch left out) names is not bound.
      sql = specialize(this.sql, bindings).replace(/--[^\n]*/g, '');
      this.statements.set(key, sql);
    }
    return sql;
  }

  /** Runs the metric; time columns (epoch ms in SQL) come back as ISO 8601 with the offset of `timeZone`. */
  async run(db: Database, bindings: Bindings, timeZone: string, timeoutMs?: number, queue?: string): Promise<Record<string, unknown>[]> {
    const sql = this.statementFor(bindings);
    const { values, types } = bindingsFor(sql, bindings);
    const rows = await db.query(sql, values, types, timeoutMs, queue);
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

/**
 * The statement for these bindings: of each alternative marked
 *
 *     -- when not $rollup
 *     SELECT … (from the facts)
 *     -- or
 *     UNION ALL
 *     -- when $rollup
 *     SELECT … (from the rollups)
 *     -- end
 *
 * only the branch the boolean binding selects is kept, without the separator. The whole file is
 * the same query (both branches, each filtered by its flag); without the other branch DuckDB does
 * not plan it, nor the CTEs only it reads: at 300k demo orders the default funnel spent 45 of its 50 ms
 * planning both.
 * A flag that is not a bound boolean keeps both. Blocks nest: a block inside a branch left out is
 * left out whatever its own flag.
 */
export function specialize(sql: string, bindings: Bindings): string {
  const out: string[] = [];
  // One entry per open block: whether its current branch is kept (false while between `or` and the next `when`).
  const open: { keep: boolean; alternative: boolean }[] = [];
  for (const line of sql.split('\n')) {
    const marker = /^\s*-- (when (not )?\$(\w+)|or|end)\s*$/.exec(line);
    if (!marker) {
      if (open.every((b) => b.keep)) out.push(line);
      continue;
    }
    if (marker[1] === 'end') open.pop();
    else if (marker[1] === 'or') {
      const block = open.at(-1);
      if (block) Object.assign(block, { keep: false, alternative: true });
    } else {
      const flag = bindings[marker[3]!]?.value;
      // Unknown: keep both branches and the separator.
      if (typeof flag !== 'boolean') return sql;
      const keep = flag !== (marker[2] !== undefined);
      const block = open.at(-1);
      // The `when` after an `or` is the same block's other branch.
      if (block?.alternative && !block.keep) Object.assign(block, { keep, alternative: false });
      else open.push({ keep, alternative: false });
    }
  }
  return out.join('\n');
}

function headerList(sql: string, key: string): string[] {
  const line = new RegExp(`^-- ${key}: (.*)$`, 'm').exec(sql);
  if (!line) throw new Error(`SQL metric header has no '-- ${key}:' line`);
  return line[1]!.split(',').map((s) => s.trim());
}
