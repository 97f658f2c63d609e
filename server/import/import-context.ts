import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { LIST, VARCHAR, listValue, type DuckDBType } from '@duckdb/node-api';
import type { RowProblem } from '../errors.js';
import { InputColumns, parsedInstantName, type LoadedInput } from './load-input.js';
import { specColumn, type FieldSpec, type FieldType, type Mapping } from './mapping.js';
import { SqlConstants, columnValueSql, isNativeInstant, isParsedInstant, outOfRangeSql, parseSql, rejectReasonSql } from './field-sql.js';
import { dateRangeOf, type StageColumn } from './mapping.js';
import { ApiError } from '../errors.js';
import { cleanText, ident } from './sql-text.js';

/** What a date-time column's values carry: only dates, whole minutes, or seconds (and finer). */
export type TimePrecision = 'date' | 'minute' | 'time';

/**
 * State shared by the staging steps of one import: its connection, the loaded
 * inputs, and the `import_problems` temp table every rejected line goes to.
 */
export class ImportContext {
  readonly constants = new SqlConstants();
  private parsedTables = 0;
  readonly warnings: string[] = [];
  /** Per input: the mapped columns read, the stages it states, and each date-time column's precision. */
  readonly sources = new Map<
    string,
    { columns: Set<string>; stages: Set<string>; untimedStages: Set<string>; precision: Record<string, TimePrecision>; fields: Record<string, string[]> }
  >();

  /** Notes which order field or stage a date-time column feeds (source_columns.fields). */
  noteField(input: string, column: string, field: string): void {
    this.noteSource(input, [column]);
    const fields = (this.sources.get(input)!.fields[column] ??= []);
    if (!fields.includes(field)) fields.push(field);
  }

  /** Notes what an input gave: for the import result and source_columns. */
  noteSource(input: string, columns: Iterable<string>, stages: Iterable<string> = [], untimedStages: Iterable<string> = []): void {
    let entry = this.sources.get(input);
    if (!entry) {
      entry = { columns: new Set(), stages: new Set(), untimedStages: new Set(), precision: {}, fields: {} };
      this.sources.set(input, entry);
    }
    const available = this.columnsOf(input);
    for (const c of columns) if (available.has(c)) entry.columns.add(c);
    for (const s of stages) entry.stages.add(s);
    for (const s of untimedStages) entry.untimedStages.add(s);
  }

  constructor(
    readonly connection: DuckDBConnection,
    readonly mapping: Mapping,
    readonly inputs: ReadonlyMap<string, LoadedInput>,
    readonly timeZone: string,
    /** The tenant the rows go to: staged rows carry none, the commit adds it. */
    readonly tenant: string,
    /** Stage names events may carry (checkMappingStages' list). */
    readonly knownStages: readonly string[] = [],
  ) {}

  static async create(connection: DuckDBConnection, mapping: Mapping, inputs: ReadonlyMap<string, LoadedInput>, timeZone: string, tenant: string, knownStages: readonly string[] = []) {
    await connection.run(
      'CREATE OR REPLACE TEMP TABLE import_problems (input VARCHAR, file VARCHAR, line BIGINT, "column" VARCHAR, reason VARCHAR)',
    );
    const context = new ImportContext(connection, mapping, inputs, timeZone, tenant, knownStages);
    for (const [name, input] of inputs) {
      if (!input.rejectsTable) continue;
      await context.run(
        `INSERT INTO import_problems SELECT $input, $file, line, coalesce(column_name, ''), error_message FROM ${input.rejectsTable}`,
        { input: name, file: input.file },
      );
    }
    return context;
  }

  /** Runs SQL with the mapping's constants, time zone and timestamp formats bound. */
  async run(sql: string, params: Record<string, DuckDBValue> = {}): Promise<void> {
    const { values, types } = this.bindings(sql, params);
    await this.connection.run(sql, values, types);
  }

  async rows<T>(sql: string, params: Record<string, DuckDBValue> = {}): Promise<T[]> {
    const { values, types } = this.bindings(sql, params);
    return (await this.connection.runAndReadAll(sql, values, types)).getRowObjectsJson() as T[];
  }

  /** Binds only the parameters the statement names: DuckDB rejects unused ones. */
  private bindings(sql: string, extra: Record<string, DuckDBValue>): { values: Record<string, DuckDBValue>; types: Record<string, DuckDBType> } {
    const range = dateRangeOf(this.mapping);
    const all: Record<string, DuckDBValue> = {
      ...this.constants.values,
      tz: this.timeZone,
      formats: listValue(this.mapping.timestampFormats?.length ? this.mapping.timestampFormats : ['%Y-%m-%d %H:%M:%S']),
      null_if: listValue(this.mapping.nullIf ?? []),
      min_at: range.from,
      max_at: range.to,
      ...extra,
    };
    const values: Record<string, DuckDBValue> = {};
    const types: Record<string, DuckDBType> = {};
    for (const name of sql.matchAll(/\$([a-z_][a-z0-9_]*)/gi)) {
      if (!(name[1]! in all)) continue;
      values[name[1]!] = all[name[1]!]!;
      // An empty list binds without an element type otherwise.
      if (name[1] === 'null_if') types.null_if = LIST(VARCHAR);
    }
    return { values, types };
  }

  /** Columns of an input file. */
  columnsOf(input: string): ReadonlySet<string> {
    return this.inputs.get(input)?.columns ?? new Set<string>();
  }

  /**
   * Checks that the columns a section names exist. A missing column is an error (the caller's
   * 400, naming it) unless the mapping marks it `"optional": true`: then a warning, and its field
   * is left as stored (or empty). `required` names fields that may never be optional.
   */
  checkColumns(input: string, specs: [string, FieldSpec | StageColumn | string | undefined][], required: string[] = []): string[] {
    const loaded = this.inputs.get(input)!;
    const available = this.columnsOf(input);
    const missing: string[] = [];
    for (const [field, spec] of specs) {
      const column = spec === undefined ? undefined : typeof spec === 'string' ? spec : specColumn(spec as FieldSpec);
      if (column === undefined || available.has(column)) continue;
      const optional = typeof spec === 'object' && spec !== null && 'optional' in spec && spec.optional === true && !required.includes(field);
      if (optional) this.warnings.push(`${loaded.file}: no column '${column}'; ${field} is left as stored (or empty)`);
      else missing.push(`'${column}' (for ${field})`);
    }
    return missing;
  }

  /** Throws the 400 for columns `checkColumns` found missing. */
  requireColumns(input: string, missing: string[]): void {
    if (missing.length === 0) return;
    const file = this.inputs.get(input)!.file;
    throw new ApiError(
      400,
      'mapping_mismatch',
      `${file}: the mapping '${this.mapping.name}' needs column ${missing.join(', ')}; mark a column "optional": true if the file may lack it`,
      { file, missing, columns: [...this.columnsOf(input)] },
    );
  }

  /**
   * Parses each text date-time column of `input` once, into a hidden column that validation and
   * staging then read. The parser is a chain of patterns: written out where each value was checked,
   * ranged and staged, a date-time was parsed three to four times (orders' validation and staging
   * of 100k rows took 1.5 s of a 9.4 s import).
   */
  async parseInstants(input: string, columns: Iterable<[column: string, type: FieldType]>): Promise<void> {
    const available = this.columnsOf(input);
    if (!(available instanceof InputColumns)) return;
    const todo = [...new Set([...columns].filter(([c, t]) => t === 'instant' && available.has(c) && !isNativeInstant(t, c, available) && !available.parsed.has(c)).map(([c]) => c))];
    if (todo.length === 0) return;
    const table = `in_${input}`;
    const copy = `${table}_parsed_${this.parsedTables++}`;
    const parsed = todo.map((c) => `${columnValueSql('instant', c, available)} AS ${ident(parsedInstantName(c))}`);
    await this.run(`CREATE OR REPLACE TEMP TABLE ${copy} AS SELECT *, ${parsed.join(', ')} FROM ${table}`);
    const [kind] = await this.rows<{ view: boolean }>(`SELECT count(*) > 0 AS view FROM duckdb_views() WHERE view_name = $name AND temporary`, { name: table });
    await this.run(kind!.view ? `DROP VIEW ${table}` : `DROP TABLE ${table}`);
    await this.run(`CREATE TEMP VIEW ${table} AS SELECT * FROM ${copy}`);
    for (const c of todo) available.parsed.add(c);
  }

  /**
   * Records every line of `input` with a non-empty value that does not parse as its column's
   * type. One pass computes every column's reason: a parse in a WHERE clause is evaluated inside
   * the scan's filter, 3-5 times slower (180 against 50 ms per 100k date-times).
   */
  async rejectUnparseable(input: string, columns: [column: string, type: FieldType][]): Promise<void> {
    await this.parseInstants(input, columns);
    const available = this.columnsOf(input);
    const checked = new Map(columns.filter(([column, type]) => type !== 'text' && available.has(column)));
    this.noteSource(input, columns.map(([column]) => column));
    await this.notePrecision(input, [...checked].filter(([, type]) => type === 'instant').map(([column]) => column));
    if (checked.size === 0) return;
    const reasons = [...checked].map(([column, type], i) => `${unparseableSql(column, type, available)} AS __bad_${i}`);
    await this.run(`CREATE OR REPLACE TEMP TABLE unparseable AS SELECT __line, ${reasons.join(', ')} FROM in_${input}`);
    for (const [i, column] of [...checked.keys()].entries()) {
      await this.reject(input, 'unparseable', `__bad_${i} IS NOT NULL`, column, `__bad_${i}`);
    }
    await this.run('DROP TABLE unparseable');
  }

  /**
   * What each date-time column's values carry: `date` when no non-empty value has a time of day
   * other than midnight (`2024-03-01`, `10/18/2017 0:00`), `minute` when none has seconds other
   * than :00 (`10/18/2017 14:05`), `time` otherwise; Unix times and typed Parquet date-times are
   * `time`.
   */
  async notePrecision(input: string, columns: string[]): Promise<void> {
    const available = this.columnsOf(input);
    const text = columns.filter((c) => !isNativeInstant('instant', c, available));
    const precision = this.sources.get(input)!.precision;
    for (const c of columns) if (!text.includes(c)) precision[c] = 'time';
    if (text.length === 0) return;
    // A time of day other than midnight (Excel writes date-only cells as `0:00`), or Unix time.
    // LIKE patterns rather than regular expressions: this reads every value once more.
    const midnight = ['% 0:00', '% 00:00', '% 0:00:00%', '% 00:00:00%', '%T00:00:00%', '% 00:00+%', '% 00:00Z%'];
    const timed = (v: string) =>
      `(try_cast(${v} AS DOUBLE) IS NOT NULL OR (contains(${v}, ':') AND NOT (${midnight.map((m) => `${v} LIKE '${m}'`).join(' OR ')})))`;
    // Seconds other than :00, or a fraction that is not all zeros.
    const seconds = (v: string) => `(try_cast(${v} AS DOUBLE) IS NOT NULL OR regexp_matches(${v}, '\\d:\\d\\d:(0[1-9]|[1-5]\\d)|\\d:\\d\\d:\\d\\d[.,]\\d*[1-9]'))`;
    const checks = text.flatMap((c, i) => [`bool_or(${timed(cleanText(c))})::VARCHAR AS t${i}`, `bool_or(${seconds(cleanText(c))})::VARCHAR AS s${i}`]);
    const [row] = await this.rows<Record<string, string | null>>(`SELECT ${checks.join(', ')} FROM in_${input}`);
    text.forEach((c, i) => {
      precision[c] = row?.[`t${i}`] === 'false' ? 'date' : row?.[`s${i}`] === 'false' ? 'minute' : 'time';
    });
  }

  /** Records lines of a staged table (with `__line`) that match `condition`, with a reason expression. */
  async reject(input: string, table: string, condition: string, column: string, reasonSql: string): Promise<void> {
    await this.run(
      `INSERT INTO import_problems SELECT $input, $file, __line, $column, ${reasonSql} FROM ${table} WHERE ${condition}`,
      { input, file: this.inputs.get(input)!.file, column },
    );
  }

  /** Records every row of `table` whose `keys` repeat an earlier line's, naming that line. */
  async rejectRepeats(input: string, table: string, keys: string[], column: string, describeSql: string): Promise<void> {
    // Most exports repeat no key, which a grouping finds in a fraction of the window's time.
    const [repeats] = await this.rows<{ any: boolean }>(
      `SELECT count(*) > 0 AS any FROM (SELECT 1 FROM ${table} GROUP BY ${keys.join(', ')} HAVING count(*) > 1 LIMIT 1)`,
    );
    if (!repeats!.any) return;
    await this.reject(
      input,
      `(SELECT *, min(__line) OVER (PARTITION BY ${keys.join(', ')}) AS __first FROM ${table})`,
      '__line > __first',
      column,
      `${describeSql} || ' appears again (first on line ' || __first || ')'`,
    );
  }

  /** A view of `input` without the lines rejected so far. */
  async cleanSource(input: string): Promise<string> {
    // A view can't take parameters; input names are checked against /^[a-z][a-z0-9_]*$/ by the mapping schema.
    await this.run(
      `CREATE OR REPLACE TEMP VIEW src_${input} AS
       SELECT * FROM in_${input} i WHERE NOT EXISTS (SELECT 1 FROM import_problems p WHERE p.input = '${input}' AND p.line = i.__line)`,
    );
    return `src_${input}`;
  }

  /** Drops rows of a staged table whose line was rejected. */
  async dropRejected(input: string, table: string): Promise<void> {
    await this.run(`DELETE FROM ${table} WHERE __line IN (SELECT line FROM import_problems WHERE input = $input)`, { input });
  }

  async problems(limit = 100): Promise<{ total: number; rowsRejected: number; first: RowProblem[] }> {
    const [counts] = await this.rows<{ total: number; lines: number }>(
      'SELECT count(*)::DOUBLE AS total, count(DISTINCT (input, line))::DOUBLE AS lines FROM import_problems',
    );
    const first = await this.rows<RowProblem>(
      `SELECT file, line::DOUBLE AS line, "column" AS column, reason FROM import_problems ORDER BY file, line, "column" LIMIT ${limit}`,
    );
    return { total: counts!.total, rowsRejected: counts!.lines, first };
  }
}

/**
 * Why a column's value is refused as `type`; NULL when it is fine, or empty. Text must parse; a
 * date-time, parsed or typed (Parquet), must also lie inside the mapping's date range: one far
 * date (9999-12-31, `infinity`) would otherwise stretch every time series over centuries.
 */
export function unparseableSql(column: string, type: FieldType, available: ReadonlySet<string>): string {
  if (isNativeInstant(type, column, available)) return outOfRangeSql(columnValueSql(type, column, available));
  const v = cleanText(column);
  const parsed = parseSql(type, v);
  if (type !== 'instant') return `CASE WHEN ${v} IS NOT NULL AND ${parsed} IS NULL THEN ${rejectReasonSql(type, v)} END`;
  if (isParsedInstant(type, column, available)) {
    const value = columnValueSql(type, column, available);
    return `CASE WHEN op_null_if(${v}, $null_if) IS NOT NULL AND ${value} IS NULL THEN ${rejectReasonSql(type, v)} ELSE ${outOfRangeSql(value, v)} END`;
  }
  // A placeholder listed in nullIf is empty, not unparseable.
  return `CASE WHEN op_null_if(${v}, $null_if) IS NOT NULL AND ${parsed} IS NULL THEN ${rejectReasonSql(type, v)} ELSE ${outOfRangeSql(parsed, v)} END`;
}
