import type { ChannelNames } from '../../widgets/internal/envelope.js';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import { canonicalTimeZone, type Settings } from '../settings.js';
import { narrowList, narrowRange, outsideLock, type MetricLock } from '../security/locked-filters.js';
import { boolean, instant, integerList, text, textList, type Binding, type Bindings } from './bindings.js';
import { isoInZone, monthStart, parseApiTime } from './zoned-time.js';

/** Order dimensions a metric may group or filter by; the SQL maps each to its column (op_dimension). */
export const DIMENSIONS = ['channel', 'sku_series', 'region', 'customer_tier', 'promotion_id', 'warehouse'] as const;

/** What resolving parameters may need from the store, looked up once per data version. */
export interface MetricContext {
  settings: Settings;
  channels: ReadonlySet<string>;
  /** The latest event time in the store (epoch ms, rounded up: the event itself is at or before it), or null when there are no events. */
  latestEventMs: number | null;
  /** The values each cohort dimension has in the tenant's orders (roi-compare names a value that matches none). */
  dimensionValues: Record<'region' | 'skuSeries' | 'customerTier' | 'promotion' | 'warehouse', ReadonlySet<string>>;
  /** Sources whose promises carry no time of day (source_columns), with the zone their dates are days of: on-time compares dates. */
  promiseDateSources: { source: string; zone: string }[];
  /** The currencies of the tenant's orders, sorted. */
  currencies: readonly string[];
  /** Order fields and stages (and `event_at`, an events file's times) that carry only dates in some source (source_columns). */
  dayOnlyFields: ReadonlySet<string>;
  /** Every stage name at the position of its key in order_facts.stage_keys (1-based in SQL). */
  stageNames: string[];
  /** When imports last brought each channel's orders (import_sources, schema/023), epoch ms; `all` over every channel (or the last import, for a store older than that table). */
  importedAt: { all: number | null; byChannel: ReadonlyMap<string, number> };
  /** The targets the sla rollups were judged against (JSON) and their watermark (epoch µs; schema/025), or null when none are kept. */
  slaRollups: { targets: string; watermarkUs: number | null } | null;
  /** An embed token's locked filters: every scope is narrowed to them. */
  lock?: MetricLock;
}

/** When the data of a scope's channels (all: none named) was last imported, as UTC ISO 8601; null when never. */
export function dataUpdatedAt(channels: readonly string[], ctx: MetricContext): string | null {
  const times = channels.length === 0 ? [ctx.importedAt.all] : channels.map((c) => ctx.importedAt.byChannel.get(c) ?? null);
  const latest = Math.max(...times.filter((t): t is number => t !== null));
  return Number.isFinite(latest) ? new Date(latest).toISOString() : null;
}

/**
 * The tenant's channel display names a caller may read: under a channel lock only the lock's own
 * (a name would tell the others' codes), none for a customer's token (never told the channels).
 */
export function visibleChannelNames(ctx: MetricContext): { channelNames?: ChannelNames } {
  const names = ctx.settings.channelNames;
  if (ctx.lock?.lists.customer) return {};
  const locked = ctx.lock?.lists.channel;
  const shown = Object.fromEntries(Object.entries(names).filter(([code]) => !locked || locked.includes(code)));
  return Object.keys(shown).length > 0 ? { channelNames: shown } : {};
}

/** What every metric statement may bind besides its own parameters: the tenant, its time zone, the stage names by key. */
export function contextBindings(tenant: string, ctx: MetricContext): Bindings {
  return {
    tenant: text(tenant),
    store_tz: text(ctx.settings.timeZone),
    stage_names: textList(ctx.stageNames),
  };
}

/** The keys of `stages` (0, which no order has, for a stage no order reached). */
export function stageKeys(stages: readonly string[], ctx: MetricContext): Binding {
  return integerList(stages.map((s) => ctx.stageNames.indexOf(s) + 1));
}

const csv = (what: string) => z.string().optional().describe(`comma-separated ${what}`);

/** Query parameters every metric takes: the order scope. */
export const scopeQuery = {
  from: z.string().optional().describe('start of the range, inclusive: YYYY-MM-DD (local midnight in tz) or an ISO 8601 date-time'),
  to: z.string().optional().describe('end of the range, exclusive: YYYY-MM-DD (local midnight in tz) or an ISO 8601 date-time'),
  tz: z.string().optional().describe('IANA time zone for dates without offset, buckets and returned times; default: the settings'),
  channel: csv('channel codes to include (e.g. tmall,douyin)'),
  region: csv('regions to include'),
  skuSeries: csv('SKU series to include'),
  customerTier: csv('customer tiers to include'),
  promotion: csv('promotion ids to include'),
  warehouse: csv('warehouses to include (the warehouse that ships the order)'),
};
/** The money metrics' currency (friction costs, revenue, spend): amounts in two currencies are never added. */
export const currencyQuery = z.string().optional().describe("the orders' currency, e.g. CNY (needed when the orders have several)");

/**
 * The currency a money metric adds amounts in, and the orders it keeps: `currency` when given
 * (none to filter when it is the only one), else the orders' one currency; orders in several
 * currencies without `currency` are a 400 naming them.
 */
export function resolveCurrency(value: string | undefined, ctx: MetricContext): { currency: string | null; filter: string[] } {
  const all = ctx.currencies;
  if (value === undefined) {
    if (all.length > 1) {
      throw new ApiError(400, 'several_currencies', `the orders are in ${all.length} currencies (${all.join(', ')}): amounts in different currencies are not added; pass currency=${all[0]}`, {
        parameter: 'currency',
        currencies: all,
      });
    }
    return { currency: all[0] ?? null, filter: [] };
  }
  const currency = value.trim().toUpperCase();
  if (!all.includes(currency)) throw badParameter('currency', `no order is in '${value.slice(0, 60)}'; the orders' currencies are ${all.join(', ') || 'none'}`);
  return { currency, filter: all.length === 1 ? [] : [currency] };
}

export const intervalQuery = z.enum(['day', 'week', 'month']).optional().describe('bucket by day, ISO week or month of the local time');
export const groupByQuery = (extra: string[] = []) =>
  z.enum([...DIMENSIONS, ...extra] as [string, ...string[]]).optional().describe('break down by this dimension');

type ScopeQuery = { [K in keyof typeof scopeQuery]?: string | undefined };

export function splitList(value: string | undefined): string[] {
  return value === undefined ? [] : [...new Set(value.split(',').map((v) => v.trim()).filter((v) => v.length > 0))];
}

export { outsideLock };

export function badParameter(parameter: string, message: string): ApiError {
  return new ApiError(400, 'invalid_parameter', `${parameter}: ${message}`, { parameter });
}

export function resolveTimeZone(tz: string | undefined, ctx: MetricContext): string {
  if (tz === undefined) return ctx.settings.timeZone;
  const zone = canonicalTimeZone(tz);
  if (zone === undefined) throw badParameter('tz', `unknown IANA time zone '${tz.slice(0, 64)}' (e.g. Asia/Shanghai)`);
  return zone;
}

export function resolveTime(parameter: string, value: string | undefined, tz: string): number | null {
  if (value === undefined) return null;
  const ms = parseApiTime(value, tz);
  if (ms === undefined) throw badParameter(parameter, `'${value.slice(0, 60)}' is not a date (YYYY-MM-DD) or an ISO 8601 date-time`);
  return ms;
}

/** A [from, to) pair of parameters: parsed, checked, and narrowed to a token's locked range. */
export function resolveRange(
  fromName: string,
  from: string | undefined,
  toName: string,
  to: string | undefined,
  tz: string,
  ctx: MetricContext,
): { fromMs: number | null; toMs: number | null } {
  const fromMs = resolveTime(fromName, from, tz);
  const toMs = resolveTime(toName, to, tz);
  checkRange(fromName, fromMs, toName, toMs);
  return narrowRange(fromName, fromMs, toMs, ctx.lock);
}

/** Checks a [from, to) pair: from must come before to. */
export function checkRange(fromName: string, fromMs: number | null, toName: string, toMs: number | null): void {
  if (fromMs !== null && toMs !== null && fromMs >= toMs) throw badParameter(fromName, `must be before ${toName}`);
}

export function resolveChannels(parameter: string, value: string | undefined, ctx: MetricContext): string[] {
  const channels = [...new Set(splitList(value).map((c) => c.toLowerCase()))];
  // Under a lock, a channel is checked against the lock alone: one without orders answers empty,
  // and the message never lists the tenant's other channels.
  if (ctx.lock?.lists.channel) return narrowList('channel', parameter, channels, ctx.lock);
  // A customer's token is never told the tenant's channels: one it has no orders in lists nothing.
  if (ctx.lock?.lists.customer) return channels;
  const unknown = channels.filter((c) => !ctx.channels.has(c));
  if (unknown.length > 0) {
    const known = [...ctx.channels].sort().join(', ') || 'none: the store has no orders';
    throw badParameter(parameter, `unknown channel '${unknown[0]}'; known channels: ${known}`);
  }
  return channels;
}

/** A stage parameter must name a stage of the pipeline or a terminal stage (settings), or one of `extra`. */
export function resolveStage(parameter: string, value: string, ctx: MetricContext, extra: string[] = []): string {
  const known = [...ctx.settings.pipeline, ...ctx.settings.terminalStages.filter((s) => !ctx.settings.pipeline.includes(s)), ...extra];
  if (!known.includes(value)) throw badParameter(parameter, `unknown stage '${value}'; stages are ${known.join(', ')}`);
  return value;
}

export interface ResolvedScope {
  tz: string;
  fromMs: number | null;
  toMs: number | null;
  /** Echoed in the response's `params`. */
  params: Record<string, unknown>;
  bindings: Bindings;
}

/** Validates and binds the order scope ($from_ts … $promotions, $tz). */
export function resolveScope(q: ScopeQuery, ctx: MetricContext): ResolvedScope {
  const tz = resolveTimeZone(q.tz, ctx);
  const { fromMs, toMs } = resolveRange('from', q.from, 'to', q.to, tz, ctx);
  const lists = {
    channel: resolveChannels('channel', q.channel, ctx),
    region: narrowList('region', 'region', splitList(q.region), ctx.lock),
    skuSeries: narrowList('skuSeries', 'skuSeries', splitList(q.skuSeries), ctx.lock),
    customerTier: narrowList('customerTier', 'customerTier', splitList(q.customerTier), ctx.lock),
    promotion: narrowList('promotion', 'promotion', splitList(q.promotion), ctx.lock),
    warehouse: narrowList('warehouse', 'warehouse', splitList(q.warehouse), ctx.lock),
  };
  return {
    tz,
    fromMs,
    toMs,
    params: {
      from: fromMs === null ? null : isoInZone(fromMs, tz),
      to: toMs === null ? null : isoInZone(toMs, tz),
      tz,
      ...lists,
    },
    bindings: {
      tz: text(tz),
      ...scopeBindings('', fromMs, toMs, lists),
    },
  };
}

/** A scope's filter lists, by query parameter. */
export interface ScopeLists {
  channel: string[];
  region: string[];
  skuSeries: string[];
  customerTier: string[];
  promotion: string[];
  warehouse: string[];
}

export function scopeBindings(
  prefix: string,
  fromMs: number | null,
  toMs: number | null,
  lists: ScopeLists,
): Bindings {
  return {
    [`${prefix}from_ts`]: instant(fromMs),
    [`${prefix}to_ts`]: instant(toMs),
    [`${prefix}channels`]: textList(lists.channel),
    [`${prefix}regions`]: textList(lists.region),
    [`${prefix}series`]: textList(lists.skuSeries),
    [`${prefix}tiers`]: textList(lists.customerTier),
    [`${prefix}promotions`]: textList(lists.promotion),
    [`${prefix}warehouses`]: textList(lists.warehouse),
  };
}

/** A range of local days [from, to) in the tenant's zone, the rollups' grain (schema/013); null ends are open. */
export interface DayRange {
  from: string | null;
  to: string | null;
}

/** The local date (YYYY-MM-DD) `ms` falls on in `timeZone` when it is exactly that day's midnight, else null. */
function midnightDate(ms: number, timeZone: string): string | null {
  const iso = isoInZone(ms, timeZone);
  return /^\d{4}-\d{2}-\d{2}T00:00:00[+-]/.test(iso) ? iso.slice(0, 10) : null;
}

/**
 * [fromMs, toMs) as whole local days of the tenant's zone, or null when an end falls inside a day
 * there: the rollups hold days, so only a range of whole days can be read from them.
 */
export function rollupDays(fromMs: number | null, toMs: number | null, ctx: MetricContext): DayRange | null {
  const zone = ctx.settings.timeZone;
  const from = fromMs === null ? null : midnightDate(fromMs, zone);
  const to = toMs === null ? null : midnightDate(toMs, zone);
  if ((fromMs !== null && from === null) || (toMs !== null && to === null)) return null;
  return { from, to };
}

type DimensionLists = Omit<ScopeLists, 'channel'>;

/** Whether a scope's lists filter on channels alone, the rollups' only dimension. */
export function onlyChannels(lists: DimensionLists): boolean {
  return [lists.region, lists.skuSeries, lists.customerTier, lists.promotion, lists.warehouse].every((list) => list.length === 0);
}

/** Whether the rollups can answer a scope: no filter but channels (and days), grouped by channel or not at all. */
export function rollupAnswers(scope: ResolvedScope, groupBy: string | null): boolean {
  return onlyChannels(scope.params as unknown as DimensionLists) && (groupBy === null || groupBy === 'channel');
}

/** A day bound as DuckDB reads it: an open start or end is -infinity or infinity. */
export const dayBound = (day: string | null, open: '-infinity' | 'infinity') => text(day ?? open);

/**
 * The duration rollups' bindings: $rollup (whether to read them at all: `days` is null when they
 * cannot answer) and the range split into the whole months, read from the monthly rows (unless
 * `months` is false), and the days before and after them ($head_…, $tail_…; an empty range is
 * [infinity, infinity)).
 */
export function durationRollupBindings(days: DayRange | null, months = true): Bindings {
  const { from, to } = days ?? { from: null, to: null };
  const wholeFrom = from === null || from.endsWith('-01') ? from : monthStart(from, 1);
  const wholeTo = to === null ? null : `${to.slice(0, 8)}01`;
  const none = { from: 'infinity', to: 'infinity' };
  let monthRange: { from: string; to: string };
  let head = none;
  let tail = none;
  if (!months || (wholeFrom !== null && wholeTo !== null && wholeFrom >= wholeTo)) {
    // No whole month inside (or none wanted): the days alone.
    monthRange = none;
    head = { from: from ?? '-infinity', to: to ?? 'infinity' };
  } else {
    monthRange = { from: wholeFrom ?? '-infinity', to: wholeTo ?? 'infinity' };
    if (from !== null && from !== wholeFrom) head = { from, to: wholeFrom! };
    if (to !== null && to !== wholeTo) tail = { from: wholeTo!, to };
  }
  return {
    rollup: boolean(days !== null),
    from_day: dayBound(from, '-infinity'),
    to_day: dayBound(to, 'infinity'),
    months_from: text(monthRange.from),
    months_to: text(monthRange.to),
    head_from: text(head.from),
    head_to: text(head.to),
    tail_from: text(tail.from),
    tail_to: text(tail.to),
  };
}
