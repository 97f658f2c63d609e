import { property } from 'lit/decorators.js';
import type { MetricResult } from '../internal/api-client.js';
import { define, distinct } from '../internal/define.js';
import { OpMetricElement, type RenderContext } from '../internal/op-metric-element.js';
import { stuckOrdersOption } from './option.js';

/**
 * Orders not yet at a terminal stage, by the stage they wait in and for how long.
 *
 * @example <op-stuck-orders as-of="2025-12-31T12:00:00"></op-stuck-orders>
 * @fires op-drill-through - a bar segment was clicked: its orders (`stage`, `ageBucket`, `asOf` and the widget's scope), for `op-order-list`
 */
export class OpStuckOrders extends OpMetricElement {
  protected readonly metric = 'stuck-orders';
  protected readonly titleKey = 'title.stuck-orders';

  /** The moment to look at (default: the latest event in the store). */
  @property({ attribute: 'as-of' }) asOf?: string;

  protected override metricParams() {
    return { asOf: this.asOf };
  }

  /** Orders in the range, none of them open: not "No orders in this range". */
  protected override emptyMessage(result: MetricResult, ctx: RenderContext): string | undefined {
    if (result.rows.length > 0) return undefined;
    const asOf = result.params.asOf as string | null | undefined;
    return ctx.t('empty.stuck', { asOf: asOf ? ctx.fmt.date(asOf, 'hour') : '—' });
  }

  protected chartOption(result: MetricResult, ctx: RenderContext) {
    return stuckOrdersOption(result, ctx);
  }

  protected override clickToDrill(params: { seriesName?: string; dataIndex?: number }, result: MetricResult) {
    const stage = distinct<string>(result.rows, 'stage')[params.dataIndex ?? -1];
    const bucket = params.seriesName;
    if (!stage || !bucket) return undefined;
    const t = this.context().t;
    return {
      metric: this.metric,
      params: { ...this.listParams(), stage, ageBucket: bucket, asOf: String(result.params.asOf) },
      label: `${t(`stage.${stage}`)} · ${bucket}`,
    };
  }

  protected override tableColumns() {
    return ['stage', 'age_bucket', 'orders', 'mean_age_hours', 'max_age_hours', 'oldest_order_id'];
  }

  protected override describe(result: MetricResult, ctx: RenderContext): string {
    const total = result.rows.reduce((n, r) => n + (r.orders as number), 0);
    return `${ctx.t(this.titleKey)}: ${ctx.fmt.integer(total)}`;
  }
}

define('op-stuck-orders', OpStuckOrders);

declare global {
  interface HTMLElementTagNameMap {
    'op-stuck-orders': OpStuckOrders;
  }
}
