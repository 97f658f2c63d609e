import { property } from 'lit/decorators.js';
import type { MetricResult } from '../internal/api-client.js';
import { define } from '../internal/define.js';
import { OpMetricElement, type RenderContext } from '../internal/op-metric-element.js';
import { frictionParetoOption } from './option.js';

/**
 * The largest friction drivers (component × SKU series, channel, stage…) with their cumulative share.
 *
 * @example <op-friction-pareto group-by="sku_series" limit="10"></op-friction-pareto>
 * @fires op-filter-change - a driver was clicked (field = the group-by dimension)
 */
export class OpFrictionPareto extends OpMetricElement {
  protected readonly metric = 'friction-pareto';
  protected override readonly addsMoney = true;
  protected readonly titleKey = 'title.friction-pareto';

  /** At most this many drivers (default 10). */
  @property() limit = '10';

  protected override metricParams() {
    return { limit: this.limit };
  }

  protected override emptyMessage(result: MetricResult, ctx: RenderContext): string | undefined {
    return result.rows.length === 0 ? ctx.t('empty.friction') : undefined;
  }

  protected chartOption(result: MetricResult, ctx: RenderContext) {
    return frictionParetoOption(result, ctx);
  }

  protected override clickToFilter(params: { dataIndex?: number }, result: MetricResult) {
    const row = this.clickedRow(params, result);
    const field = (result.params.groupBy as string | undefined) ?? 'sku_series';
    return row && row.value !== null ? { field, value: row.value as string } : undefined;
  }

  protected override tableColumns() {
    return ['rank', 'component', 'value', 'cost', 'share', 'cumulative_share'];
  }

  protected override describe(result: MetricResult, ctx: RenderContext): string {
    const top = result.rows[0];
    return top
      ? `${ctx.t(this.titleKey)}: ${ctx.t(`component.${top.component}`)} · ${top.value}, ${ctx.fmt.percent(top.share as number)}`
      : super.describe(result, ctx);
  }
}

define('op-friction-pareto', OpFrictionPareto);

declare global {
  interface HTMLElementTagNameMap {
    'op-friction-pareto': OpFrictionPareto;
  }
}
