import { property } from 'lit/decorators.js';
import type { TemplateResult } from 'lit';
import type { MetricResult } from '../internal/api-client.js';
import { define } from '../internal/define.js';
import { OpMetricElement, type RenderContext } from '../internal/op-metric-element.js';
import { surgeAlertsOption } from './option.js';

/** The answer's surge hours alone: what the table, the CSV and the description list. */
function surgesOf(result: MetricResult): MetricResult {
  return { ...result, rows: result.rows.filter((r) => r.surge) };
}

/**
 * Hours in which a channel's orders jumped to 4× (+300 %) its trailing 24-hour average, drawn on
 * the channel's hourly orders.
 *
 * @example <op-surge-alerts from="2025-01-01" to="2026-01-01" min-orders="20"></op-surge-alerts>
 * @fires op-filter-change - a channel's line or surge was clicked (field `channel`)
 */
export class OpSurgeAlerts extends OpMetricElement {
  protected readonly metric = 'surge-alerts';
  protected readonly titleKey = 'title.surge-alerts';

  /** Alert at this multiple of the trailing average (default 4). */
  @property() factor?: string;
  /** Ignore hours with fewer orders (default 10). */
  @property({ attribute: 'min-orders' }) minOrders?: string;

  protected override metricParams() {
    return { factor: this.factor, minOrders: this.minOrders, hours: 'all' };
  }

  /** An alert is an hour: the table shows it (it showed the day alone). */
  protected override timeGranularity() {
    return 'hour' as const;
  }

  protected override emptyMessage(result: MetricResult, ctx: RenderContext): string | undefined {
    if (result.rows.length > 0) return undefined;
    const { factor, minOrders } = result.params as { factor?: number; minOrders?: number };
    return ctx.t('empty.surges', { factor: ctx.fmt.decimal(factor ?? 4, 2), minOrders: ctx.fmt.integer(minOrders ?? 10) });
  }

  protected chartOption(result: MetricResult, ctx: RenderContext) {
    return surgeAlertsOption(result, ctx);
  }

  protected override tableColumns() {
    return ['channel', 'hour', 'orders', 'trailing_avg', 'ratio'];
  }

  protected override renderTable(result: MetricResult, ctx: RenderContext): TemplateResult {
    return super.renderTable(surgesOf(result), ctx);
  }

  protected override csvOf(result: MetricResult) {
    return { name: `${this.metric}.csv`, result: surgesOf(result) };
  }

  protected override clickToFilter(params: { seriesId?: string }) {
    const channel = params.seriesId?.replace(/^(orders|avg|surge)-/, '');
    return channel ? { field: 'channel', value: channel } : undefined;
  }

  protected override describe(result: MetricResult, ctx: RenderContext): string {
    return `${ctx.t(this.titleKey)}: ${surgesOf(result)
      .rows.map((r) => `${ctx.channel(r.channel as string)} ${ctx.fmt.date(r.hour as string, 'hour')} ${ctx.fmt.integer(r.orders as number)}`)
      .join('; ')}`;
  }
}

define('op-surge-alerts', OpSurgeAlerts);

declare global {
  interface HTMLElementTagNameMap {
    'op-surge-alerts': OpSurgeAlerts;
  }
}
