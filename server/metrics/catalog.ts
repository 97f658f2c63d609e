import { z } from 'zod';
import { ApiError } from '../errors.js';
import { boolean, integer, number, text, textList, instant, type Binding, type Bindings } from './bindings.js';
import { DEFAULT_FUNNEL_STEPS } from './default-funnel.js';
import {
  DIMENSIONS,
  badParameter,
  currencyQuery,
  dayBound,
  durationRollupBindings,
  groupByQuery,
  intervalQuery,
  onlyChannels,
  outsideLock,
  resolveRange,
  resolveScope,
  resolveCurrency,
  resolveStage,
  resolveTime,
  resolveTimeZone,
  rollupAnswers,
  rollupDays,
  scopeBindings,
  scopeQuery,
  splitList,
  stageKeys,
  type MetricContext,
  type ResolvedScope,
} from './scope.js';
import { isoInZone } from './zoned-time.js';
import { allStageColumns } from './stage-columns.js';
import { DOUBLE, LIST, listValue } from '@duckdb/node-api';
import { DEFAULT_SOURCE_INTERVAL_HOURS, slaTargetsKey } from '../settings.js';

export interface Resolved {
  tz: string;
  params: Record<string, unknown>;
  bindings: Bindings;
}

export interface MetricDefinition {
  name: string;
  summary: string;
  query: z.ZodObject;
  /**
   * The order fields and stages whose times the answer measures or compares, from its resolved
   * parameters: when one of them carries only dates, the answer says `meta.precision: "day"`.
   */
  times?(params: Record<string, unknown>, ctx: MetricContext): string[];
  /** Whether `resolve` reads `ctx.latestEventMs` (a default as-of time). */
  usesLatestEvent?: boolean;
  resolve(q: Record<string, string | undefined>, ctx: MetricContext): Resolved;
}

/** Query, defaulting and binding for the metrics that are "scope, optional interval, optional group-by". */
function bucketed(
  q: Record<string, string | undefined>,
  ctx: MetricContext,
  extra: { groupBy?: string } = {},
): Resolved & { scope: ResolvedScope; groupBy: string | null; interval: string | null } {
  const scope = resolveScope(q, ctx);
  const interval = q.interval ?? null;
  const groupBy = q.groupBy ?? extra.groupBy ?? null;
  return {
    tz: scope.tz,
    params: { ...scope.params, interval, groupBy },
    // bucketed: whether the statement groups by period at all; other_zone: periods in a zone other
    // than the tenant's are found by op_zone_offsets (sql/macros/metrics.sql).
    bindings: {
      ...scope.bindings,
      unit: text(interval),
      group_by: text(groupBy ?? ''),
      bucketed: boolean(interval !== null),
      other_zone: boolean(interval !== null && scope.tz !== ctx.settings.timeZone),
    },
    scope,
    groupBy,
    interval,
  };
}

/**
 * The duration rollups' bindings for a bucketed metric, when `usable` (its own conditions) and its
 * scope allow. They hold days of the tenant's zone: periods in another zone need the facts, and
 * days or weeks read the daily rows alone.
 */
function durationRollups(base: ReturnType<typeof bucketed>, ctx: MetricContext, usable = true): Bindings {
  const zoneFits = base.interval === null || base.tz === ctx.settings.timeZone;
  const days = usable && zoneFits && rollupAnswers(base.scope, base.groupBy) ? rollupDays(base.scope.fromMs, base.scope.toMs, ctx) : null;
  return durationRollupBindings(days, base.interval === null || base.interval === 'month');
}

/** A bucketed metric's resolution: its scope's time zone and parameters, with more bindings. */
const withBindings = (base: ReturnType<typeof bucketed>, extra: Bindings) => ({
  tz: base.tz,
  params: base.params,
  bindings: { ...base.bindings, ...extra },
});

/**
 * `day` when one of `fields` (order fields and stages) carries only dates in some source of the
 * tenant (source_columns; an events file's dates make every stage a day), else `time`.
 */
export function precisionOf(fields: readonly string[], ctx: MetricContext): 'day' | 'time' {
  const dayOnly = ctx.dayOnlyFields;
  const isStage = (f: string) => f !== 'created_at' && f !== 'promised_at';
  return fields.some((f) => dayOnly.has(f) || (isStage(f) && dayOnly.has('event_at'))) ? 'day' : 'time';
}

/** A money metric's currency (resolveCurrency) as its parameter and binding. */
function money(q: Record<string, string | undefined>, ctx: MetricContext) {
  const { currency, filter } = resolveCurrency(q.currency, ctx);
  return { currency, filtered: filter.length > 0, params: { currency }, bindings: { currencies: textList(filter) } };
}

/** The moment an as-of metric judges at: `asOf`, else the latest event (a locked token's own), else now. */
/**
 * The moment a metric reads at: `asOf`, else the latest event (a lock's own), else, with no event,
 * the end of the current minute (not the current millisecond: two identical requests would give
 * two answers, and a security property test saw them differ).
 */
export const asOfOf = (q: Record<string, string | undefined>, tz: string, ctx: MetricContext): number =>
  resolveTime('asOf', q.asOf, tz) ?? ctx.latestEventMs ?? Math.ceil(Date.now() / 60_000) * 60_000;

/** A locked token's range, which still bounds by creation the orders of metrics whose range is something else. */
const lockRangeBindings = (ctx: MetricContext): Bindings => ({
  lock_from_ts: instant(ctx.lock?.fromMs ?? null),
  lock_to_ts: instant(ctx.lock?.toMs ?? null),
});

/** What on-time's judgement (op_otif) binds: the moment, and the sources whose promises are days. */
const onTimeBindings = (asOfMs: number, ctx: MetricContext): Bindings => ({
  as_of: instant(asOfMs),
  date_sources: textList(ctx.promiseDateSources.map((s) => s.source)),
  date_zones: textList(ctx.promiseDateSources.map((s) => s.zone)),
  date_as_of: textList(ctx.promiseDateSources.map((s) => isoInZone(asOfMs, s.zone).slice(0, 10))),
});

/** History orders of the same stage, channel and region a forecast needs at the least (order-forecast, and GET /api/orders?forecast=true). */
export const FORECAST_MIN_ORDERS = 5;

/** The settings' forecast history in hours (null: all of it). */
export const tenantHistoryHours = (ctx: MetricContext): number | null =>
  ctx.settings.forecastHistoryDays === null ? null : ctx.settings.forecastHistoryDays * 24;

/**
 * The start of a forecast's history: `hours` before asOf (null: every shipment and delivery ever,
 * bound as -infinity). Orders ship and deliver differently after a change of process, a carrier,
 * a season: a promise made today follows how orders flow now.
 */
export function forecastHistoryFrom(asOfMs: number, hours: number | null): Binding {
  return hours === null ? text('-infinity') : instant(asOfMs - Math.round(hours * 3_600_000));
}

/** Completed orders of a step and channel that an at-risk estimate needs at the least (sql/metrics/sla.sql). */
export const SLA_MIN_HISTORY = 5;

/**
 * The range of creation times the sla metric's at-risk history is drawn from: a token's locked
 * range, never the page's (a page's last week would leave out every order of that week still
 * taking long, and call the open ones safe).
 */
export function slaHistoryBindings(ctx: MetricContext): Bindings {
  return { h_from_ts: instant(ctx.lock?.fromMs ?? null), h_to_ts: instant(ctx.lock?.toMs ?? null) };
}

/** What op_stuck (stuck-orders and the order list) binds besides the scope. */
export const stuckBindings = (asOfMs: number, ctx: MetricContext): Bindings => ({
  as_of: instant(asOfMs),
  // Stage times that are dates: ages in whole days (sql/README.md, "Time precision").
  whole_days: boolean(precisionOf(ctx.settings.pipeline, ctx) === 'day'),
  pipeline: textList(ctx.settings.pipeline),
  pipeline_keys: stageKeys(ctx.settings.pipeline, ctx),
  terminal_keys: stageKeys(ctx.settings.terminalStages, ctx),
});

/** Friction's prices (settings). */
export const costs = (ctx: MetricContext): Bindings => ({
  minutes_per_data_move: number(ctx.settings.minutesPerDataMove),
  labor_cost_per_hour: number(ctx.settings.laborCostPerHour),
});

const stageQuery = (what: string, fallback: string) => z.string().optional().describe(`${what} stage (default ${fallback})`);

const HOUR_MS = 3_600_000;

/** cycle-time's statistics (`stats`); `count` (the orders) is always computed. */
const CYCLE_STATS = ['count', 'mean', 'p50', 'p90', 'p95', 'max'] as const;

/** The most steps a funnel has (its SQL keeps one column per step). */
const MAX_FUNNEL_STEPS = 10;

/** The longest funnel window, in hours: a hundred years. */
const MAX_WINDOW_HOURS = 876_000;

/** `72h`, `7d`, `90m` or a number of hours → hours. */
function parseWindow(value: string, parameter = 'window', { zero = false } = {}): number {
  const match = /^(\d{1,9}(?:\.\d{1,6})?)\s*(m|h|d)?$/.exec(value.trim());
  if (!match || (Number(match[1]) <= 0 && !zero)) throw badParameter(parameter, `'${value.slice(0, 60)}' is not a duration such as 72h, 7d or 90m`);
  const hours = Number(match[1]) * ({ m: 1 / 60, h: 1, d: 24 }[match[2] ?? 'h'] ?? 1);
  if (hours > MAX_WINDOW_HOURS) throw badParameter(parameter, `at most ${MAX_WINDOW_HOURS} hours (a hundred years), not '${value}'`);
  return hours;
}

/** A whole-number parameter within [min, max] (bound as a 32-bit integer in SQL). */
function boundedInteger(parameter: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d{1,10}$/.test(value) || !Number.isInteger(n) || n < min || n > max) {
    throw badParameter(parameter, `must be a whole number from ${min} to ${max.toLocaleString('en')}, not '${value.slice(0, 60)}'`);
  }
  return n;
}

/** roi-compare's cohort dimensions, by the scope list each overrides. */
export const COHORT_DIMENSIONS: Record<string, 'channel' | 'region' | 'skuSeries' | 'customerTier' | 'promotion' | 'warehouse'> = {
  channel: 'channel',
  region: 'region',
  sku_series: 'skuSeries',
  customer_tier: 'customerTier',
  promotion: 'promotion',
  promotion_id: 'promotion',
  warehouse: 'warehouse',
};

export const METRICS: MetricDefinition[] = [
  {
    name: 'cycle-time',
    times: (p) => [p.fromStage as string, p.toStage as string],
    summary: 'Hours between two stages per order: orders, mean, p50, p90, p95, max; negative gaps excluded and counted.',
    query: z
      .object({
        ...scopeQuery,
        interval: intervalQuery,
        groupBy: groupByQuery(),
        fromStage: stageQuery('start', 'placed'),
        toStage: stageQuery('end', 'delivered'),
        stats: z.string().optional().describe(`statistics to compute, comma-separated from ${CYCLE_STATS.join(', ')} (default all; the others are null)`),
      })
      .strict(),
    resolve(q, ctx) {
      const base = bucketed(q, ctx);
      const fromStage = resolveStage('fromStage', q.fromStage ?? 'placed', ctx);
      const toStage = resolveStage('toStage', q.toStage ?? 'delivered', ctx);
      if (fromStage === toStage) throw badParameter('toStage', 'must differ from fromStage');
      const stats = q.stats === undefined ? [...CYCLE_STATS] : splitList(q.stats);
      const unknown = stats.find((s) => !(CYCLE_STATS as readonly string[]).includes(s));
      if (unknown !== undefined || stats.length === 0) throw badParameter('stats', `'${(unknown ?? '').slice(0, 60)}' is not a statistic; statistics are ${CYCLE_STATS.join(', ')}`);
      // p50, p90 and p95 come from one sort: asking for one of them computes the three.
      const wantsQuantile = stats.some((s) => s === 'p50' || s === 'p90' || s === 'p95');
      return {
        tz: base.tz,
        params: { ...base.params, fromStage, toStage, stats: CYCLE_STATS.filter((s) => stats.includes(s)) },
        bindings: {
          ...base.bindings,
          with_mean: boolean(stats.includes('mean')),
          with_quantiles: boolean(wantsQuantile),
          with_median: boolean(stats.includes('p50')),
          with_ninetieth: boolean(stats.includes('p90')),
          with_ninety_fifth: boolean(stats.includes('p95')),
          with_max: boolean(stats.includes('max')),
          from_stage: text(fromStage),
          to_stage: text(toStage),
          // The rollups hold placed → delivered.
          ...durationRollups(base, ctx, fromStage === 'placed' && toStage === 'delivered'),
        },
      };
    },
  },
  {
    name: 'stage-breakdown',
    times: (_p, ctx) => [...ctx.settings.pipeline],
    summary: 'Median and p90 hours of each consecutive pipeline step orders passed, with the bottleneck step.',
    query: z.object({ ...scopeQuery, groupBy: groupByQuery() }).strict(),
    resolve(q, ctx) {
      const base = bucketed(q, ctx);
      delete base.params.interval;
      return {
        tz: base.tz,
        params: { ...base.params, pipeline: ctx.settings.pipeline },
        bindings: { ...base.bindings, pipeline: textList(ctx.settings.pipeline), ...durationRollups(base, ctx) },
      };
    },
  },
  {
    name: 'first-response',
    times: (_p, ctx) => ['created_at', ...ctx.settings.pipeline],
    summary: 'Hours from placement to the first event after it (the first status update).',
    query: z.object({ ...scopeQuery, interval: intervalQuery, groupBy: groupByQuery() }).strict(),
    resolve(q, ctx) {
      const base = bucketed(q, ctx);
      return withBindings(base, durationRollups(base, ctx));
    },
  },
  {
    name: 'stuck-orders',
    times: (_p, ctx) => [...ctx.settings.pipeline],
    usesLatestEvent: true,
    summary: 'Orders not settled in a terminal stage as of a time, by the furthest pipeline stage they reached and how long they have waited in it (<4h, 4-24h, 1-3d, >3d).',
    query: z
      .object({ ...scopeQuery, groupBy: groupByQuery(), asOf: z.string().optional().describe('the moment to look at (default: the latest event in the store)') })
      .strict(),
    resolve(q, ctx) {
      const base = bucketed(q, ctx);
      delete base.params.interval;
      // Under a lock, latestEventMs is the latest event of the lock's own orders (MetricService).
      const asOfMs = asOfOf(q, base.tz, ctx);
      return {
        ...base,
        params: { ...base.params, asOf: isoInZone(asOfMs, base.tz), pipeline: ctx.settings.pipeline, terminalStages: ctx.settings.terminalStages },
        bindings: { ...base.bindings, ...stuckBindings(asOfMs, ctx) },
      };
    },
  },
  {
    name: 'on-time',
    times: () => ['promised_at', 'delivered'],
    usesLatestEvent: true,
    summary: 'Of the orders whose promise had passed as of a time (cancelled ones aside), the share delivered by the promise; the late ones delivered late or still open.',
    query: z
      .object({
        ...scopeQuery,
        interval: intervalQuery,
        groupBy: groupByQuery(),
        asOf: z.string().optional().describe('the moment to judge at (default: the latest event in the store)'),
        basis: z.enum(['promised', 'created']).optional().describe('bucket by the promised date (default) or by the creation date'),
      })
      .strict(),
    resolve(q, ctx) {
      const base = bucketed(q, ctx);
      const asOfMs = asOfOf(q, base.tz, ctx);
      const basis = q.basis ?? 'promised';
      return {
        ...base,
        params: { ...base.params, asOf: isoInZone(asOfMs, base.tz), basis },
        bindings: { ...base.bindings, ...onTimeBindings(asOfMs, ctx), basis: text(basis) },
      };
    },
  },
  {
    name: 'friction-cost',
    summary: 'Friction cost per order (data moves, exceptions, contacts, expedites), by interval and dimension.',
    query: z.object({ ...scopeQuery, currency: currencyQuery, interval: intervalQuery, groupBy: groupByQuery() }).strict(),
    resolve(q, ctx) {
      const base = bucketed(q, ctx);
      const m = money(q, ctx);
      // The rollups hold no currency: a store of one currency alone reads them.
      return { tz: base.tz, params: { ...base.params, ...m.params }, bindings: { ...base.bindings, ...costs(ctx), ...m.bindings, ...durationRollups(base, ctx, !m.filtered) } };
    },
  },
  {
    name: 'friction-pareto',
    summary: 'The largest friction drivers (component × dimension value) with share and cumulative share.',
    query: z
      .object({
        ...scopeQuery,
        currency: currencyQuery,
        groupBy: groupByQuery(['stage']).describe('dimension of the drivers (default sku_series; stage = the stage the order was in)'),
        limit: z.string().regex(/^\d+$/, 'a whole number').optional().describe('at most this many drivers (default 20, at most 500)'),
      })
      .strict(),
    resolve(q, ctx) {
      const base = bucketed(q, ctx, { groupBy: 'sku_series' });
      delete base.params.interval;
      const limit = Number(q.limit ?? 20);
      if (!(limit >= 1 && limit <= 500)) throw badParameter('limit', 'must be from 1 to 500');
      const m = money(q, ctx);
      return {
        ...base,
        params: { ...base.params, limit, ...m.params },
        bindings: { ...base.bindings, ...costs(ctx), ...m.bindings, limit: integer(limit), pipeline: textList(ctx.settings.pipeline) },
      };
    },
  },
  {
    name: 'channel-funnel',
    times: (p) => (p.steps as string[]).map((s) => (s === 'kept' ? 'delivered' : s)),
    usesLatestEvent: true,
    summary: 'Ordered funnel per channel (or dimension): count, in flight, out of order, conversion over decided orders, drop-off, time between steps, worst step.',
    query: z
      .object({
        ...scopeQuery,
        groupBy: groupByQuery().describe('break down by this dimension (default channel)'),
        steps: z.string().optional().describe('comma-separated stages in order (default placed,paid,shipped,delivered,kept)'),
        window: z.string().optional().describe('conversion window from the first step: 72h, 7d, 90m or hours (default none)'),
        order: z.enum(['any', 'strict']).optional().describe('any (default): a step reached before the previous one counts (out_of_order); strict: it does not'),
        asOf: z.string().optional().describe('the moment to look at: later steps are not reached yet, and in flight is judged then (default: the latest event)'),
      })
      .strict(),
    resolve(q, ctx) {
      const base = bucketed(q, ctx, { groupBy: 'channel' });
      delete base.params.interval;
      // A pipeline without the default funnel's stages (view → cart → purchase) is its own default funnel.
      const pipelineHas = DEFAULT_FUNNEL_STEPS.every((s) => s === 'kept' || ctx.settings.pipeline.includes(s) || ctx.settings.terminalStages.includes(s));
      const steps = splitList(q.steps ?? (pipelineHas ? DEFAULT_FUNNEL_STEPS : ctx.settings.pipeline.slice(0, MAX_FUNNEL_STEPS)).join()).map((s) => resolveStage('steps', s, ctx, ['kept']));
      if (steps.length < 2) throw badParameter('steps', 'a funnel needs at least two steps');
      // One column per step (sql/metrics/channel-funnel.sql, t1..t10).
      if (steps.length > MAX_FUNNEL_STEPS) throw badParameter('steps', `a funnel has at most ${MAX_FUNNEL_STEPS} steps, not ${steps.length}`);
      const windowHours = q.window === undefined ? null : parseWindow(q.window);
      const order = q.order ?? 'any';
      const asOfMs = asOfOf(q, base.tz, ctx);
      // As of the latest event (the default), every stage reached and every settlement has happened.
      const precomputed = windowHours === null && order === 'any' && q.asOf === undefined && steps.join() === DEFAULT_FUNNEL_STEPS.join();
      return {
        tz: base.tz,
        params: { ...base.params, steps, windowHours, order, asOf: isoInZone(asOfMs, base.tz) },
        bindings: {
          ...base.bindings,
          steps: textList(steps),
          kept_index: integer(steps.indexOf('kept') + 1),
          window_hours: number(windowHours),
          strict: boolean(order === 'strict'),
          as_of: instant(asOfMs),
          // The default funnel is kept per order at import (DEFAULT_FUNNEL_STEPS), and in the rollups.
          precomputed: boolean(precomputed),
          ...durationRollups(base, ctx, precomputed),
        },
      };
    },
  },
  {
    name: 'roi-compare',
    times: () => ['created_at', 'placed', 'delivered'],
    usesLatestEvent: true,
    summary: 'KPIs of a baseline vs a current range (or cohort vs cohort) with delta and direction-aware improvement %.',
    query: z
      .object({
        ...scopeQuery,
        baselineFrom: z.string().optional().describe('baseline range start (time comparison)'),
        baselineTo: z.string().optional().describe('baseline range end, exclusive (time comparison)'),
        compare: z.string().optional().describe('cohort comparison instead: two dimension:value pairs, baseline first, e.g. channel:douyin,channel:tmall'),
        fromStage: stageQuery('cycle-time start', 'placed'),
        toStage: stageQuery('cycle-time end', 'delivered'),
        asOf: z.string().optional().describe("the moment on_time_rate judges at, as on-time's asOf (default: the latest event in the store)"),
        currency: currencyQuery,
      })
      .strict(),
    resolve(q, ctx) {
      // Compared with a baseline, the current range starts where the baseline ends unless `from` says otherwise.
      const startsAtBaselineEnd = q.compare === undefined && q.from === undefined && q.baselineTo !== undefined;
      // Checked first, so a bad baselineTo is reported as itself.
      if (startsAtBaselineEnd) resolveTime('baselineTo', q.baselineTo, resolveTimeZone(q.tz, ctx));
      const scope = resolveScope(startsAtBaselineEnd ? { ...q, from: q.baselineTo } : q, ctx);
      const fromStage = resolveStage('fromStage', q.fromStage ?? 'placed', ctx);
      const toStage = resolveStage('toStage', q.toStage ?? 'delivered', ctx);
      const lists = {
        channel: scope.params.channel as string[],
        region: scope.params.region as string[],
        skuSeries: scope.params.skuSeries as string[],
        customerTier: scope.params.customerTier as string[],
        promotion: scope.params.promotion as string[],
        warehouse: scope.params.warehouse as string[],
      };
      type Side = { fromMs: number | null; toMs: number | null; lists: typeof lists };
      let sides: [Side, Side];
      let mode: Record<string, unknown>;
      if (q.compare !== undefined) {
        if (q.baselineFrom !== undefined || q.baselineTo !== undefined) throw badParameter('compare', 'use either compare or baselineFrom/baselineTo');
        const cohorts = q.compare.split(',').map((part) => part.trim());
        if (cohorts.length !== 2) throw badParameter('compare', `needs two cohorts such as channel:douyin,channel:tmall, not '${q.compare}'`);
        const [a, b] = cohorts.map((cohort) => {
          const [dimension = '', raw = ''] = cohort.split(':', 2).map((s) => s.trim());
          // Own keys only: '__proto__' or 'constructor' is no dimension.
          const key = Object.hasOwn(COHORT_DIMENSIONS, dimension) ? COHORT_DIMENSIONS[dimension] : undefined;
          if (!key || !raw) throw badParameter('compare', `'${cohort.slice(0, 60)}' is not dimension:value with a dimension of ${Object.keys(COHORT_DIMENSIONS).join(', ')}`);
          const value = key === 'channel' ? raw.toLowerCase() : raw;
          const locked = ctx.lock?.lists[key];
          if (locked && !locked.includes(value)) throw outsideLock('compare', `'${cohort}' is outside this token's filters`);
          if (key === 'channel' && !locked && !ctx.channels.has(value)) throw badParameter('compare', `unknown channel '${raw}'`);
          // A value no order has would compare against an empty side (zeros, nulls) as if it were data.
          if (key !== 'channel' && !ctx.lock && !ctx.dimensionValues[key].has(value)) {
            throw badParameter('compare', `no order has ${dimension} '${raw.slice(0, 60)}'`);
          }
          return { ...lists, [key]: [value] };
        });
        sides = [
          { fromMs: scope.fromMs, toMs: scope.toMs, lists: a! },
          { fromMs: scope.fromMs, toMs: scope.toMs, lists: b! },
        ];
        mode = { compare: cohorts };
      } else {
        if (q.baselineFrom === undefined || q.baselineTo === undefined) {
          throw badParameter('baselineFrom', 'roi-compare needs baselineFrom and baselineTo (or compare=dimension:value,dimension:value)');
        }
        const { fromMs: baselineFromMs, toMs: baselineToMs } = resolveRange('baselineFrom', q.baselineFrom, 'baselineTo', q.baselineTo, scope.tz, ctx);
        const currentFromMs = scope.fromMs;
        if (currentFromMs === null) throw badParameter('from', 'roi-compare needs from (or baselineTo, where the current range then starts)');
        sides = [
          { fromMs: baselineFromMs, toMs: baselineToMs, lists },
          { fromMs: currentFromMs, toMs: scope.toMs, lists },
        ];
        mode = {
          baselineFrom: isoInZone(baselineFromMs!, scope.tz),
          baselineTo: isoInZone(baselineToMs!, scope.tz),
          from: isoInZone(currentFromMs!, scope.tz),
        };
      }
      // The per-day rollups hold placed → delivered, and touches by day in the tenant's zone.
      const days = sides.map((side) =>
        scope.tz === ctx.settings.timeZone && fromStage === 'placed' && toStage === 'delivered' && onlyChannels(side.lists)
          ? rollupDays(side.fromMs, side.toMs, ctx)
          : null,
      );
      const m = money(q, ctx);
      const rollup = !m.filtered && days.every((d) => d !== null);
      // Each side's days, and their whole months, for the per-day and duration rollups (a_…, b_…).
      const [a, b] = sides.map((side, i) => {
        const prefix = i === 0 ? 'a_' : 'b_';
        const { rollup: _, ...daysBindings } = durationRollupBindings(days[i] ?? null);
        return {
          ...scopeBindings(prefix, side.fromMs, side.toMs, side.lists),
          ...Object.fromEntries(Object.entries(daysBindings).map(([name, binding]) => [prefix + name, binding])),
        };
      });
      const asOfMs = asOfOf(q, scope.tz, ctx);
      return {
        tz: scope.tz,
        params: { ...scope.params, ...mode, fromStage, toStage, asOf: isoInZone(asOfMs, scope.tz), ...m.params },
        bindings: {
          tz: text(scope.tz), ...a, ...b, ...m.bindings, rollup: boolean(rollup), from_stage: text(fromStage), to_stage: text(toStage),
          ...costs(ctx), ...onTimeBindings(asOfMs, ctx),
        },
      };
    },
  },
  {
    name: 'promotion-roi',
    summary: 'Per promotion overlapping the range: the orders of its own period and channel, net revenue, refund and cancellation rates, spend, ROAS and ROI.',
    query: z.object({ ...scopeQuery, currency: currencyQuery }).strict(),
    resolve(q, ctx) {
      // The lock's refusals (403) first.
      const scope = resolveScope(q, ctx);
      // Spend belongs to a promotion, not to a region, SKU series or customer tier: charged in full
      // against the revenue of a slice, every promotion looked like a loss.
      for (const [name, what] of [['region', 'region'], ['skuSeries', 'SKU series'], ['customerTier', 'customer tier'], ['warehouse', 'warehouse']] as const) {
        if (q[name] !== undefined || ctx.lock?.lists[name]) {
          throw badParameter(name, `a promotion's spend is not split by ${what}, so its ROI cannot be read for one; filter promotion-roi by channel or promotion only`);
        }
      }
      const m = money(q, ctx);
      return {
        tz: scope.tz,
        params: { ...scope.params, marginRate: ctx.settings.marginRate, ...m.params },
        bindings: {
          ...scope.bindings,
          ...m.bindings,
          margin_rate: number(ctx.settings.marginRate),
          ...lockRangeBindings(ctx),
        },
      };
    },
  },
  {
    name: 'throughput',
    summary: 'Orders touched per actor per active day, by when the work happened.',
    query: z.object({ ...scopeQuery, interval: intervalQuery, groupBy: groupByQuery(['actor']) }).strict(),
    resolve(q, ctx) {
      const base = bucketed(q, ctx);
      // The range is the work's: touches in it, of orders created whenever (within a locked range).
      const lockRange = ctx.lock !== undefined && (ctx.lock.fromMs !== null || ctx.lock.toMs !== null);
      const days = base.tz === ctx.settings.timeZone ? rollupDays(base.scope.fromMs, base.scope.toMs, ctx) : null;
      // Touch days are the tenant's, and the touch counts know the actor: a breakdown by actor is one too.
      const rollup = days !== null && !lockRange && rollupAnswers(base.scope, base.groupBy === 'actor' ? null : base.groupBy);
      return withBindings(base, {
        rollup: boolean(rollup),
        touch_days: boolean(days !== null),
        from_day: dayBound(days?.from ?? null, '-infinity'),
        to_day: dayBound(days?.to ?? null, 'infinity'),
        ...lockRangeBindings(ctx),
      });
    },
  },
  {
    name: 'surge-alerts',
    times: () => ['created_at'],
    summary: "Hours where a channel's orders reach 4× (+300 %) its trailing 24-hour hourly average.",
    query: z
      .object({
        ...scopeQuery,
        factor: z.string().optional().describe('alert at this multiple of the trailing average (default 4 = +300 %)'),
        minOrders: z.string().optional().describe('ignore hours with fewer orders (default 10)'),
        hours: z.enum(['surges', 'all']).optional().describe("`surges` (default): the surge hours; `all`: also every other hour with orders of each channel that surged (surge false), to draw the surges against"),
      })
      .strict(),
    resolve(q, ctx) {
      const scope = resolveScope(q, ctx);
      const factor = Number(q.factor ?? 4);
      if (!Number.isFinite(factor) || factor <= 1 || factor > 1e6) throw badParameter('factor', `must be a number above 1 and at most 1,000,000, not '${q.factor?.slice(0, 60)}'`);
      const minOrders = boundedInteger('minOrders', q.minOrders, 10, 1, 1_000_000_000);
      if (precisionOf(['created_at'], ctx) === 'day') {
        throw new ApiError(
          400,
          'dates_only',
          'surge-alerts counts orders per hour, and the order times of this data (created_at) carry dates only: there is no hour to count them in',
          { field: 'created_at' },
        );
      }
      // The 24 hours before the range feed its first hours' baselines; a lock's range still bounds them.
      const historyFromMs = scope.fromMs === null ? null : Math.max(scope.fromMs - 24 * HOUR_MS, ctx.lock?.fromMs ?? -Infinity);
      // The hourly rollup holds UTC hours: it answers a range of whole hours, whatever the display zone.
      const wholeHours = [historyFromMs, scope.toMs].every((ms) => ms === null || ms % HOUR_MS === 0);
      const rollup = wholeHours && rollupAnswers(scope, null);
      return {
        tz: scope.tz,
        params: { ...scope.params, factor, minOrders, hours: q.hours ?? 'surges' },
        bindings: { ...scope.bindings, factor: number(factor), min_orders: integer(minOrders), history_from_ts: instant(historyFromMs), rollup: boolean(rollup), all_hours: boolean(q.hours === 'all') },
      };
    },
  },
  {
    name: 'sla',
    times: (p) => [...new Set(((p.targets as { from: string; to: string }[] | undefined) ?? []).flatMap((t) => [t.from, t.to]))],
    usesLatestEvent: true,
    summary: 'Service levels (settings slaTargets): per step target, channel and period, orders due, met, breached, breach rate and lateness; open orders due today, at risk and breached as of a time.',
    query: z
      .object({
        ...scopeQuery,
        interval: intervalQuery,
        asOf: z.string().optional().describe('the moment to judge at (default: the latest event in the store)'),
        threshold: z.string().regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'a probability from 0 to 1').optional().describe('at risk from this probability of missing the target (default 0.5)'),
      })
      .strict(),
    resolve(q, ctx) {
      const base = bucketed(q, ctx);
      delete base.params.groupBy;
      const asOfMs = asOfOf(q, base.tz, ctx);
      const targets = ctx.settings.slaTargets;
      if (targets.length === 0) throw new ApiError(400, 'no_sla_targets', 'no service level is set: add slaTargets to the settings (PUT /api/settings), e.g. [{"from": "paid", "to": "shipped", "hours": 48}]');
      const threshold = Number(q.threshold ?? 0.5);
      // The rollups hold the pairs decided by their watermark, judged against the targets they
      // name, by whole local days and channel; the history they keep is the tenant's whole.
      const kept = ctx.slaRollups;
      const current = kept !== null && kept.targets === slaTargetsKey(targets) && (kept.watermarkUs === null || asOfMs * 1000 >= kept.watermarkUs);
      const lockRange = ctx.lock !== undefined && (ctx.lock.fromMs !== null || ctx.lock.toMs !== null);
      return {
        tz: base.tz,
        params: { ...base.params, asOf: isoInZone(asOfMs, base.tz), threshold, targets },
        bindings: {
          ...base.bindings,
          ...slaHistoryBindings(ctx),
          // Every target's stages with a time column: no stage list is read (op_sla_judged's `lists`).
          stage_lists: boolean(!allStageColumns(targets.flatMap((t) => [t.from, t.to]))),
          // $rollup, $from_day and $to_day: whole days, channels, the periods in the tenant's zone.
          ...durationRollups(base, ctx, current && !lockRange),
          as_of: instant(asOfMs),
          t_from: textList(targets.map((t) => t.from)),
          t_to: textList(targets.map((t) => t.to)),
          t_hours: { value: listValue(targets.map((t) => t.hours)), type: LIST(DOUBLE) },
          t_channel: textList(targets.map((t) => t.channel ?? '')),
          threshold: number(threshold),
          min_history: integer(SLA_MIN_HISTORY),
        },
      };
    },
  },
  {
    name: 'order-forecast',
    times: (p) => [...((p.stages as string[] | undefined) ?? []), 'shipped', 'delivered'],
    usesLatestEvent: true,
    summary: "From a stage to shipped and to delivered, per stage, channel and region: p50 and p90 hours of the tenant's recent history (what shipped or was delivered in the `history` before asOf), among orders that took at least `waited` (an open order's time at the stage so far).",
    query: z
      .object({
        ...scopeQuery,
        stage: z.string().optional().describe('comma-separated stages to forecast from (default placed)'),
        waited: z.string().optional().describe('only history that took at least this long from the stage, e.g. 25h or 2d (default 0): the time an open order has already waited'),
        history: z.string().optional().describe("how far back the history reaches: the orders shipped (delivered) within this long before asOf, e.g. 90d, or all (default: settings forecastHistoryDays, 90)"),
        asOf: z.string().optional().describe('the moment the history ends at (default: the latest event in the store)'),
      })
      .strict(),
    resolve(q, ctx) {
      const scope = resolveScope(q, ctx);
      const stages = splitList(q.stage ?? 'placed').map((s) => resolveStage('stage', s, ctx, ['placed']));
      if (stages.length === 0) throw badParameter('stage', 'names no stage');
      const waitedHours = q.waited === undefined ? 0 : parseWindow(q.waited, 'waited', { zero: true });
      const asOfMs = asOfOf(q, scope.tz, ctx);
      return {
        tz: scope.tz,
        params: { ...scope.params, stages, waitedHours, asOf: isoInZone(asOfMs, scope.tz), minOrders: FORECAST_MIN_ORDERS, history: q.history ?? null },
        bindings: {
          ...scope.bindings,
          stages: textList(stages),
          // Whole microseconds, as the durations are compared: 7m is 420,000,000 µs, not 7/60 h × 3.6e9.
          waited_us: number(Math.round(waitedHours * 3_600_000_000)),
          as_of: instant(asOfMs),
          history_from: forecastHistoryFrom(asOfMs, q.history === undefined ? tenantHistoryHours(ctx) : q.history === 'all' ? null : parseWindow(q.history, 'history')),
          min_orders: integer(FORECAST_MIN_ORDERS),
          stage_columns: boolean(allStageColumns(stages)),
        },
      };
    },
  },
  {
    name: 'freshness',
    summary: "Per source and channel: the last import, its newest order's age, and merge latency (first seen in the store − placed) median and p95 per period.",
    query: z.object({ ...scopeQuery, interval: intervalQuery, asOf: z.string().optional().describe('the moment ages are read at (default: now)') }).strict(),
    resolve(q, ctx) {
      const base = bucketed(q, ctx);
      delete base.params.groupBy;
      // Freshness is about the clock, not the data's own latest event: an export that stopped is stale
      // now. The end of the current minute, so a dashboard polling it reads one cached answer a minute
      // rather than filling the result cache with one entry per request (its start left out an import
      // made within the minute: a browser test saw no source right after one).
      const asOfMs = resolveTime('asOf', q.asOf, base.tz) ?? Math.ceil(Date.now() / 60_000) * 60_000;
      const intervals = Object.entries(ctx.settings.sourceIntervalHours);
      // The rollups hold every arrival: an asOf before the latest import needs the facts. The
      // periods are days of the tenant's zone (durationRollups), the newest order from the facts.
      const arrived = ctx.importedAt.all === null || asOfMs >= ctx.importedAt.all;
    return {
      tz: base.tz,
      params: { ...base.params, asOf: isoInZone(asOfMs, base.tz) },
      bindings: {
        ...base.bindings,
        ...durationRollups(base, ctx, arrived),
        as_of: instant(asOfMs),
        interval_sources: textList(intervals.map(([source]) => source)),
        interval_hours: { value: listValue(intervals.map(([, hours]) => hours)), type: LIST(DOUBLE) },
        default_interval_hours: number(DEFAULT_SOURCE_INTERVAL_HOURS),
      },
    };
    },
  },
];

export const METRIC_NAMES = METRICS.map((m) => m.name);
export { DIMENSIONS };
