import type { ChannelNames } from '../../widgets/internal/envelope.js';
import { createHash } from 'node:crypto';
import { DOUBLE, INTEGER, LIST, listValue } from '@duckdb/node-api';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { readSql } from '../db/sql-files.js';
import { ApiError } from '../errors.js';
import { FORECAST_MIN_ORDERS, METRICS, SLA_MIN_HISTORY, asOfOf, costs, forecastHistoryFrom, slaHistoryBindings, stuckBindings, tenantHistoryHours } from '../metrics/catalog.js';
import { bindingsFor, boolean, integer, number, text, textList, type Bindings } from '../metrics/bindings.js';
import { badParameter, contextBindings, dataUpdatedAt, visibleChannelNames, resolveCurrency, resolveScope, scopeQuery, splitList, type MetricContext } from '../metrics/scope.js';
import { narrowList } from '../security/locked-filters.js';
import { specialize } from '../metrics/sql-metric.js';
import { isoInZone } from '../metrics/zoned-time.js';
import { allStageColumns } from '../metrics/stage-columns.js';
import { ORDER_ROW_FIELDS, type OrderRowField } from './fields.js';

const LIST_SQL = readSql('orders/list.sql');
/**
 * The list's statement for its flags, without comments (specialize), built once each: $page_first
 * (the page picked from the facts alone), $newest_first (the default first page, sorted on the
 * column), $funnel_filter and $sla_filter (a funnel step's or a service level's orders: without
 * them, the count reads no order key), $sla_open_state (a count of open orders, from the open
 * pairs alone), $stage_only (a stage's orders under no filter of the list's own: from op_stuck's
 * rows alone), $stage_columns (every stage an order waits in has its time column: forecasts read
 * no stage list), $sla_only (a service level's newest orders under no filter of the list's own:
 * paged and counted from its own rows).
 */
const LIST_STATEMENTS = new Map<string, string>();
function listStatement(flags: {
  page_first: boolean;
  newest_first: boolean;
  funnel_filter: boolean;
  sla_filter: boolean;
  sla_open_state: boolean;
  stage_only: boolean;
  stage_columns: boolean;
  sla_only: boolean;
}): string {
  const key = JSON.stringify(flags);
  let sql = LIST_STATEMENTS.get(key);
  if (sql === undefined) {
    sql = specialize(LIST_SQL, Object.fromEntries(Object.entries(flags).map(([name, value]) => [name, boolean(value)]))).replace(/--[^\n]*/g, '');
    LIST_STATEMENTS.set(key, sql);
  }
  return sql;
}
const EVENTS_SQL = readSql('orders/events.sql').replace(/--[^\n]*/g, '');

/** Stuck-orders' age buckets by label, as op_stuck numbers them (`<1d` when stages carry dates only). */
const AGE_BUCKETS: Record<string, number> = { '<4h': 1, '4-24h': 2, '<1d': 2, '1-3d': 3, '>3d': 4 };
/** The sla metric's counts an order list can hold the orders of (op_sla_judged's and op_sla_open's flags). */
const SLA_STATES = ['breached', 'met', 'due', 'open', 'due_today', 'at_risk', 'open_breached'] as const;
/** Those of orders still open: listed from the open pairs alone (op_sla_open). */
const OPEN_SLA_STATES: ReadonlySet<string> = new Set(['open', 'due_today', 'at_risk', 'open_breached']);
const SORT_FIELDS = ['created_at', 'promised_at', 'age', 'amount', 'friction_cost'] as const;

/** Most rows a page may ask for; `limit` defaults to 50. */
export const MAX_PAGE_SIZE = 500;

export const orderListQuery = z
  .object({
    ...scopeQuery,
    stage: z.string().optional().describe("only orders waiting in this stage as of asOf, by stuck-orders' rule"),
    ageBucket: z.string().optional().describe("with stage: only those of this stuck-orders age bucket (<4h, 4-24h, <1d, 1-3d, >3d)"),
    asOf: z.string().optional().describe('the moment stages and ages are read at (default: the latest event in the store)'),
    component: z
      .enum(['contact', 'data_move', 'exception', 'expedite'])
      .optional()
      .describe("only orders with friction of this component (a friction-pareto driver's orders, with its dimension's value as a filter)"),
    currency: z.string().optional().describe('only orders in this currency (e.g. CNY)'),
    customer: z.string().optional().describe('comma-separated customer ids: only their orders'),
    forecast: z.enum(['true', 'false']).optional().describe("true: each open order's expected ship and delivery windows (p50-p90 of the tenant's history)"),
    step: z.string().optional().describe("only orders of this channel-funnel step (with steps, window, order as the funnel's), by outcome"),
    outcome: z
      .enum(['converted', 'dropped', 'in_flight'])
      .optional()
      .describe("with step: converted (reached it: the step's orders, default), dropped (its drop_off) or in_flight (its in_flight)"),
    steps: z.string().optional().describe("with step: the funnel's steps (channel-funnel's steps)"),
    window: z.string().optional().describe("with step: the funnel's window (channel-funnel's window)"),
    order: z.enum(['any', 'strict']).optional().describe("with step: the funnel's order (channel-funnel's order)"),
    sla: z.string().optional().describe("only orders under this service-level target (sla's target, e.g. paid→shipped or paid->shipped), by slaState"),
    slaState: z
      .enum(SLA_STATES)
      .optional()
      .describe("with sla: breached (default), met, due, open, due_today, at_risk or open_breached: the orders behind the sla metric's count of that name"),
    threshold: z.string().optional().describe("with sla: at risk from this probability (sla's threshold)"),
    sort: z.string().optional().describe(`sort by ${SORT_FIELDS.join(', ')}; a leading - sorts descending (default -created_at)`),
    limit: z.string().optional().describe(`rows per page, 1 to ${MAX_PAGE_SIZE} (default 50)`),
    cursor: z.string().optional().describe("the previous page's nextCursor"),
  })
  .strict();
export type OrderListQuery = z.infer<typeof orderListQuery>;

export interface OrderPage {
  params: Record<string, unknown>;
  /** Orders in the whole selection, every page together. */
  total: number;
  orders: Record<string, unknown>[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
  meta: { dataVersion: number; elapsedMs: number; dataUpdatedAt: string | null; channelNames?: ChannelNames };
}

interface Cursor {
  /** What the cursor's list was: a cursor from another selection is refused. */
  scope: string;
  value: number;
  key: string;
}

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(value: string, scope: string): Cursor {
  let cursor: Partial<Cursor>;
  try {
    cursor = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    throw badParameter('cursor', 'not a cursor this service gave');
  }
  if (typeof cursor.value !== 'number' || typeof cursor.key !== 'string' || typeof cursor.scope !== 'string') {
    throw badParameter('cursor', 'not a cursor this service gave');
  }
  if (cursor.scope !== scope) throw badParameter('cursor', 'it belongs to another selection (other filters or sort); start again without it');
  return cursor as Cursor;
}

function pageSize(limit: string | undefined): number {
  if (limit === undefined) return 50;
  const n = Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) throw badParameter('limit', `must be a whole number from 1 to ${MAX_PAGE_SIZE}, not '${limit.slice(0, 20)}'`);
  return n;
}

function sortOf(sort: string | undefined): { field: (typeof SORT_FIELDS)[number]; descending: boolean } {
  const value = sort ?? '-created_at';
  const descending = value.startsWith('-');
  const field = (descending ? value.slice(1) : value) as (typeof SORT_FIELDS)[number];
  if (!SORT_FIELDS.includes(field)) throw badParameter('sort', `'${value.slice(0, 40)}' is not a sort; sorts are ${SORT_FIELDS.join(', ')}, each with a leading - to sort descending`);
  return { field, descending };
}

/** The stage and age bucket a list narrows to (stuck-orders' stages and buckets). */
function stuckFilter(q: OrderListQuery, ctx: MetricContext, wholeDays: boolean): { stage: string | null; ageIndex: number | null } {
  if (q.ageBucket !== undefined && q.stage === undefined) throw badParameter('ageBucket', 'needs stage: an age is how long an order has waited in a stage');
  if (q.stage === undefined) return { stage: null, ageIndex: null };
  const stages = [...new Set(['placed', ...ctx.settings.pipeline])];
  if (!stages.includes(q.stage)) throw badParameter('stage', `'${q.stage.slice(0, 40)}' is not a stage an order waits in; stages are ${stages.join(', ')}`);
  if (q.ageBucket === undefined) return { stage: q.stage, ageIndex: null };
  const buckets = wholeDays ? ['<1d', '1-3d', '>3d'] : ['<4h', '4-24h', '1-3d', '>3d'];
  if (!buckets.includes(q.ageBucket)) throw badParameter('ageBucket', `'${q.ageBucket.slice(0, 20)}' is not an age bucket here; buckets are ${buckets.join(', ')}`);
  return { stage: q.stage, ageIndex: AGE_BUCKETS[q.ageBucket]! };
}

/** The funnel step a list narrows to: channel-funnel's own resolution of the same parameters, and the step's position. */
function funnelFilter(q: OrderListQuery, ctx: MetricContext): { params: Record<string, unknown>; bindings: Bindings } {
  if (q.step === undefined) {
    const stray = (['outcome', 'steps', 'window', 'order'] as const).find((name) => q[name] !== undefined);
    if (stray) throw badParameter(stray, 'needs step: it says which funnel step to list');
    const none = { steps: textList([]), kept_index: integer(0), precomputed: boolean(false), window_hours: number(null), strict: boolean(false) };
    return { params: {}, bindings: { ...none, funnel_step: { ...integer(0), value: null }, funnel_outcome: text(null) } };
  }
  const funnel = METRICS.find((m) => m.name === 'channel-funnel')!;
  // The funnel's own parameters of the request (its scope, steps, window, order, asOf), as the metric reads them.
  const asked = Object.fromEntries(Object.keys(funnel.query.shape).map((key) => [key, (q as Record<string, string | undefined>)[key]]));
  const resolved = funnel.resolve(asked, ctx);
  const steps = resolved.params.steps as string[];
  const k = steps.indexOf(q.step) + 1;
  if (k === 0) throw badParameter('step', `'${q.step.slice(0, 40)}' is not a step of this funnel; its steps are ${steps.join(', ')}`);
  const outcome = q.outcome ?? 'converted';
  if (k === 1 && outcome !== 'converted') throw badParameter('outcome', `the first step (${steps[0]}) loses no one: every order in the funnel entered there`);
  const b = resolved.bindings;
  return {
    params: { step: q.step, outcome, steps, windowHours: resolved.params.windowHours, order: resolved.params.order },
    bindings: { steps: b.steps!, kept_index: b.kept_index!, precomputed: b.precomputed!, window_hours: b.window_hours!, strict: b.strict!, funnel_step: integer(k), funnel_outcome: text(outcome) },
  };
}

/** The service-level target and state a list narrows to: the sla metric's own resolution of the same parameters. */
function slaFilter(q: OrderListQuery, ctx: MetricContext): { params: Record<string, unknown>; bindings: Bindings } {
  if (q.sla === undefined) {
    const stray = (['slaState', 'threshold'] as const).find((name) => q[name] !== undefined);
    if (stray) throw badParameter(stray, 'needs sla: it says which service-level target to list');
    const none = { t_from: textList([]), t_to: textList([]), t_hours: { value: listValue([]), type: LIST(DOUBLE) }, t_channel: textList([]), threshold: number(0) };
    return {
      params: {},
      bindings: { ...none, ...slaHistoryBindings(ctx), min_history: integer(SLA_MIN_HISTORY), sla_targets: { value: listValue([]), type: LIST(INTEGER) }, sla_state: text(null),
        sla_open_state: boolean(false), sla_rollup: boolean(false), stage_lists: boolean(true) },
    };
  }
  const metric = METRICS.find((m) => m.name === 'sla')!;
  const asked = Object.fromEntries(Object.keys(metric.query.shape).map((key) => [key, (q as Record<string, string | undefined>)[key]]));
  const resolved = metric.resolve(asked, ctx);
  const targets = resolved.params.targets as { from: string; to: string }[];
  const [from, to] = q.sla.split(/→|->/);
  // Channels' own targets for the step are the same target (each order falls under one of them).
  const chosen = targets.flatMap((t, i) => (t.from === from && t.to === to ? [i + 1] : []));
  if (chosen.length === 0) {
    const names = [...new Set(targets.map((t) => `${t.from}→${t.to}`))];
    throw badParameter('sla', `'${q.sla.slice(0, 60)}' is not a service-level target here; targets are ${names.join(', ')}`);
  }
  const state = q.slaState ?? 'breached';
  const b = resolved.bindings;
  return {
    params: { sla: `${from}→${to}`, slaState: state, threshold: resolved.params.threshold },
    bindings: { t_from: b.t_from!, t_to: b.t_to!, t_hours: b.t_hours!, t_channel: b.t_channel!, threshold: b.threshold!, min_history: b.min_history!,
      h_from_ts: b.h_from_ts!, h_to_ts: b.h_to_ts!,
      sla_targets: { value: listValue(chosen), type: LIST(INTEGER) }, sla_state: text(state),
      sla_open_state: boolean(OPEN_SLA_STATES.has(state)), sla_rollup: b.rollup!, stage_lists: b.stage_lists! },
  };
}


/** A row as the caller may see it: times in `tz`, only `fields` (the forecast only when asked for). */
function shape(row: Record<string, unknown>, tz: string, fields: ReadonlySet<OrderRowField>, forecast: boolean): Record<string, unknown> {
  const iso = (ms: unknown) => (typeof ms === 'number' ? isoInZone(ms, tz) : null);
  const window = (pair: unknown) => (Array.isArray(pair) ? { p50: iso(pair[0]), p90: iso(pair[1]) } : null);
  const full: Record<string, unknown> = {
    ...row,
    created_at: iso(row.created_at),
    promised_at: iso(row.promised_at),
    stage_since: iso(row.stage_since),
    settled_at: iso(row.settled_at),
    stages: (row.stages as { stage: string; at: number | null }[]).map((s) => ({ stage: s.stage, at: iso(s.at) })),
    expected_ship: window(row.expected_ship),
    expected_delivery: window(row.expected_delivery),
  };
  const shown = (f: OrderRowField) => fields.has(f) && f in full && (forecast || (f !== 'expected_ship' && f !== 'expected_delivery'));
  return Object.fromEntries(ORDER_ROW_FIELDS.filter(shown).map((f) => [f, full[f]]));
}

/** Lists orders (GET /api/orders): the scope and stuck filter of `q`, one page. */
export async function listOrders(
  db: Database,
  tenant: string,
  q: OrderListQuery,
  ctx: MetricContext,
  fields: ReadonlySet<OrderRowField>,
  options: { timeoutMs?: number; only?: { channel: string; orderId: string } } = {},
): Promise<OrderPage & { orderKeys: string[] }> {
  const started = performance.now();
  const scope = resolveScope(q, ctx);
  const asOfMs = asOfOf(q, scope.tz, ctx);
  const stuck = stuckBindings(asOfMs, ctx);
  const funnel = funnelFilter(q, ctx);
  const sla = slaFilter(q, ctx);
  const { stage, ageIndex } = stuckFilter(q, ctx, stuck.whole_days!.value === true);
  const size = pageSize(q.limit);
  const customers = narrowList('customer', 'customer', splitList(q.customer), ctx.lock);
  // A list adds no amounts: orders of several currencies are listed unless one is asked for.
  const currency = q.currency === undefined ? null : resolveCurrency(q.currency, ctx).currency;
  const sort = sortOf(q.sort);
  const params = { ...scope.params, stage, ageBucket: q.ageBucket ?? null, component: q.component ?? null, currency, customer: customers, forecast: q.forecast === 'true',
    // The tenant's stages in order, for a tracker to draw an order's progress (settings, no order's data).
    pipeline: ctx.settings.pipeline,
    terminalStages: ctx.settings.terminalStages, ...funnel.params, ...sla.params, asOf: isoInZone(asOfMs, scope.tz), sort: `${sort.descending ? '-' : ''}${sort.field}`, limit: size };
  // Not the data version: a cursor goes on after an import, from where the list was.
  const scopeKey = createHash('sha1').update(JSON.stringify({ ...params, limit: undefined, pipeline: undefined, terminalStages: undefined })).digest('base64url').slice(0, 16);
  const after = q.cursor === undefined ? null : decodeCursor(q.cursor, scopeKey);
  const bindings: Bindings = {
    ...scope.bindings,
    ...contextBindings(tenant, ctx),
    ...stuck,
    ...costs(ctx),
    ...funnel.bindings,
    ...sla.bindings,
    stage: text(stage),
    age_index: { ...integer(0), value: ageIndex },
    order_channel: text(options.only?.channel ?? null),
    order_id: text(options.only?.orderId ?? null),
    component: text(q.component ?? null),
    customers: textList(customers),
    forecast: boolean(q.forecast === 'true'),
    forecast_min: integer(FORECAST_MIN_ORDERS),
    history_from: forecastHistoryFrom(asOfMs, tenantHistoryHours(ctx)),
    currencies: textList(currency ? [currency] : []),
    sort_field: text(sort.field),
    descending: boolean(sort.descending),
    after_value: number(after?.value ?? null),
    after_key: text(after?.key ?? null),
    page_size: integer(size),
  };
  const pageFirst = stage === null && sort.field !== 'age';
  const newestFirst = pageFirst && sort.field === 'created_at' && sort.descending && !after;
  const byFunnel = Object.keys(funnel.params).length > 0;
  const bySla = Object.keys(sla.params).length > 0;
  // No filter of the list's own beyond the scope that op_stuck and the sla macros apply themselves.
  const noListFilter = q.component === undefined && customers.length === 0 && currency === null && !options.only;
  const sql = listStatement({
    page_first: pageFirst,
    newest_first: newestFirst,
    funnel_filter: byFunnel,
    sla_filter: bySla,
    sla_open_state: sla.bindings.sla_open_state!.value === true,
    stage_only: stage !== null && noListFilter && !byFunnel && !bySla,
    stage_columns: allStageColumns(['placed', ...ctx.settings.pipeline]),
    sla_only: newestFirst && noListFilter && bySla && !byFunnel,
  });
  const { values, types } = bindingsFor(sql, bindings);
  const result = await db.query(sql, values, types, options.timeoutMs, tenant);
  const total = (result[0]?.total as number | undefined) ?? 0;
  const rows = result.filter((r) => r.order_key !== null).slice(0, size);
  const last = result.length > size ? rows.at(-1) : undefined;
  return {
    params,
    total,
    orders: rows.map((r) => shape(r, scope.tz, fields, q.forecast === 'true')),
    orderKeys: rows.map((r) => r.order_key as string),
    nextCursor: last ? encodeCursor({ scope: scopeKey, value: last.sort_value as number, key: last.order_key as string }) : null,
    meta: { dataVersion: db.dataVersion, elapsedMs: Math.round((performance.now() - started) * 10) / 10, dataUpdatedAt: dataUpdatedAt(scope.params.channel as string[], ctx), ...visibleChannelNames(ctx) },
  };

}

/** One order's events, oldest first, times in `tz`. */
export async function orderEvents(db: Database, tenant: string, orderKey: string, tz: string, timeoutMs?: number): Promise<Record<string, unknown>[]> {
  const { values, types } = bindingsFor(EVENTS_SQL, { tenant: text(tenant), order_key: text(orderKey) });
  const rows = await db.query(EVENTS_SQL, values, types, timeoutMs, tenant);
  return rows.map((r) => ({ ...r, at: typeof r.at === 'number' ? isoInZone(r.at, tz) : null }));
}

export function orderNotFound(channel: string, id: string): ApiError {
  return new ApiError(404, 'order_not_found', `no order '${id.slice(0, 80)}' of channel '${channel.slice(0, 40)}' here`, {});
}
