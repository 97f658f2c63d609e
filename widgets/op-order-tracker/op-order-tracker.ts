import { css, html, nothing, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import { serviceUrl, type MetricResult } from '../internal/api-client.js';
import { baseStyles } from '../internal/base-styles.js';
import { define } from '../internal/define.js';
import { OpHtmlElement } from '../internal/op-html-element.js';
import type { RenderContext } from '../internal/op-metric-element.js';
import { CARRIER_NAMES_ZH } from '../internal/messages.js';

type Window = { p50: string | null; p90: string | null } | null;
interface TrackedOrder {
  order_id: string;
  channel?: string;
  created_at?: string;
  promised_at?: string | null;
  current_stage?: string;
  stage_since?: string | null;
  age_hours?: number | null;
  settled_at?: string | null;
  stages?: { stage: string; at: string | null }[];
  expected_ship?: Window;
  expected_delivery?: Window;
  carrier?: string | null;
  tracking_number?: string | null;
  warehouse?: string | null;
}

const HOUR = 3_600_000;

/**
 * "Where is my order?": a customer's orders, newest first, each with its progress over the
 * tenant's pipeline (the time of every stage reached), where it is now and for how long, when it
 * should ship and arrive (p50-p90 of orders like it), the promised date with a countdown or how
 * late it is, and whether its stock is locked. Give it a token minted for one customer
 * (`"orders": true, "filters": {"customer": [id]}`): it shows that customer's orders only.
 *
 * @example <op-order-tracker api="https://orderpulse.example" token="…"></op-order-tracker>
 * @csspart order - one order's card
 * @csspart progress - its stage progress bar
 */
export class OpOrderTracker extends OpHtmlElement {
  static override styles = [
    ...baseStyles,
    css`
      .body {
        height: auto;
        min-height: 120px;
      }
      .orders {
        display: grid;
        gap: 12px;
        list-style: none;
        margin: 0;
        padding: 0;
      }
      .order {
        border: 1px solid var(--_grid);
        border-radius: var(--op-radius, 8px);
        padding: 10px 12px;
      }
      .order-head {
        display: flex;
        flex-wrap: wrap;
        justify-content: space-between;
        gap: 4px 12px;
        align-items: baseline;
      }
      .order-id {
        font-weight: 600;
      }
      .status {
        font-weight: 600;
        color: var(--_s1);
      }
      .status.done {
        color: var(--_good);
      }
      .status.stopped {
        color: var(--_muted);
      }
      .progress {
        display: flex;
        gap: 3px;
        margin: 10px 0 6px;
      }
      .progress span {
        flex: 1;
        height: 6px;
        border-radius: 3px;
        background: var(--_grid);
      }
      .progress span.reached {
        background: var(--_s1);
      }
      .progress span.current {
        background: var(--_s1);
        box-shadow: 0 0 0 2px var(--_bg), 0 0 0 3px var(--_s1);
      }
      .facts {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 2px 12px;
        margin: 6px 0 0;
        font-size: 0.95em;
      }
      .facts dt {
        color: var(--_muted);
      }
      .facts dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      /* A waybill is read out digit by digit on the phone to a courier: tabular digits, selectable. */
      .tracking {
        font-variant-numeric: tabular-nums;
        letter-spacing: 0.02em;
        user-select: all;
      }
      .late {
        color: var(--_bad);
        font-weight: 600;
      }
      details {
        margin-top: 6px;
        font-size: 0.9em;
      }
      details ol {
        margin: 4px 0 0;
        padding-inline-start: 1.2em;
      }
      summary {
        cursor: pointer;
        color: var(--_muted);
      }
    `,
  ];

  protected override readonly emptyKey = 'tracker.none';
  protected readonly metric = 'orders';
  protected readonly titleKey = 'title.order-tracker';

  /** How many of the newest orders to show (default 20). */
  @property({ type: Number }) limit = 20;
  /** A customer id, where the token does not lock one (an admin's or the open demo's view of that customer). */
  @property() customer?: string;

  override requestUrl(): string {
    const { groupBy: _g, interval: _i, ...params } = this.requestParams();
    return serviceUrl(this.api, '/api/orders', { ...params, customer: this.customer, forecast: 'true', sort: '-created_at', limit: String(this.limit) });
  }

  protected override toResult(body: MetricResult): MetricResult {
    const page = body as unknown as { params: Record<string, unknown>; orders: Record<string, unknown>[]; meta: MetricResult['meta'] };
    return { metric: 'orders', params: page.params, columns: [], rows: page.orders, meta: { ...page.meta, cached: false, rowCount: page.orders.length } };
  }


  protected override renderResult(result: MetricResult, ctx: RenderContext): TemplateResult {
    const pipeline = (result.params.pipeline as string[] | undefined) ?? [];
    const terminal = (result.params.terminalStages as string[] | undefined) ?? [];
    const asOf = Date.parse(String(result.params.asOf));
    return html`<ol class="orders">
      ${(result.rows as unknown as TrackedOrder[]).map((order) => this.renderOrder(order, pipeline, terminal, asOf, ctx))}
    </ol>`;
  }

  /** A carrier's name in the user's language where it is known, else as the export gave it. */
  private carrierName(carrier: string): string {
    return this.locale.toLowerCase().startsWith('zh') ? (CARRIER_NAMES_ZH[carrier] ?? carrier) : carrier;
  }

  private renderOrder(order: TrackedOrder, pipeline: string[], terminal: string[], asOf: number, ctx: RenderContext): TemplateResult {
    const { t, fmt } = ctx;
    const reached = new Map((order.stages ?? []).map((s) => [s.stage, s.at]));
    const stage = order.current_stage ?? '';
    const settled = order.settled_at !== null && order.settled_at !== undefined;
    const delivered = reached.has('delivered');
    const stopped = settled && !delivered;
    // How far along the pipeline: where it waits, else the furthest pipeline stage it reached (a
    // returned order was delivered); a delivered order has done every step.
    const furthest = Math.max(...pipeline.map((s, i) => (reached.has(s) ? i : -1)));
    const position = delivered ? pipeline.length : pipeline.includes(stage) && !settled ? pipeline.indexOf(stage) : furthest;
    const when = (iso: string | null | undefined) => (iso ? fmt.date(iso, 'hour') : '—');
    const range = (w: Window | undefined) => (w?.p50 && w.p90 ? `${fmt.date(w.p50, 'hour')} – ${fmt.date(w.p90, 'hour')}` : undefined);
    const promise = this.promise(order, delivered, asOf, ctx);
    const ship = !reached.has('shipped') && !settled ? range(order.expected_ship) : undefined;
    const arrival = !settled ? range(order.expected_delivery) : undefined;
    const status = delivered ? t('stage.delivered') : stopped ? t(`stage.${stage}`) : t('tracker.now', { stage: t(`stage.${stage}`), age: fmt.hours(order.age_hours ?? 0) });
    const label = t('tracker.progress', { done: Math.min(position + 1, pipeline.length), total: pipeline.length });
    return html`<li class="order" part="order">
      <div class="order-head">
        <span class="order-id">${order.order_id}</span>
        <span class=${`status ${delivered ? 'done' : stopped ? 'stopped' : ''}`}>${status}</span>
      </div>
      ${stopped
        ? nothing
        : html`<div class="progress" part="progress" role="img" aria-label=${label}>
            ${pipeline.map((s, i) => html`<span class=${i < position ? 'reached' : i === position ? 'current' : ''} title=${t(`stage.${s}`)}></span>`)}
          </div>`}
      <dl class="facts">
        <dt>${t('tracker.placed')}</dt>
        <dd>${when(order.created_at)}</dd>
        ${ship ? html`<dt>${t('tracker.ship')}</dt><dd>${ship}</dd>` : nothing}
        ${arrival ? html`<dt>${t('tracker.arrival')}</dt><dd>${arrival}</dd>` : nothing}
        ${promise}
        ${order.tracking_number || order.carrier
          ? html`<dt>${t('tracker.parcel')}</dt>
              <dd>${order.carrier ? this.carrierName(order.carrier) : nothing}${order.carrier && order.tracking_number ? ' · ' : nothing}${order.tracking_number
                ? html`<span class="tracking" translate="no">${order.tracking_number}</span>`
                : nothing}</dd>`
          : nothing}
        ${!reached.has('shipped') && !settled && order.warehouse ? html`<dt>${t('tracker.fromWarehouse')}</dt><dd translate="no">${order.warehouse}</dd>` : nothing}
        ${!settled && pipeline.includes('stock_locked')
          ? html`<dt>${t('tracker.stock')}</dt><dd>${reached.has('stock_locked') ? t('tracker.stockLocked', { at: when(reached.get('stock_locked')) }) : t('tracker.stockNotLocked')}</dd>`
          : nothing}
      </dl>
      <details>
        <summary>${t('tracker.history')}</summary>
        <ol>
          ${(order.stages ?? [])
            .filter((s) => pipeline.includes(s.stage) || terminal.includes(s.stage))
            .map((s) => html`<li>${t(`stage.${s.stage}`)}: ${when(s.at)}</li>`)}
        </ol>
      </details>
    </li>`;
  }

  /** The promise with a countdown as of the data's time, or how late the order is (was). */
  private promise(order: TrackedOrder, delivered: boolean, asOf: number, ctx: RenderContext): TemplateResult | typeof nothing {
    const { t, fmt } = ctx;
    if (!order.promised_at) return nothing;
    const promised = Date.parse(order.promised_at);
    const deliveredAt = delivered ? (order.stages ?? []).find((s) => s.stage === 'delivered')?.at : undefined;
    let note: TemplateResult | string;
    if (deliveredAt) {
      const late = (Date.parse(deliveredAt) - promised) / HOUR;
      note = late > 0 ? html`<span class="late">${t('tracker.wasLate', { late: fmt.hours(late) })}</span>` : t('tracker.onTime');
    } else if (order.settled_at) {
      note = '';
    } else {
      const left = (promised - asOf) / HOUR;
      note = left >= 0 ? t('tracker.left', { left: fmt.hours(left) }) : html`<span class="late">${t('tracker.lateBy', { late: fmt.hours(-left) })}</span>`;
    }
    return html`<dt>${t('tracker.promised')}</dt><dd>${fmt.date(order.promised_at, 'hour')}${note ? html` · ${note}` : nothing}</dd>`;
  }
}

define('op-order-tracker', OpOrderTracker);

declare global {
  interface HTMLElementTagNameMap {
    'op-order-tracker': OpOrderTracker;
  }
}
