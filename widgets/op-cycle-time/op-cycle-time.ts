import { property } from 'lit/decorators.js';
import type { MetricResult } from '../internal/api-client.js';
import { define } from '../internal/define.js';
import { OpMetricElement, type RenderContext } from '../internal/op-metric-element.js';
import { cycleTimeOption } from './option.js';

/**
 * Median and p90 hours between two stages, per day, week or month, optionally per group.
 *
 * @example <op-cycle-time from="2025-01-01" to="2025-07-01" interval="week" from-stage="placed" to-stage="delivered"></op-cycle-time>
 * @fires op-filter-change - a group's line was clicked (field = the group-by dimension)
 */
export class OpCycleTime extends OpMetricElement {
  protected override readonly annotatesTime = true;
  protected readonly metric = 'cycle-time';
  protected readonly titleKey = 'title.cycle-time';

  /** Start stage (default placed). */
  @property({ attribute: 'from-stage' }) fromStage?: string;
  /** End stage (default delivered). */
  @property({ attribute: 'to-stage' }) toStage?: string;

  override interval = 'week';

  protected override metricParams() {
    // What the chart and its table show: the service skips the rest (p95, max).
    return { fromStage: this.fromStage, toStage: this.toStage, stats: 'count,mean,p50,p90' };
  }

  protected override tableColumns() {
    return ['bucket', 'group', 'orders', 'mean_hours', 'p50_hours', 'p90_hours', 'negative_gaps'];
  }

  /** Orders in the range, none of them through both stages yet: not "No orders in this range". */
  protected override emptyMessage(result: MetricResult, ctx: RenderContext): string | undefined {
    if (result.rows.length > 0) return undefined;
    const stage = (name: unknown, fallback: string) => ctx.t(`stage.${typeof name === 'string' ? name : fallback}`);
    return ctx.t('empty.cycle', { from: stage(result.params.fromStage, 'placed'), to: stage(result.params.toStage, 'delivered') });
  }

  protected chartOption(result: MetricResult, ctx: RenderContext) {
    return cycleTimeOption(result, ctx);
  }

  protected override clickToFilter(params: { seriesName?: string; seriesId?: string }) {
    const group = this.clickedGroup(params);
    if (!this.groupBy || !group) return undefined;
    return { field: this.groupBy, value: group };
  }

  protected override describe(result: MetricResult, ctx: RenderContext): string {
    const overall = result.rows.map((r) => r.p50_hours as number).filter((v) => v !== null);
    const latest = overall.at(-1);
    return `${ctx.t(this.titleKey)}: ${result.rows.length} ${ctx.t('rows')}${latest === undefined ? '' : `; ${ctx.t('col.p50_hours')} ${ctx.fmt.hours(latest)}`}`;
  }
}

define('op-cycle-time', OpCycleTime);

declare global {
  interface HTMLElementTagNameMap {
    'op-cycle-time': OpCycleTime;
  }
}
