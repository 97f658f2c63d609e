import { property } from 'lit/decorators.js';
import type { MetricResult } from '../internal/api-client.js';
import { define } from '../internal/define.js';
import { OpMetricElement, type RenderContext } from '../internal/op-metric-element.js';
import { surgeAlertsOption } from './option.js';

/**
 * Hours in which a channel's orders jumped to 4× (+300 %) its trailing 24-hour average.
 *
 * @example <op-surge-alerts from="2025-01-01" to="2026-01-01" min-orders="20"></op-surge-alerts>
 * @fires op-filter-change - an alert was clicked (field `channel`)
 */
export class OpSurgeAlerts extends OpMetricElement {
  protected readonly metric = 'surge-alerts';
  protected readonly titleKey = 'title.surge-alerts';

  /** Alert at this multiple of the trailing average (default 4). */
  @property() factor?: string;
  /** Ignore hours with fewer orders (default 10). */
  @property({ attribute: 'min-orders' }) minOrders?: string;

  protected override metricParams() {
    return { factor: this.factor, minOrders: this.minOrders };
  }

  /** An alert is an hour: the table shows it (it showed the day alone). */
  protected override timeGranularity() {
    return 'hour' as const;
  }

  protected override emptyMessage(result: MetricResult, ctx: RenderContext): string | undefined {
    return result.rows.length === 0 ? ctx.t('empty.surges') : undefined;
  }

  protected chartOption(result: MetricResult, ctx: RenderContext) {
    return surgeAlertsOption(result, ctx);
  }

  protected override clickToFilter(params: { dataIndex?: number }, result: MetricResult) {
    const row = this.clickedRow(params, result);
    return row ? { field: 'channel', value: row.channel as string } : undefined;
  }

  protected override describe(result: MetricResult, ctx: RenderContext): string {
    return `${ctx.t(this.titleKey)}: ${result.rows
      .map((r) => `${ctx.channel(r.channel as string)} ${ctx.fmt.date(r.hour as string, 'hour')} ${ctx.fmt.integer(r.orders as number)}`)
      .join('; ')}`;
  }
}

define('op-surge-alerts', OpSurgeAlerts);

declare global {
  interface HTMLElementTagNameMap {
    'op-surge-alerts': OpSurgeAlerts;
  }
}
