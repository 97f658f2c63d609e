import type { ChannelNames } from '../../widgets/internal/envelope.js';
import type { Database } from '../db/database.js';
import { readSql } from '../db/sql-files.js';
import { bindingsFor } from './bindings.js';
import { precisionOf } from './catalog.js';
import { contextBindings, resolveScope, visibleChannelNames, type MetricContext } from './scope.js';
import { isoInZone, monthStart } from './zoned-time.js';

const SQL = readSql('extent.sql');

/** GET /api/extent's answer: what the data holds, so a dashboard fits it (README, "Extent"). */
export interface Extent {
  orders: number;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  latestEventAt: string | null;
  /** The last 12 whole months of the data (all of it when shorter), as local days [from, to). */
  defaultRange: { from: string; to: string } | null;
  timeZone: string;
  channels: { code: string; orders: number }[];
  /** The tenant's display names of those channels (settings channelNames), when it set any. */
  channelNames?: ChannelNames;
  currencies: { code: string; orders: number }[];
  /** Stages orders reached: the pipeline's in its order, then the others; `precision` `day` when some source gives them dates only. */
  stages: { stage: string; orders: number; inPipeline: boolean; terminal: boolean; precision: 'day' | 'time' }[];
  precision: { created_at: 'day' | 'time'; promised_at: 'day' | 'time' };
  /** Events of each kind on the orders (stage events aside): friction, and work by actors. */
  events: { data_move: number; exception: number; contact: number; expedite: number; touched_orders: number };
}

/** The day after local day `day`. */
function nextDay(day: string): string {
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

/**
 * The last 12 whole months up to the month of the last order (its month included: the data ends
 * there), or from the first order's day when the data is shorter.
 */
export function defaultRange(firstDay: string, lastDay: string): { from: string; to: string } {
  const to = monthStart(lastDay, 1);
  const twelveBack = monthStart(lastDay, -11);
  return twelveBack <= firstDay ? { from: firstDay, to: nextDay(lastDay) } : { from: twelveBack, to };
}

export async function extentOf(db: Database, tenant: string, ctx: MetricContext, timeoutMs?: number): Promise<Extent> {
  // The scope of no parameters: everything, or what a token's lock lets it see.
  const scope = resolveScope({}, ctx);
  const { values, types } = bindingsFor(SQL, { ...scope.bindings, ...contextBindings(tenant, ctx) });
  const [row] = await db.query(SQL, values, types, timeoutMs, tenant);
  const r = row as Record<string, unknown>;
  const tz = ctx.settings.timeZone;
  const iso = (ms: unknown) => (typeof ms === 'number' ? isoInZone(ms, tz) : null);
  const first = iso(r.first_order_ms);
  const last = iso(r.last_order_ms);
  const counted = new Map(((r.stages as { key: number; orders: number }[] | null) ?? []).map((s) => [ctx.stageNames[s.key - 1]!, s.orders]));
  const { pipeline, terminalStages } = ctx.settings;
  const order = [...pipeline, ...terminalStages.filter((s) => !pipeline.includes(s)), ...[...counted.keys()].filter((s) => !pipeline.includes(s) && !terminalStages.includes(s)).sort()];
  return {
    orders: r.orders as number,
    firstOrderAt: first,
    lastOrderAt: last,
    latestEventAt: iso(r.latest_event_ms),
    defaultRange: first && last ? defaultRange(first.slice(0, 10), last.slice(0, 10)) : null,
    timeZone: tz,
    channels: (r.channels as Extent['channels'] | null) ?? [],
    ...visibleChannelNames(ctx),
    currencies: (r.currencies as Extent['currencies'] | null) ?? [],
    stages: order
      .filter((stage) => counted.has(stage))
      .map((stage) => ({
        stage,
        orders: counted.get(stage)!,
        inPipeline: pipeline.includes(stage),
        terminal: terminalStages.includes(stage),
        precision: precisionOf([stage], ctx),
      })),
    precision: { created_at: precisionOf(['created_at'], ctx), promised_at: precisionOf(['promised_at'], ctx) },
    events: {
      data_move: (r.data_moves as number | null) ?? 0,
      exception: (r.exceptions as number | null) ?? 0,
      contact: (r.contacts as number | null) ?? 0,
      expedite: (r.expedites as number | null) ?? 0,
      touched_orders: r.touched_orders as number,
    },
  };
}
