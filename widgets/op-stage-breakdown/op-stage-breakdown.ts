import type { MetricResult } from '../internal/api-client.js';
import { define } from '../internal/define.js';
import { OpMetricElement, type RenderContext } from '../internal/op-metric-element.js';
import { stageBreakdownOption } from './option.js';

/**
 * Time spent in each pipeline step (median and p90), with the bottleneck highlighted.
 *
 * @example <op-stage-breakdown from="2025-01-01" to="2025-07-01" channel="douyin"></op-stage-breakdown>
 * @fires op-drill-through - a step was clicked: the orders waiting in it now (in its first stage, as of the latest event), longest first, for `op-order-list`
 */
export class OpStageBreakdown extends OpMetricElement {
  protected readonly metric = 'stage-breakdown';
  protected readonly titleKey = 'title.stage-breakdown';

  protected chartOption(result: MetricResult, ctx: RenderContext) {
    return stageBreakdownOption(result, ctx);
  }

  /**
   * A step's orders: those in it now, waiting in its first stage for the next. A cross-filter by
   * stage (what a click fired before) was applied by no metric, so its chip filtered nothing.
   */
  protected override clickToDrill(params: { dataIndex?: number }, result: MetricResult) {
    const row = this.clickedRow(params, result);
    if (!row) return undefined;
    const t = this.context().t;
    return {
      metric: this.metric,
      params: { ...this.listParams(), stage: row.from_stage as string, sort: '-age' },
      label: `${t(`stage.${row.from_stage}`)} → ${t(`stage.${row.to_stage}`)} · ${t('drill.waiting')}`,
    };
  }

  protected override describe(result: MetricResult, ctx: RenderContext): string {
    const worst = result.rows.find((r) => r.is_bottleneck);
    return worst
      ? `${ctx.t(this.titleKey)}: ${ctx.t('bottleneck')} ${ctx.t(`stage.${worst.from_stage}`)} → ${ctx.t(`stage.${worst.to_stage}`)}, ${ctx.t('col.p50_hours')} ${ctx.fmt.hours(worst.p50_hours as number)}`
      : super.describe(result, ctx);
  }
}

define('op-stage-breakdown', OpStageBreakdown);

declare global {
  interface HTMLElementTagNameMap {
    'op-stage-breakdown': OpStageBreakdown;
  }
}
