import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ApiError, isOutOfMemory } from '../errors.js';
import { ident } from './sql-text.js';
import { MAX_JSON_DEPTH, tooDeep } from './json-depth.js';

export type InputFormat = 'csv' | 'parquet' | 'json' | 'ndjson';

/**
 * The columns of a loaded input. Every column reads as VARCHAR; a Parquet date-time column also
 * keeps its own type under a hidden name (`nativeInstantName`), so it is neither printed as text
 * nor parsed back: importing 100k orders with 969k events from Parquet took 3.91 s instead of 4.66.
 */
export class InputColumns extends Set<string> {
  constructor(
    columns: Iterable<string>,
    /** Date-time columns stored with a type: `utc` (TIMESTAMP WITH TIME ZONE) or `local` (TIMESTAMP, wall time). */
    readonly instants: ReadonlyMap<string, 'utc' | 'local'> = new Map(),
  ) {
    super(columns);
  }

  /** Text date-time columns parsed once into a hidden column (ImportContext.parseInstants). */
  readonly parsed = new Set<string>();
}

/** The hidden column holding a text date-time column's parsed instant. */
export function parsedInstantName(column: string): string {
  return `__instant_parsed_${column}`;
}

/** The hidden column holding a Parquet date-time column's own value. */
export function nativeInstantName(column: string): string {
  return `__instant_${column}`;
}

export interface LoadedInput {
  /** Temp view or table with every column as VARCHAR plus `__line` (and the hidden native date-times). */
  table: string;
  file: string;
  columns: InputColumns;
  /** Rows loaded plus lines the CSV reader rejected. */
  rows: number;
  /** Temp table of lines the CSV reader could not split into the header's columns (DuckDB's reject_errors layout). */
  rejectsTable?: string;
}

const FORMAT_BY_EXTENSION: Record<string, InputFormat> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.parquet': 'parquet',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

export function formatOf(fileName: string, declared?: InputFormat): InputFormat {
  const format = declared ?? FORMAT_BY_EXTENSION[extname(fileName).toLowerCase()];
  if (!format) {
    throw new ApiError(400, 'unknown_format', `${fileName}: cannot tell the format from the extension; use .csv (also .tsv and .txt), .parquet, .json, .ndjson or .jsonl, or set the input's "format"`, {
      file: fileName,
    });
  }
  return format;
}

/**
 * Loads one file into temp table `table` with all columns as text and the
 * line each row came from (`__line`: the physical line for CSV, assuming no
 * line breaks inside quoted fields; the record number for JSON and Parquet).
 */
export async function loadInput(
  connection: DuckDBConnection,
  options: { table: string; path: string; file: string; format: InputFormat; delimiter?: string },
): Promise<LoadedInput> {
  const { table, path, file, format } = options;
  const raw = `${table}_raw`;
  const rejects = `${table}_rejects`;
  let instants = new Map<string, 'utc' | 'local'>();
  if ((await stat(path)).size === 0) {
    throw new ApiError(400, 'unreadable_file', `${file}: the file is empty (not even a header line)`, { file, format });
  }
  if (format === 'json' || format === 'ndjson') {
    const deep = await tooDeep(path);
    if (deep) {
      throw new ApiError(400, 'unreadable_file', `${file}:${deep.line}: JSON nested deeper than ${MAX_JSON_DEPTH} levels; orders and events are flat records`, {
        file,
        line: deep.line,
        format,
      });
    }
  }
  try {
    if (format === 'csv') {
      const dialect = await csvDialect(connection, path, options.delimiter);
      await connection.run(
        `CREATE OR REPLACE TEMP TABLE ${raw} AS SELECT * FROM read_csv($path, all_varchar = true, header = true,
           store_rejects = true, rejects_table = '${rejects}', rejects_scan = '${rejects}_scan', delim = $delim, quote = $quote, escape = $escape)`,
        { path, ...dialect },
      );
    } else if (format === 'parquet') {
      const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet($path)`, { path })).getRowObjectsJson() as {
        column_name: string;
        column_type: string;
      }[];
      instants = instantColumns(described);
      // Date-time columns stay typed here; the view below gives their text too, cast only where read.
      const select = described.map(({ column_name: c }) => (instants.has(c) ? ident(c) : `${ident(c)}::VARCHAR AS ${ident(c)}`));
      await connection.run(`CREATE OR REPLACE TEMP TABLE ${raw} AS SELECT ${select.join(', ')} FROM read_parquet($path)`, { path });
    } else {
      const reader = `read_json($path, format = '${format === 'ndjson' ? 'newline_delimited' : 'auto'}', sample_size = -1)`;
      await connection.run(`CREATE OR REPLACE TEMP TABLE ${raw} AS SELECT COLUMNS(*)::VARCHAR FROM ${reader}`, { path });
    }
  } catch (error) {
    // Running out of memory while reading says nothing about the file.
    if (isOutOfMemory(error)) throw error;
    throw new ApiError(400, 'unreadable_file', `${file}: not a readable ${format.toUpperCase()} file (${firstLine(error, path, file)})`, { file, format });
  }

  const names = ((await connection.runAndReadAll(`SELECT column_name FROM (DESCRIBE ${raw})`)).getRowObjectsJson() as { column_name: string }[]).map(
    (r) => r.column_name,
  );
  if (names.some((c) => c === '__line' || c.startsWith('__instant_'))) {
    throw new ApiError(400, 'bad_header', `${file}: a column may not be named __line or start with __instant_`, { file });
  }
  const columns = new InputColumns(names, instants);
  // The text of a typed date-time column, and the value itself under its hidden name.
  const select =
    instants.size === 0
      ? '*'
      : `* REPLACE (${[...instants.keys()].map((c) => `${ident(c)}::VARCHAR AS ${ident(c)}`).join(', ')}), ${[...instants.keys()]
          .map((c) => `${ident(c)} AS ${ident(nativeInstantName(c))}`)
          .join(', ')}`;

  let lineOf = 'rowid + 1';
  let rejected = 0;
  if (format === 'csv') {
    rejected = await count(connection, `SELECT count(DISTINCT line) AS n FROM ${rejects}`);
    // The reader drops rejected lines, so row i is the i-th line after the header that was not rejected.
    lineOf = rejected === 0 ? 'rowid + 2' : await rejectedLineShift(connection, raw, rejects);
  }
  if (rejected === 0) {
    // Line numbers follow from row ids: a view saves copying every row once more.
    await connection.run(`CREATE OR REPLACE TEMP VIEW ${table} AS SELECT ${lineOf} AS __line, ${select} FROM ${raw}`);
  } else {
    await connection.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT ${lineOf} AS __line, ${select} FROM ${raw}`);
    await connection.run(`DROP TABLE ${raw}`);
  }
  const rows = (await count(connection, `SELECT count(*) AS n FROM ${table}`)) + rejected;
  return { table, file, columns, rows, ...(rejected > 0 ? { rejectsTable: rejects } : {}) };
}

/**
 * The delimiter, quote and escape of a CSV file, sniffed from its first lines (DuckDB's default
 * sample, the way read_csv sniffs when it keeps rejected lines) rather than from every line, which
 * read a 68 MB file twice (1.19 s against 0.32 s). A sample without a quoted field says "no quote",
 * which would split a quoted delimiter further down: RFC 4180's double quote is assumed then.
 */
async function csvDialect(connection: DuckDBConnection, path: string, delimiter?: string): Promise<{ delim: string; quote: string; escape: string }> {
  const sniffed = (
    await connection.runAndReadAll(
      `SELECT "Delimiter" AS delim, "Quote" AS quote, "Escape" AS escape FROM sniff_csv($path, header = true, store_rejects = true${delimiter ? ', delim = $delim' : ''})`,
      delimiter ? { path, delim: delimiter } : { path },
    )
  ).getRowObjectsJson()[0] as { delim: string; quote: string; escape: string };
  const set = (c: string) => (c === '(empty)' || c === '' ? undefined : c);
  const quote = set(sniffed.quote) ?? '"';
  return { delim: delimiter ?? sniffed.delim, quote, escape: set(sniffed.escape) ?? quote };
}

/** A Parquet file's date-time columns, by whether they hold instants (with time zone) or wall times. */
function instantColumns(described: { column_name: string; column_type: string }[]): Map<string, 'utc' | 'local'> {
  const instants = new Map<string, 'utc' | 'local'>();
  for (const { column_name, column_type } of described) {
    if (column_type === 'TIMESTAMP WITH TIME ZONE') instants.set(column_name, 'utc');
    else if (/^TIMESTAMP(_S|_MS|_NS)?$/.test(column_type)) instants.set(column_name, 'local');
  }
  return instants;
}

async function count(connection: DuckDBConnection, sql: string): Promise<number> {
  return Number((await connection.runAndReadAll(sql)).getRowObjectsJson()[0]!.n);
}

/** Builds a line-number expression that skips lines the CSV reader rejected. */
async function rejectedLineShift(connection: DuckDBConnection, raw: string, rejects: string): Promise<string> {
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${raw}_lines AS
     SELECT (row_number() OVER (ORDER BY l) - 1) AS rid, l AS line
     FROM range(2, (SELECT count(*) FROM ${raw}) + (SELECT count(DISTINCT line) FROM ${rejects}) + 2) t(l)
     WHERE l NOT IN (SELECT line FROM ${rejects})`,
  );
  return `(SELECT line FROM ${raw}_lines WHERE rid = ${raw}.rowid)`;
}

function firstLine(error: unknown, path: string, file: string): string {
  const message = error instanceof Error ? error.message : String(error);
  // DuckDB's messages carry the path on this machine and reader internals; the first sentence is the useful part.
  return message.split('\n')[0]!.replace(/^[A-Za-z ]+Error: /, '').replaceAll(path, file).slice(0, 300);
}

