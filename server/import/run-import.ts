import { basename } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { inTransaction, type Database } from '../db/database.js';
import { ApiError, formatProblem, type RowProblem } from '../errors.js';
import { bumpDataVersion, readDataVersion } from '../db/data-version.js';
import { closestName, knownStages, readSettings } from '../settings.js';
import { rebuildTenantFacts, refreshFacts } from './refresh-facts.js';
import type { TimePrecision } from './import-context.js';
import { rebuildRollups } from './refresh-rollups.js';
import { DEFAULT_TENANT } from '../tenants.js';
import { commitStaged, type CommitCounts } from './commit.js';
import { sqlString } from './sql-text.js';
import { ImportContext } from './import-context.js';
import { formatOf, loadInput, type LoadedInput } from './load-input.js';
import { ORDER_FIELDS, type Mapping } from './mapping.js';
import { stageOrders } from './stage-orders.js';
import { stageEvents, stagePromotions } from './stage-events.js';

export interface ImportFile {
  /** Where the file is on this machine. */
  path: string;
  /** Name shown in results and problems (the original file name for uploads). */
  name?: string;
}

export interface ImportOptions {
  mapping: Mapping;
  files: ImportFile[];
  /** `reject` (default): any invalid row rejects the whole import. `skip`: commit the valid rows. */
  onError?: 'reject' | 'skip';
  /** The tenant the rows belong to (default: `default`); it must exist. */
  tenant?: string;
  /** Called at each phase, for the CLI's progress lines. */
  onProgress?: (message: string) => void;
  /** When the import happens (default: now): new orders are first seen then (freshness; tests fix it). */
  importedAt?: Date;
}

export interface ImportResult extends Omit<CommitCounts, 'changed'> {
  mapping: string;
  /** Per input: its file, the mapped columns it had, the stages it states, and whether each date-time column carries times or dates only. */
  /** Per input: the columns read, the stages stated (and of them those stated without a time), each date-time column's precision. */
  sources: { input: string; file: string; columns: string[]; stages: string[]; untimedStages: string[]; timePrecision: Record<string, TimePrecision> }[];
  files: { file: string; input: string; rows: number }[];
  rowsRead: number;
  rowsRejected: number;
  totalProblems: number;
  problems: RowProblem[];
  warnings: string[];
  dataVersion: number;
  elapsedMs: number;
}

const STAGING_TABLES = `
  CREATE OR REPLACE TEMP TABLE stg_orders AS
    SELECT 0::BIGINT AS __line, * EXCLUDE (tenant_id), false AS __lookup_only, ${Object.keys(ORDER_FIELDS).map((f) => `false AS __stated_${f}`).join(', ')}
    FROM orders WHERE false;
  CREATE OR REPLACE TEMP TABLE stg_events AS SELECT * EXCLUDE (tenant_id) FROM order_events WHERE false;
  CREATE OR REPLACE TEMP TABLE stg_claimed_origins (origin VARCHAR);
  CREATE OR REPLACE TEMP VIEW staged_events AS SELECT * FROM stg_events;
  CREATE OR REPLACE TEMP TABLE stg_promotions AS SELECT 0::BIGINT AS __line, * EXCLUDE (tenant_id) FROM promotions WHERE false;`;

/** Imports writing at least this many rows checkpoint afterwards. */
const BULK_ROWS = 100_000;

/** Pairs each file with the mapping input whose `match` its name fits. */
function assignInputs(mapping: Mapping, files: ImportFile[]): Map<string, ImportFile> {
  const assigned = new Map<string, ImportFile>();
  for (const file of files) {
    const name = file.name ?? basename(file.path);
    const input = Object.entries(mapping.inputs).find(([, spec]) => new RegExp(spec.match, 'i').test(name))?.[0];
    if (!input) {
      const expected = Object.entries(mapping.inputs).map(([n, s]) => `${n} (/${s.match}/)`).join(', ');
      throw new ApiError(400, 'unmatched_file', `${name}: matches no input of mapping '${mapping.name}'; its inputs are ${expected}`, {
        file: name,
      });
    }
    if (assigned.has(input)) {
      throw new ApiError(400, 'duplicate_input', `${name} and ${assigned.get(input)!.name ?? basename(assigned.get(input)!.path)} both match input '${input}'; import them one at a time`, {
        file: name,
      });
    }
    assigned.set(input, { ...file, name });
  }
  for (const [input, spec] of Object.entries(mapping.inputs)) {
    if (spec.required && !assigned.has(input)) {
      throw new ApiError(400, 'missing_input', `mapping '${mapping.name}' needs a file for input '${input}' (a name matching /${spec.match}/)`, { input });
    }
  }
  if (assigned.size === 0) throw new ApiError(400, 'no_files', 'no files to import');
  return assigned;
}

/**
 * Every stage a mapping names must be one the tenant knows (its pipeline, its terminal stages,
 * DOMAIN.md's) or one the mapping's pipeline declares: a misspelt 'shiped' would otherwise become
 * a new stage on every order.
 */
function checkMappingStages(mapping: Mapping, known: string[], tenant: string): void {
  const named: [string, string][] = [
    ...Object.keys(mapping.orders?.stages ?? {}).map((stage) => [`orders.stages.${stage}`, stage] as [string, string]),
    ...Object.entries(mapping.orders?.statusStages?.values ?? {}).flatMap(([value, stages]) =>
      (Array.isArray(stages) ? stages : [stages]).map((stage) => [`orders.statusStages.values.${value}`, stage] as [string, string]),
    ),
  ];
  for (const [key, stage] of named) {
    if (known.includes(stage)) continue;
    throw new ApiError(
      400,
      'invalid_mapping',
      `${key}: '${stage}' is not a stage of tenant '${tenant}' (its pipeline, terminal stages or DOMAIN.md's); did you mean '${closestName(stage, known)}'? Declare custom stages in the mapping's "pipeline" or "customStages"`,
      { key, stage },
    );
  }
}

/**
 * Imports files through a mapping, as one transaction: every row lands, or
 * (strict mode with any invalid row, or any failure) nothing does.
 */
export async function runImport(db: Database, options: ImportOptions): Promise<ImportResult> {
  const started = performance.now();
  const { mapping, onProgress = () => undefined } = options;
  const importedAt = options.importedAt ?? new Date();
  const assigned = assignInputs(mapping, options.files);
  const tenant = options.tenant ?? DEFAULT_TENANT;
  const stored = await readSettings(db, tenant);
  // A mapping that declares its pipeline sets the tenant's, in the import's transaction.
  const settings = mapping.pipeline && mapping.pipeline.join() !== stored.pipeline.join() ? { ...stored, pipeline: mapping.pipeline } : stored;
  const known = [...new Set([...knownStages(settings), ...(mapping.customStages ?? [])])];
  checkMappingStages(mapping, known, tenant);

  return db.withConnection(async (connection) => {
    await connection.run(STAGING_TABLES);
    const inputs = new Map<string, LoadedInput>();
    for (const [input, file] of assigned) {
      const t = performance.now();
      const spec = mapping.inputs[input]!;
      const loaded = await loadInput(connection, {
        table: `in_${input}`,
        path: file.path,
        file: file.name!,
        format: formatOf(file.name!, spec.format),
        ...(spec.delimiter ? { delimiter: spec.delimiter } : {}),
      });
      inputs.set(input, loaded);
      onProgress(`read ${loaded.file}: ${loaded.rows.toLocaleString('en')} rows in ${seconds(t)}`);
    }

    const t = performance.now();
    const ctx = await ImportContext.create(connection, mapping, inputs, mapping.timeZone ?? settings.timeZone, tenant, known);
    if (mapping.orders && inputs.has(mapping.orders.input)) await stageOrders(ctx, mapping.orders);
    if (mapping.events && inputs.has(mapping.events.input)) await stageEvents(ctx, mapping.events);
    if (mapping.promotions && inputs.has(mapping.promotions.input)) await stagePromotions(ctx, mapping.promotions);
    const problems = await ctx.problems();
    onProgress(`validated and mapped in ${seconds(t)}: ${problems.total.toLocaleString('en')} problems`);

    if (problems.total > 0 && (options.onError ?? 'reject') === 'reject') {
      throw new ApiError(
        422,
        'import_rejected',
        `${problems.total} problem${problems.total === 1 ? '' : 's'} in ${problems.rowsRejected} row${problems.rowsRejected === 1 ? '' : 's'}; nothing was imported (first: ${formatProblem(problems.first[0]!)})`,
        { totalProblems: problems.total, rowsRejected: problems.rowsRejected, problems: problems.first },
      );
    }

    const t2 = performance.now();
    const { counts, dataVersion } = await inTransaction(connection, async () => {
      if (settings !== stored) {
        const [row] = (await connection.runAndReadAll('SELECT settings FROM tenants WHERE tenant_id = $tenant', { tenant })).getRowObjectsJson();
        const saved = { ...(row?.settings ? (JSON.parse(row.settings as string) as object) : {}), pipeline: settings.pipeline };
        await connection.run('UPDATE tenants SET settings = $value WHERE tenant_id = $tenant', { tenant, value: JSON.stringify(saved) });
      }
      // Each date-time column's precision, as this source's latest import found it: before the
      // commit, whose facts read it (first response counts same-instant events of coarse sources).
      const coarseBefore = await coarseCreation(connection, tenant, mapping.name);
      for (const s of ctx.sources.values()) {
        for (const [column, precision] of Object.entries(s.precision)) {
          await connection.run(
            `INSERT OR REPLACE INTO source_columns (tenant_id, source, column_name, precision, updated_at, fields, time_zone)
             VALUES ($tenant, $source, $column, $precision, now(), $fields, $zone)`,
            { tenant, source: mapping.name, column, precision, fields: (s.fields[column] ?? []).join(','), zone: ctx.timeZone },
          );
        }
      }
      const coarseNow = await coarseCreation(connection, tenant, mapping.name);
      const commit = await commitStaged(connection, tenant, settings, importedAt);
      if (settings !== stored) {
        // Every stored order's pipeline steps follow the new pipeline.
        await rebuildTenantFacts(connection, tenant, settings);
        await rebuildRollups(connection, tenant);
      }
      const precisionMoved = settings === stored && (coarseBefore ?? false) !== (coarseNow ?? false);
      if (precisionMoved) {
        // The source's creation times changed precision: its stored orders' first responses follow.
        await refreshFacts(connection, tenant, settings, `SELECT order_key FROM orders WHERE tenant_id = $tenant AND source = ${sqlString(mapping.name)}`);
      }
      const { changed: staged, ...counts } = commit;
      const changed = staged || settings !== stored || precisionMoved;
      // Nothing changed, nothing to recompute: every cached answer stays valid.
      const dataVersion = changed ? await bumpDataVersion(connection) : await readDataVersion(connection);
      const rowsRead = [...inputs.values()].reduce((n, i) => n + i.rows, 0);
      // What this import brought of each channel, for freshness (schema/023): even when nothing
      // changed, a source that sent its export again is fresh.
      await connection.run(
        `INSERT INTO import_sources
         SELECT $tenant, (SELECT coalesce(max(import_id), 0) + 1 FROM imports), $mapping, channel, $imported_at::TIMESTAMPTZ, count(*), max(created_at)
         FROM stg_orders WHERE NOT __lookup_only AND channel IS NOT NULL GROUP BY channel`,
        { tenant, mapping: mapping.name, imported_at: importedAt.toISOString() },
      );
      await connection.run(
        `INSERT INTO imports SELECT coalesce(max(import_id), 0) + 1, $tenant, $imported_at::TIMESTAMPTZ, $source, $mapping, $rowsRead, $ins, $upd, $events, $rejected FROM imports`,
        {
          tenant,
          imported_at: importedAt.toISOString(),
          source: [...inputs.values()].map((i) => i.file).join(', '),
          mapping: mapping.name,
          rowsRead,
          ins: counts.ordersInserted,
          upd: counts.ordersUpdated,
          events: counts.eventsInserted,
          rejected: problems.rowsRejected,
        },
      );
      return { counts, dataVersion };
    });
    onProgress(`committed in ${seconds(t2)}: ${counts.ordersInserted.toLocaleString('en')} orders inserted, ${counts.eventsInserted.toLocaleString('en')} events inserted`);
    if (counts.eventsInserted + counts.ordersInserted + counts.ordersUpdated >= BULK_ROWS) {
      // Fold a bulk load's WAL into the store file now rather than at the next restart. DuckDB
      // declines while other transactions run; its automatic checkpoint then does it later.
      await connection.run('CHECKPOINT').catch(() => undefined);
    }

    return {
      mapping: mapping.name,
      files: [...inputs.entries()].map(([input, i]) => ({ file: i.file, input, rows: i.rows })),
      rowsRead: [...inputs.values()].reduce((n, i) => n + i.rows, 0),
      ...counts,
      rowsRejected: problems.rowsRejected,
      totalProblems: problems.total,
      problems: problems.first,
      warnings: ctx.warnings,
      sources: [...ctx.sources].map(([input, s]) => ({ input, file: inputs.get(input)!.file, columns: [...s.columns], stages: [...s.stages], untimedStages: [...s.untimedStages], timePrecision: s.precision })),
      dataVersion,
      elapsedMs: Math.round(performance.now() - started),
    };
  });
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(2)} s`;
}

/** Whether a source's creation times carry only minutes or days (null: no import of it said yet). */
async function coarseCreation(connection: DuckDBConnection, tenant: string, source: string): Promise<boolean | null> {
  const [row] = (
    await connection.runAndReadAll(
      `SELECT bool_or(precision IN ('minute', 'date')) AS coarse FROM source_columns
       WHERE tenant_id = $tenant AND source = $source AND list_contains(string_split(fields, ','), 'created_at')`,
      { tenant, source },
    )
  ).getRowObjectsJson();
  return (row?.coarse as boolean | null | undefined) ?? null;
}
