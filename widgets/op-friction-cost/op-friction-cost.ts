import type { MetricResult } from '../internal/api-client.js';
import { define } from '../internal/define.js';
import { OpMetricElement, type RenderContext } from '../internal/op-metric-element.js';
import { frictionCostOption } from './option.js';

/**
 * Hidden cost per order (manual data moves, exceptions, customer chasing, expedites), month by month.
 *
 * @example <op-friction-cost from="2025-01-01" to="2026-01-01" interval="month"></op-friction-cost>
 * @fires op-filter-change - a period was clicked (field `created_at`, an interval)
 */
export class OpFrictionCost extends OpMetricElement {
  protected override readonly annotatesTime = true;
  protected readonly metric = 'friction-cost';
  protected override readonly addsMoney = true;
  protected readonly titleKey = 'title.friction-cost';

  override interval = 'month';

  /** No friction at all (every cost 0) is the data lacking friction events, not a flat line at zero. */
  protected override emptyMessage(result: MetricResult, ctx: RenderContext): string | undefined {
    return result.rows.every((r) => !r.total_cost) ? ctx.t('empty.friction') : undefined;
  }

  protected chartOption(result: MetricResult, ctx: RenderContext) {
    return frictionCostOption(result, ctx);
  }

  /** A period selects [its start, the next period's start); the last one runs to the range's end. */
  protected override clickToFilter(params: { dataIndex?: number }, result: MetricResult) {
    const buckets = [...new Set(result.rows.map((r) => r.bucket as string | null))];
    const start = buckets[params.dataIndex ?? -1];
    if (!start) return undefined;
    const end = buckets[(params.dataIndex ?? 0) + 1] ?? (result.params.to as string | null) ?? new Date(8.64e15).toISOString();
    return { field: 'created_at', value: [start, end] as [string, string] };
  }

  protected override tableColumns() {
    return ['bucket', 'group', 'orders', 'cost_per_order', 'data_move_cost', 'exception_cost', 'contact_cost', 'expedite_cost', 'friction_share'];
  }

  protected override describe(result: MetricResult, ctx: RenderContext): string {
    const last = result.rows.at(-1);
    return last ? `${ctx.t(this.titleKey)}: ${ctx.fmt.money(last.cost_per_order as number)}` : super.describe(result, ctx);
  }
}

define('op-friction-cost', OpFrictionCost);

declare global {
  interface HTMLElementTagNameMap {
    'op-friction-cost': OpFrictionCost;
  }
}
