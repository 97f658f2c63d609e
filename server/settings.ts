import { z } from 'zod';
import type { Database } from './db/database.js';
import { bumpDataVersion } from './db/data-version.js';
import { ApiError } from './errors.js';
import { rebuildTenantFacts } from './import/refresh-facts.js';
import { rebuildRollups } from './import/refresh-rollups.js';
import { rebuildSlaRollups } from './import/sla-rollups.js';
import { CHANNEL_CODE_MESSAGE, CHANNEL_PATTERN } from './channel-code.js';

/**
 * The canonical spelling of an IANA time zone name (`asia/SHANGHAI` → `Asia/Shanghai`), or
 * undefined when `Intl` does not know it (DuckDB's ICU uses the same database). Every zone a
 * request names is read through this, so caches keyed by zone hold one entry per zone, not per
 * spelling.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (name.length > 64) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

export function isTimeZone(name: string): boolean {
  return canonicalTimeZone(name) !== undefined;
}

export const stageName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, 'a stage name is lower-case letters, digits and _ (e.g. stock_locked)');

export const timeZoneName = z
  .string()
  .refine(isTimeZone, { message: 'unknown IANA time zone (e.g. Asia/Shanghai)' })
  .transform((name) => canonicalTimeZone(name)!);

const channelCode = z.string().regex(new RegExp(CHANNEL_PATTERN), CHANNEL_CODE_MESSAGE);
/** A text in each locale the widgets speak, each optional. */
const localized = (max: number) => z.object({ en: z.string().trim().min(1).max(max).optional(), 'zh-CN': z.string().trim().min(1).max(max).optional() }).strict();

/** A dated note: a local day of the tenant's zone, what happened, and the channel it concerns (none: all). */
export const annotationSchema = z
  .object({
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a local day, YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), { message: 'not a real day' }),
    label: z.string().trim().min(1).max(80),
    /** The label in other languages, for widgets in that locale (`{"zh-CN": "上线"}`); `label` otherwise. */
    labels: localized(80).optional(),
    channel: channelCode.optional(),
  })
  .strict();

export const settingsSchema = z
  .object({
    timeZone: timeZoneName,
    // At most 100 stages: stuck-orders ranks pipeline positions below the terminal rank 1000.
    pipeline: z.array(stageName).min(2).max(100),
    terminalStages: z.array(stageName).min(1),
    minutesPerDataMove: z.number().nonnegative().finite(),
    laborCostPerHour: z.number().nonnegative().finite(),
    marginRate: z.number().min(0).max(1),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as CNY'),
    /**
     * Days of history order-forecast (and the order list's forecasts) read: the orders that shipped,
     * or were delivered, in the days before "as of"; null: every one ever.
     */
    forecastHistoryDays: z.number().int().min(1).max(3650).nullable(),
    /** Hours expected between two imports of each source (mapping name): later, freshness says `late`. Unlisted: 24. */
    sourceIntervalHours: z.record(z.string().min(1).max(100), z.number().positive().max(8760)),
    /**
     * Service levels (the sla metric): an order that reached `from` must reach `to` within `hours`;
     * with `channel`, for that channel's orders (over the target without one). `placed` → `shipped`
     * is the overall ship-by target.
     */
    slaTargets: z
      .array(
        z
          .object({ from: stageName, to: stageName, hours: z.number().positive().max(87_600), channel: channelCode.optional() })
          .strict()
          .refine((t) => t.from !== t.to, { message: 'a target runs from one stage to another' }),
      )
      .max(50),
    /**
     * Channels' display names per locale (`en`, `zh-CN`), over the widgets' defaults for the common
     * marketplaces (天猫/Tmall, 京东/JD…): a code stays the key everywhere, its name is what people read.
     */
    channelNames: z
      .record(
        channelCode,
        localized(60),
      )
      .refine((names) => Object.keys(names).length <= 500, { message: 'at most 500 channels' }),
    /** Dated notes drawn on the time charts (a go-live, a pipeline change); PUT /api/annotations replaces them. */
    annotations: z.array(annotationSchema).max(500),
  })
  .strict()
  .refine((s) => new Set(s.pipeline).size === s.pipeline.length, { message: 'pipeline lists a stage twice', path: ['pipeline'] })
  .refine((s) => new Set(s.slaTargets.map((t) => `${t.from}>${t.to}>${t.channel ?? ''}`)).size === s.slaTargets.length, {
    message: 'slaTargets lists a step twice for one channel',
    path: ['slaTargets'],
  });

export type Settings = z.infer<typeof settingsSchema>;

/** SLA targets as the sla rollups record what they judged (schema/025): equal exactly when the targets are. */
export function slaTargetsKey(targets: Settings['slaTargets']): string {
  return JSON.stringify(targets.map((t) => [t.from, t.to, t.hours, t.channel ?? '']));
}

/** The stages DOMAIN.md names: known to every tenant, in its pipeline or not. */
export const STANDARD_STAGES = ['placed', 'paid', 'credit_checked', 'stock_locked', 'dispatched', 'picked', 'shipped', 'delivered', 'cancelled', 'refunded', 'returned'];

/** The stages a tenant knows: its pipeline, its terminal stages and the standard ones. */
export function knownStages(settings: Settings): string[] {
  return [...new Set([...settings.pipeline, ...settings.terminalStages, ...STANDARD_STAGES])];
}

/** The known name closest to `name` (Levenshtein distance), for "did you mean". */
export function closestName(name: string, known: readonly string[]): string {
  const distance = (a: string, b: string) => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length]!;
  };
  return [...known].sort((x, y) => distance(name, x) - distance(name, y) || x.localeCompare(y))[0]!;
}

/** DOMAIN.md defaults. */
export const DEFAULT_SETTINGS: Settings = {
  timeZone: 'Asia/Shanghai',
  pipeline: ['placed', 'paid', 'credit_checked', 'stock_locked', 'dispatched', 'picked', 'shipped', 'delivered'],
  terminalStages: ['delivered', 'cancelled', 'refunded', 'returned'],
  minutesPerDataMove: 11,
  laborCostPerHour: 60,
  marginRate: 0.3,
  currency: 'CNY',
  sourceIntervalHours: {},
  forecastHistoryDays: 90,
  slaTargets: [],
  channelNames: {},
  annotations: [],
};

/** Hours expected between imports of a source not listed in sourceIntervalHours. */
export const DEFAULT_SOURCE_INTERVAL_HOURS = 24;

/** A tenant's settings, with defaults for anything never set (404 for an unknown tenant). */
export async function readSettings(db: Database, tenant: string): Promise<Settings> {
  const [row] = await db.query('SELECT settings FROM tenants WHERE tenant_id = $tenant', { tenant });
  if (!row) throw new ApiError(404, 'unknown_tenant', `unknown tenant '${tenant}'`, { tenant });
  return settingsFromJson(row.settings as string | null);
}

/** Stored settings JSON (partial or null) merged over the defaults. */
export function settingsFromJson(stored: string | null): Settings {
  return { ...DEFAULT_SETTINGS, ...(stored ? (JSON.parse(stored) as Partial<Settings>) : {}) };
}

/**
 * Merges a partial settings object into a tenant's settings, validates the result (400 naming the
 * key) and writes it: what `PUT /api/settings` and `npm run settings` do.
 */
export async function updateSettings(db: Database, tenant: string, partial: Record<string, unknown>): Promise<Settings & { dataVersion: number }> {
  const parsed = settingsSchema.safeParse({ ...(await readSettings(db, tenant)), ...partial });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ApiError(400, 'invalid_settings', `invalid settings: ${issues[0]}`, { issues });
  }
  return { ...parsed.data, dataVersion: await writeSettings(db, tenant, parsed.data) };
}

/** Replaces a tenant's settings (already validated) and bumps the data version, in one transaction. */
export async function writeSettings(db: Database, tenant: string, settings: Settings): Promise<number> {
  return db.transaction(async (c) => {
    const [stored] = (await c.runAndReadAll('SELECT settings FROM tenants WHERE tenant_id = $tenant', { tenant })).getRowObjectsJson();
    const before = settingsFromJson((stored?.settings as string | null) ?? null);
    await c.run('UPDATE tenants SET settings = $value WHERE tenant_id = $tenant', { tenant, value: JSON.stringify(settings) });
    // Facts hold local times, pipeline steps and when an order settled in a terminal stage.
    if (
      settings.timeZone !== before.timeZone ||
      settings.pipeline.join() !== before.pipeline.join() ||
      settings.terminalStages.join() !== before.terminalStages.join()
    ) {
      await rebuildTenantFacts(c, tenant, settings);
      await rebuildRollups(c, tenant);
    } else if (slaTargetsKey(settings.slaTargets) !== slaTargetsKey(before.slaTargets)) {
      await rebuildSlaRollups(c, tenant);
    }
    return bumpDataVersion(c);
  });
}
