import type { MetricResult } from '../internal/api-client.js';
import { define } from '../internal/define.js';
import { OpMetricElement, type RenderContext } from '../internal/op-metric-element.js';
import { onTimeOption } from './option.js';

/**
 * Share of delivered orders that arrived by the promised time, per period or group.
 *
 * @example <op-on-time from="2025-01-01" to="2026-01-01" interval="month"></op-on-time>
 */
export class OpOnTime extends OpMetricElement {
  protected override readonly annotatesTime = true;
  protected readonly metric = 'on-time';
  protected readonly titleKey = 'title.on-time';

  override interval = 'month';

  protected override emptyMessage(result: MetricResult, ctx: RenderContext): string | undefined {
    return result.rows.length === 0 ? ctx.t('empty.onTime') : undefined;
  }

  protected chartOption(result: MetricResult, ctx: RenderContext) {
    return onTimeOption(result, ctx);
  }

  protected override clickToFilter(params: { dataIndex?: number }, result: MetricResult) {
    const row = this.clickedRow(params, result);
    if (!row || row.bucket !== null || !this.groupBy) return undefined;
    return { field: this.groupBy, value: row.group as string };
  }
}

define('op-on-time', OpOnTime);

declare global {
  interface HTMLElementTagNameMap {
    'op-on-time': OpOnTime;
  }
}
