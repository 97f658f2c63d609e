import type { Database } from '../server/db/database.js';

/**
 * The "hand-written" alternative: orders and events loaded once into
 * JavaScript arrays (not timed), then each metric computed by plain loops
 * over them per request, the way a service without an analytical engine
 * would. Demo data is in Asia/Shanghai, which has no daylight saving time,
 * so a month is found with a fixed +08:00 offset.
 */
export interface LoadedRows {
  orders: number;
  channel: string[];
  created: Float64Array;
  promised: Float64Array;
  /** Per event: its order's index, time, type and stage codes, minutes, cost. */
  eventOrder: Int32Array;
  eventAt: Float64Array;
  eventType: string[];
  eventStage: (string | null)[];
  eventMinutes: Float64Array;
  eventCost: Float64Array;
}

export async function loadRows(db: Database): Promise<LoadedRows> {
  const orders = await db.withReader(async (c) =>
    (
      await c.runAndReadAll(
        `SELECT channel, epoch_us(created_at) / 1000.0 AS created, coalesce(epoch_us(promised_at) / 1000.0, 'NaN'::DOUBLE) AS promised
         FROM orders ORDER BY channel, order_id`,
      )
    ).getColumnsObjectJson(),
  );
  const events = await db.withReader(async (c) =>
    (
      await c.runAndReadAll(
        `WITH o AS (SELECT channel, order_id, (row_number() OVER (ORDER BY channel, order_id) - 1)::INTEGER AS idx FROM orders)
         SELECT o.idx, epoch_us(e."at") / 1000.0 AS at, e.type, e.stage, coalesce(e.minutes, 0) AS minutes, coalesce(e.cost, 0)::DOUBLE AS cost
         FROM order_events e JOIN o USING (channel, order_id)`,
      )
    ).getColumnsObjectJson(),
  );
  return {
    orders: orders.channel!.length,
    channel: orders.channel as string[],
    created: Float64Array.from(orders.created as number[]),
    promised: Float64Array.from(orders.promised as (number | string)[], Number),
    eventOrder: Int32Array.from(events.idx as number[]),
    eventAt: Float64Array.from(events.at as number[]),
    eventType: events.type as string[],
    eventStage: events.stage as (string | null)[],
    eventMinutes: Float64Array.from(events.minutes as number[]),
    eventCost: Float64Array.from(events.cost as number[]),
  };
}

const HOUR = 3_600_000;
const monthOf = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 7);

/** numpy-style linear interpolation, as quantile_cont. */
function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  return sorted[lower]! + (sorted[Math.ceil(position)]! - sorted[lower]!) * (position - lower);
}

/** First time each order reached `stage` (placed: created_at unless an earlier placed event). */
function firstReached(rows: LoadedRows, stage: string): Float64Array {
  const at = new Float64Array(rows.orders).fill(NaN);
  if (stage === 'placed') at.set(rows.created);
  for (let i = 0; i < rows.eventOrder.length; i++) {
    if (rows.eventType[i] !== 'stage' || rows.eventStage[i] !== stage) continue;
    const o = rows.eventOrder[i]!;
    if (!(at[o]! <= rows.eventAt[i]!)) at[o] = rows.eventAt[i]!;
  }
  return at;
}

type Groups = Map<string, number[]>;
function push(groups: Groups, key: string, value: number): void {
  const list = groups.get(key);
  if (list) list.push(value);
  else groups.set(key, [value]);
}

/** cycle-time placed → delivered by month and channel: orders, p50, p90. */
export function cycleTime(rows: LoadedRows) {
  const from = firstReached(rows, 'placed');
  const to = firstReached(rows, 'delivered');
  const groups: Groups = new Map();
  for (let o = 0; o < rows.orders; o++) {
    const hours = (to[o]! - from[o]!) / HOUR;
    if (hours >= 0) push(groups, `${monthOf(rows.created[o]!)} ${rows.channel[o]}`, hours);
  }
  return [...groups].map(([key, values]) => {
    const sorted = Float64Array.from(values).sort();
    return { key, orders: values.length, p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9) };
  });
}

/**
 * on-time by month of creation, as of the latest event: orders whose promise has passed, not
 * cancelled (a terminal stage other than delivered, without a delivery), and the share delivered by it.
 */
export function onTime(rows: LoadedRows) {
  const delivered = firstReached(rows, 'delivered');
  const settled = ['cancelled', 'refunded', 'returned'].map((s) => firstReached(rows, s));
  let asOf = -Infinity;
  for (const at of rows.eventAt) if (at > asOf) asOf = at;
  const groups = new Map<string, { due: number; onTime: number }>();
  for (let o = 0; o < rows.orders; o++) {
    const promised = rows.promised[o]!;
    if (Number.isNaN(promised) || !(promised < asOf)) continue;
    if (Number.isNaN(delivered[o]!) && settled.some((at) => at[o]! <= asOf)) continue;
    const key = monthOf(rows.created[o]!);
    const g = groups.get(key) ?? { due: 0, onTime: 0 };
    g.due++;
    if (delivered[o]! <= promised) g.onTime++;
    groups.set(key, g);
  }
  return [...groups].map(([key, g]) => ({ key, due: g.due, rate: g.onTime / g.due }));
}

/** friction-cost by month: total cost per order (settings: 11 minutes per data move, 60 per hour). */
export function frictionCost(rows: LoadedRows) {
  const cost = new Float64Array(rows.orders);
  for (let i = 0; i < rows.eventOrder.length; i++) {
    const type = rows.eventType[i];
    const o = rows.eventOrder[i]!;
    if (type === 'data_move') cost[o]! += (11 / 60) * 60;
    else if (type === 'exception' || type === 'contact') cost[o]! += (rows.eventMinutes[i]! / 60) * 60;
    else if (type === 'expedite') cost[o]! += rows.eventCost[i]!;
  }
  const groups = new Map<string, { orders: number; total: number }>();
  for (let o = 0; o < rows.orders; o++) {
    const key = monthOf(rows.created[o]!);
    const g = groups.get(key) ?? { orders: 0, total: 0 };
    g.orders++;
    g.total += cost[o]!;
    groups.set(key, g);
  }
  // The service returns money in cents, rounded once at the end (sql/README.md, "Money").
  return [...groups].map(([key, g]) => ({ key, orders: g.orders, costPerOrder: Math.round((g.total / g.orders) * 100) / 100 }));
}

/** first-response by month: hours to the first event after placement (not a placed stage event), p50. */
export function firstResponse(rows: LoadedRows) {
  const first = new Float64Array(rows.orders).fill(NaN);
  for (let i = 0; i < rows.eventOrder.length; i++) {
    const o = rows.eventOrder[i]!;
    const at = rows.eventAt[i]!;
    if (at <= rows.created[o]! || (rows.eventType[i] === 'stage' && rows.eventStage[i] === 'placed')) continue;
    if (!(first[o]! <= at)) first[o] = at;
  }
  const groups: Groups = new Map();
  for (let o = 0; o < rows.orders; o++) {
    if (!Number.isNaN(first[o]!)) push(groups, monthOf(rows.created[o]!), (first[o]! - rows.created[o]!) / HOUR);
  }
  return [...groups].map(([key, values]) => ({ key, responded: values.length, p50: quantile(Float64Array.from(values).sort(), 0.5) }));
}

/** The JS implementations, with the service query each answers and how to compare their rows. */
export const JS_METRICS = [
  {
    metric: 'cycle-time',
    query: 'fromStage=placed&toStage=delivered&interval=month&groupBy=channel',
    run: cycleTime,
    key: (r: Record<string, unknown>) => `${String(r.bucket).slice(0, 7)} ${r.group}`,
    pick: (r: Record<string, unknown>) => ({ orders: r.orders, p50: r.p50_hours, p90: r.p90_hours }),
  },
  {
    metric: 'on-time',
    query: 'interval=month&basis=created',
    run: onTime,
    key: (r: Record<string, unknown>) => String(r.bucket).slice(0, 7),
    pick: (r: Record<string, unknown>) => ({ due: r.due, rate: r.on_time_rate }),
  },
  {
    metric: 'friction-cost',
    query: 'interval=month',
    run: frictionCost,
    key: (r: Record<string, unknown>) => String(r.bucket).slice(0, 7),
    pick: (r: Record<string, unknown>) => ({ orders: r.orders, costPerOrder: r.cost_per_order }),
  },
  {
    metric: 'first-response',
    query: 'interval=month',
    run: firstResponse,
    key: (r: Record<string, unknown>) => String(r.bucket).slice(0, 7),
    pick: (r: Record<string, unknown>) => ({ responded: r.responded, p50: r.p50_hours }),
  },
];

/** True when every number agrees to 1e-9 relative. */
export function sameNumbers(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return Object.keys(a).every((k) => {
    const x = Number(a[k]);
    const y = Number(b[k]);
    return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
  });
}
