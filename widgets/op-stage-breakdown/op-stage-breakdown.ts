import type { MetricResult } from '../internal/api-client.js';
import { define } from '../internal/define.js';
import { OpMetricElement, type RenderContext } from '../internal/op-metric-element.js';
import { stageBreakdownOption } from './option.js';

/**
 * Time spent in each pipeline step (median and p90), with the bottleneck highlighted.
 *
 * @example <op-stage-breakdown from="2025-01-01" to="2025-07-01" channel="douyin"></op-stage-breakdown>
 * @fires op-filter-change - a step was clicked (field `stage`, value = the step's end stage)
 */
export class OpStageBreakdown extends OpMetricElement {
  protected readonly metric = 'stage-breakdown';
  protected readonly titleKey = 'title.stage-breakdown';

  protected chartOption(result: MetricResult, ctx: RenderContext) {
    return stageBreakdownOption(result, ctx);
  }

  protected override clickToFilter(params: { dataIndex?: number }, result: MetricResult) {
    const row = this.clickedRow(params, result);
    return row ? { field: 'stage', value: row.to_stage as string } : undefined;
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
