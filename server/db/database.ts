import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { ApiError, isOutOfMemory, outOfMemoryError } from '../errors.js';
import { readDataVersion } from './data-version.js';
import { listSqlFiles, readSql } from './sql-files.js';
import { rebuildAllFacts, rebuildAllRollups, rebuildAllSlaRollups, rekeyPresetTenants } from './backfills.js';

export type Params = Record<string, DuckDBValue>;

/** How long past its timeout a query that ignores DuckDB's interrupt may hold its answer. */
const ABANDON_AFTER_MS = 500;
export type ParamTypes = Record<string, DuckDBType | undefined>;
export type JsonRow = Record<string, unknown>;

export interface DatabaseOptions {
  /** File path, or `:memory:`. */
  path: string;
  /** Read connections kept open for metric queries: at most this many queries run at once. */
  readConnections?: number;
  /** DuckDB's buffer memory limit, e.g. `2GB` (default: ORDERPULSE_MEMORY_LIMIT, else DuckDB's 80 % of RAM). */
  memoryLimit?: string;
  /** DuckDB worker threads (default: ORDERPULSE_THREADS, else one per core). */
  threads?: number;
  /** Apply migrations only up to this file, without their follow-ups: tests build empty stores as older versions left them. */
  migrateUpTo?: string;
}

/**
 * The embedded DuckDB store: one instance, a small pool of read connections
 * and a writer connection that imports and settings changes go through one at
 * a time (DuckDB allows a single writer to commit at once anyway).
 */
export class Database {
  readonly path: string;
  private readonly readers: DuckDBConnection[] = [];
  private readonly idleReaders: DuckDBConnection[] = [];
  /** Callers waiting for a read connection, by queue (tenant), in the order the queues are served. */
  private readonly waiting = new Map<string, ((connection: DuckDBConnection) => void)[]>();
  private retired = 0;
  private writeChain: Promise<unknown> = Promise.resolve();
  private version = 0;
  /** DuckDB's memory limit as it reports it (e.g. `1.8 GiB`), for out-of-memory messages. */
  private memoryLimit = '';

  private constructor(
    private readonly instance: DuckDBInstance,
    path: string,
  ) {
    this.path = path;
  }

  /** Opens (creating if needed) and migrates the store at `options.path`. */
  static async open(options: DatabaseOptions): Promise<Database> {
    const config: Record<string, string> = {};
    const memoryLimit = options.memoryLimit ?? process.env.ORDERPULSE_MEMORY_LIMIT;
    const threads = options.threads ?? process.env.ORDERPULSE_THREADS;
    if (memoryLimit) config.memory_limit = memoryLimit;
    if (threads) config.threads = String(threads);
    // A hash join with at most this many keys hands them to the other side's scan as an IN list,
    // which skips the row groups holding none of them. The exact percentiles from the rollups
    // look up one bucket per group, step and rank (stage-breakdown by channel: 60 keys): with
    // DuckDB's default of 50 they read 49.5M of 73M stored durations at 10M orders.
    config.dynamic_or_filter_threshold = '1000';
    const instance = await DuckDBInstance.create(options.path, config).catch((error: Error) => {
      if (/lock/i.test(error.message)) {
        throw new Error(`the store ${options.path} is open in another process (is \`npm start\` running?); stop it or use --db`);
      }
      throw error;
    });
    const db = new Database(instance, options.path);
    const connection = await instance.connect();
    try {
      await migrate(connection, options.migrateUpTo);
      db.version = await readDataVersion(connection);
      db.memoryLimit = String((await connection.runAndReadAll(`SELECT current_setting('memory_limit') AS m`)).getRowObjectsJson()[0]!.m);
    } finally {
      connection.closeSync();
    }
    for (let i = 0; i < (options.readConnections ?? 2); i++) {
      const connection = await db.connect();
      db.readers.push(connection);
      db.idleReaders.push(connection);
    }
    return db;
  }

  /**
   * The store's data version as this process last committed or read it. Every
   * write goes through `withConnection`, which re-reads it after the writer ends.
   */
  get dataVersion(): number {
    return this.version;
  }

  /** A new connection with the metric macros of `sql/macros/` defined on it. */
  async connect(): Promise<DuckDBConnection> {
    const connection = await this.instance.connect();
    await defineMacros(connection);
    return connection;
  }

  /**
   * Runs a read query on a pooled connection and returns its rows as JSON
   * values. Past `timeoutMs` the query is interrupted (DuckDB stops it) and a
   * 504 is thrown, so one heavy query cannot hold a connection for long.
   * `queue` (the tenant) shares the pool fairly: see `withReader`.
   */
  async query(sql: string, params?: Params, types?: ParamTypes, timeoutMs?: number, queue = ''): Promise<JsonRow[]> {
    if (timeoutMs === undefined) {
      return this.withReader(async (c) => (await c.runAndReadAll(sql, params, types)).getRowObjectsJson() as JsonRow[], queue).catch((error) => {
        throw this.explained(error);
      });
    }
    const connection = await this.acquire(queue);
    const timeoutError = () => new ApiError(504, 'query_timeout', `the query took longer than ${timeoutMs} ms and was stopped; narrow the range or filters`);
    return new Promise<JsonRow[]>((resolve, reject) => {
      let timedOut = false;
      let answered = false;
      let repeat: NodeJS.Timeout | undefined;
      let abandon: NodeJS.Timeout | undefined;
      const stopTimers = () => {
        clearTimeout(timer);
        clearInterval(repeat);
        clearTimeout(abandon);
      };
      const running = connection.runAndReadAll(sql, params, types).then((reader) => reader.getRowObjectsJson() as JsonRow[]);
      // DuckDB clears an interrupt when execution starts, so one that lands while the statement is still
      // being prepared is lost: keep interrupting until the query gives up.
      const timer = setTimeout(() => {
        timedOut = true;
        connection.interrupt();
        repeat = setInterval(() => connection.interrupt(), 5);
        // Some operators check for interrupts only between vectors (one function call building a
        // 70M-element list ran 29 s past its interrupt): answer on time anyway, and give the pool a
        // new connection while this one finishes on its own.
        abandon = setTimeout(() => {
          answered = true;
          clearInterval(repeat);
          this.retire(connection, running);
          reject(timeoutError());
        }, ABANDON_AFTER_MS);
      }, timeoutMs);
      running.then(
        (rows) => {
          if (answered) return;
          stopTimers();
          this.release(connection);
          resolve(rows);
        },
        (error: unknown) => {
          if (answered) return;
          stopTimers();
          this.release(connection);
          reject(timedOut ? timeoutError() : this.explained(error));
        },
      );
    });
  }

  /**
   * Borrows a pooled read connection for the duration of `work`. Callers waiting for one are
   * served by queue (the tenant) in turn, not first come first served, so a tenant with many
   * queries waiting delays another tenant's next query by at most one query per connection.
   */
  async withReader<T>(work: (connection: DuckDBConnection) => Promise<T>, queue = ''): Promise<T> {
    const connection = await this.acquire(queue);
    try {
      return await work(connection);
    } finally {
      this.release(connection);
    }
  }

  private acquire(queue: string): Promise<DuckDBConnection> {
    const idle = this.idleReaders.pop();
    if (idle) return Promise.resolve(idle);
    return new Promise<DuckDBConnection>((resolve) => {
      let waiting = this.waiting.get(queue);
      if (!waiting) {
        waiting = [];
        this.waiting.set(queue, waiting);
      }
      waiting.push(resolve);
    });
  }

  /** Hands a connection to the next queue in turn that is waiting, or back to the idle pool. */
  private release(connection: DuckDBConnection): void {
    const next = this.waiting.entries().next();
    if (next.done) {
      this.idleReaders.push(connection);
      return;
    }
    const [queue, waiting] = next.value;
    const resolve = waiting.shift()!;
    // Round robin: the queue just served goes to the back (a Map keeps insertion order).
    this.waiting.delete(queue);
    if (waiting.length > 0) this.waiting.set(queue, waiting);
    resolve(connection);
  }

  /** Replaces a pooled connection whose query would not stop; closes it once the query ends. */
  private retire(connection: DuckDBConnection, running: Promise<unknown>): void {
    this.retired++;
    const index = this.readers.indexOf(connection);
    void this.connect().then((fresh) => {
      if (index >= 0) this.readers[index] = fresh;
      else this.readers.push(fresh);
      this.release(fresh);
    });
    void running.catch(() => undefined).finally(() => connection.closeSync());
  }

  /** Read connections replaced because a query ran on past its interrupt (for tests and health). */
  get retiredConnections(): number {
    return this.retired;
  }

  /**
   * Runs `work` on a fresh connection, after every earlier writer finished.
   * Serialising writers keeps imports from conflicting on the same orders.
   */
  withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const run = this.writeChain.then(async () => {
      const connection = await this.connect();
      try {
        return await work(connection);
      } catch (error) {
        throw this.explained(error);
      } finally {
        this.version = await readDataVersion(connection).catch(() => this.version);
        connection.closeSync();
      }
    });
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  /** Runs `work` inside one transaction on a writer connection: all of it or nothing. */
  transaction<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.withConnection((connection) => inTransaction(connection, () => work(connection)));
  }

  /** The error a caller is shown for a DuckDB failure it can act on. */
  private explained(error: unknown): unknown {
    return isOutOfMemory(error) ? outOfMemoryError(this.memoryLimit) : error;
  }

  async close(): Promise<void> {
    await this.writeChain;
    for (const connection of this.readers) connection.closeSync();
    this.instance.closeSync();
  }
}

/** Runs `work` between BEGIN and COMMIT on `connection`, rolling back if it throws. */
export async function inTransaction<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await work();
    await connection.run('COMMIT');
    return result;
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Work a migration needs beyond its SQL file: backfills that reuse the importer's own statements.
 * The facts backfill hangs on the latest migration that changes order_facts' columns, because it
 * writes every column the current code knows (a store from before 004 gets 004 to 011, then one
 * backfill); the rollups, computed from the facts alone, are built after 013.
 */
const FOLLOW_UPS: Record<string, FollowUp[]> = {
  '011_durations.sql': ['facts'],
  '013_rollups.sql': ['rollups'],
  '016_order_identity.sql': ['rekey'],
  '019_furthest_stage.sql': ['facts'],
  '021_funnel_any_order.sql': ['facts', 'rollups'],
  '022_stage_time_columns.sql': ['facts'],
  '025_sla_rollups.sql': ['sla'],
  '026_source_keys.sql': ['rollups'],
};
type FollowUp = 'rekey' | 'facts' | 'rollups' | 'sla';
/**
 * Each follow-up once, in this order, however many pending files ask for it: the facts are rebuilt
 * from the final schema after any re-keying, the rollups from those facts. A store migrated from
 * 017 asked for three rebuilds of its facts in one transaction (a 10M-order one ran out of a 2 GB
 * memory limit after 55 minutes).
 */
const FOLLOW_UP_ORDER: [FollowUp, (connection: DuckDBConnection) => Promise<void>][] = [
  ['rekey', rekeyPresetTenants],
  ['facts', rebuildAllFacts],
  ['rollups', rebuildAllRollups],
  // Not after a rollups rebuild, which includes them.
  ['sla', rebuildAllSlaRollups],
];

/** Defines the macros of `sql/macros/` (TEMP: per connection). */
async function defineMacros(connection: DuckDBConnection): Promise<void> {
  for (const file of listSqlFiles('macros')) {
    try {
      await connection.run(readSql(`macros/${file}`));
    } catch (error) {
      // A store opened short of its latest migration (migrateUpTo, for tests of old stores) lacks
      // later tables: the macros over them wait until it is migrated. Any other failure is a bug.
      if (!/Table with name \w+ does not exist/.test(String(error))) throw error;
    }
  }
}

/**
 * Applies the numbered files of `sql/schema/` that the store has not seen yet, then their
 * follow-ups, all in one transaction. The follow-ups run last because they share the metrics'
 * macros (e.g. the funnel's), and DuckDB binds a table macro to its tables when it is defined:
 * every pending file must have created its tables first.
 */
async function migrate(connection: DuckDBConnection, upTo?: string): Promise<void> {
  await connection.run('CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)');
  const applied = new Set(
    ((await connection.runAndReadAll('SELECT version FROM schema_migrations')).getRowObjectsJson() as { version: string }[]).map((r) => r.version),
  );
  const pending = listSqlFiles('schema').filter((file) => !applied.has(file) && (upTo === undefined || file <= upTo));
  if (pending.length === 0) return;
  await inTransaction(connection, async () => {
    for (const file of pending) {
      await connection.run(readSql(`schema/${file}`));
      await connection.run('INSERT INTO schema_migrations VALUES ($version, now())', { version: file });
    }
    // The follow-ups are today's code: they fit only a store migrated to the end.
    const asked = new Set(upTo === undefined ? pending.flatMap((file) => FOLLOW_UPS[file] ?? []) : []);
    const followUps = FOLLOW_UP_ORDER.filter(([name]) => asked.has(name) && !(name === 'sla' && asked.has('rollups')));
    if (followUps.length > 0) await defineMacros(connection);
    for (const [, followUp] of followUps) await followUp(connection);
  });
}
