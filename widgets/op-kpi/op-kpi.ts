import { css, html, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import { Task } from '@lit/task';
import { fetchMetric, metricUrl, type MetricResult } from '../internal/api-client.js';
import { baseStyles } from '../internal/base-styles.js';
import { define } from '../internal/define.js';
import { OpMetricElement, type RenderContext } from '../internal/op-metric-element.js';
import { changeBadge, formatKpi } from '../op-roi-compare/op-roi-compare.js';
import { previousPeriod, samePeriodLastYear } from './previous-period.js';

/** Where a KPI's trend comes from: metric and column, per week. */
const SPARK_SOURCE: Record<string, { metric: string; field: string }> = {
  first_response_hours: { metric: 'first-response', field: 'mean_hours' },
  cycle_time_hours: { metric: 'cycle-time', field: 'mean_hours' },
  friction_cost_per_order: { metric: 'friction-cost', field: 'cost_per_order' },
  on_time_rate: { metric: 'on-time', field: 'on_time_rate' },
  orders: { metric: 'friction-cost', field: 'orders' },
  orders_per_actor_day: { metric: 'throughput', field: 'orders_per_actor_day' },
};

/**
 * A KPI card: its value over [from, to), the change against the period of the same
 * length before, and a weekly sparkline.
 *
 * @example <op-kpi kpi="first_response_hours" from="2025-07-01" to="2026-01-01"></op-kpi>
 * @cssproperty --op-kpi-size - font size of the value (default 2em)
 */
export class OpKpi extends OpMetricElement {
  static override styles = [
    ...baseStyles,
    css`
      .body,
      .result {
        height: auto;
      }
      .value {
        font-size: var(--op-kpi-size, 2em);
        font-weight: 600;
        font-variant-numeric: tabular-nums;
      }
      .compare {
        color: var(--_muted);
        font-size: 0.9em;
      }
      .change.better {
        color: var(--_good);
      }
      .change.worse {
        color: var(--_bad);
      }
      .chart {
        height: var(--op-sparkline-height, 48px);
      }
      /* While loading, as tall as the value, the comparison and the sparkline will be: the cards
         around it do not jump when it arrives (at auto height the skeleton had none). */
      .skeleton {
        height: calc(var(--op-kpi-size, 2em) * 1.15 + 1.35em + var(--op-sparkline-height, 48px));
      }
    `,
  ];

  protected readonly metric = 'roi-compare';
  protected override readonly addsMoney = true;
  protected readonly titleKey = 'title.kpi';

  /** One of roi-compare's KPIs: first_response_hours, cycle_time_hours, friction_cost_per_order, orders_per_actor_day, on_time_rate, cancellation_rate, refund_rate, orders, revenue, merge_latency_hours. */
  @property() kpi = 'orders';
  /** What the value is compared with: `previous` (the period just before, default) or `year` (the same period a year earlier). */
  @property() compare: 'previous' | 'year' = 'previous';

  private readonly spark = new Task(this, {
    task: async ([url, token], { signal }) => (url && this.canFetch() ? fetchMetric(url, token, signal) : undefined),
    args: () => [this.sparkUrl(), this.token] as const,
  });

  protected override canFetch(): boolean {
    return !!(this.from && this.to);
  }

  /** The previous period of the range as the selection narrows it (a month clicked elsewhere: the month before). */
  protected override requestParams(): Record<string, string | undefined> {
    const params = super.requestParams();
    const previous = params.from && params.to ? (this.compare === 'year' ? samePeriodLastYear(params.from, params.to) : previousPeriod(params.from, params.to)) : undefined;
    return { ...params, baselineFrom: previous?.from, baselineTo: previous?.to };
  }

  private sparkUrl(): string | undefined {
    const source = SPARK_SOURCE[this.kpi];
    if (!source || this.outsideSelection()) return undefined;
    // The card's own scope, selections included, so the line moves with the value.
    const { from, to, channel, region, skuSeries, customerTier, promotion, tz } = this.requestParams();
    return metricUrl(this.api, source.metric, { from, to, channel, region, skuSeries, customerTier, promotion, tz, interval: 'week' });
  }

  protected override hasChart(): boolean {
    return false;
  }

  protected chartOption(_result: MetricResult, ctx: RenderContext) {
    const trend = this.spark.value;
    const source = SPARK_SOURCE[this.kpi];
    if (!trend || !source) return undefined;
    return {
      animation: false,
      grid: { left: 0, right: 0, top: 4, bottom: 4 },
      xAxis: { type: 'category', show: false, data: trend.rows.map((r) => r.bucket) },
      yAxis: { type: 'value', show: false, scale: true },
      series: [{ id: 'trend', type: 'line', showSymbol: false, lineStyle: { color: ctx.colors.series[0] }, data: trend.rows.map((r) => r[source.field]) }],
    };
  }

  /** A KPI neither period has a value for: what the data lacks, in words (no promises, no actors…). */
  protected override emptyMessage(result: MetricResult, ctx: RenderContext): string | undefined {
    const row = result.rows.find((r) => r.kpi === this.kpi);
    // Friction of 0 in both periods: no friction events were imported, not a perfect process.
    const none = (v: unknown) => v === null || (this.kpi === 'friction_cost_per_order' && v === 0);
    if (row && none(row.current) && none(row.baseline)) {
      const specific = ctx.t(`empty.kpi.${this.kpi}`);
      return specific === `empty.kpi.${this.kpi}` ? ctx.t('empty') : specific;
    }
    return super.emptyMessage(result, ctx);
  }

  protected override renderResult(result: MetricResult, ctx: RenderContext): TemplateResult {
    const row = result.rows.find((r) => r.kpi === this.kpi);
    if (!row) {
      // A misconfigured card says what it takes rather than showing nothing or a raw key.
      const kpis = result.rows.map((r) => `${String(r.kpi)} (${ctx.t(`kpi.${String(r.kpi)}`)})`).join(', ');
      return html`<div class="state error" part="state" role="alert">${ctx.t('kpi.unknown', { kpi: this.kpi, kpis })}</div>`;
    }
    const unit = row.unit as string;
    return html`<div class="value" part="value">${formatKpi(unit, row.current as number | null, ctx)}</div>
      <div class="compare" part="compare">${changeBadge(row, ctx)} ${ctx.t('vsPrevious')} (${formatKpi(unit, row.baseline as number | null, ctx)})</div>
      ${SPARK_SOURCE[this.kpi] ? html`<div class="chart" part="chart" role="img" aria-label=${ctx.t(`kpi.${this.kpi}`)}></div>` : ''}`;
  }

  protected override heading(ctx: RenderContext): string {
    const key = `kpi.${this.kpi}`;
    const name = ctx.t(key);
    return name === key ? ctx.t('title.kpi') : name;
  }

  /** This card's KPI alone (roi-compare answers all of them), named after it. */
  protected override csvOf(result: MetricResult): { name: string; result: MetricResult } {
    return { name: `kpi-${this.kpi}.csv`, result: { ...result, rows: result.rows.filter((r) => r.kpi === this.kpi) } };
  }
}

define('op-kpi', OpKpi);

declare global {
  interface HTMLElementTagNameMap {
    'op-kpi': OpKpi;
  }
}
