import { property } from 'lit/decorators.js';
import type { MetricResult } from '../internal/api-client.js';
import { define, distinct } from '../internal/define.js';
import { OpMetricElement, type RenderContext } from '../internal/op-metric-element.js';
import { channelFunnelOption, funnelGrid, PANEL_HEIGHT } from './option.js';

/**
 * placed → paid → shipped → delivered → kept, one funnel per channel (in rows that fit the width),
 * with the conversion of each step and each channel's worst step marked.
 *
 * @example <op-channel-funnel from="2025-01-01" to="2025-07-01" window="30d"></op-channel-funnel>
 * @fires op-filter-change - a channel's bar was clicked (field `channel`, or the group-by dimension), with the orders it lost at that step as `drill`
 */
export class OpChannelFunnel extends OpMetricElement {
  protected readonly metric = 'channel-funnel';
  protected readonly titleKey = 'title.channel-funnel';

  /** Comma-separated steps (default placed,paid,shipped,delivered,kept). */
  @property() steps?: string;
  /** Conversion window from the first step: 72h, 7d… */
  @property() window?: string;
  /** `any` (default): a step reached before the one before it still counts; `strict`: it does not. */
  @property() order?: 'any' | 'strict';

  protected override metricParams() {
    return { steps: this.steps, window: this.window, order: this.order };
  }

  protected chartOption(result: MetricResult, ctx: RenderContext) {
    return channelFunnelOption(result, ctx);
  }

  /** Rows of funnels under each other when the width holds fewer than all of them. */
  protected override chartMinHeight(result: MetricResult, ctx: RenderContext): number | undefined {
    const { rows } = funnelGrid(distinct(result.rows, 'group').length, ctx.width);
    return rows > 1 ? rows * PANEL_HEIGHT : undefined;
  }

  protected override clickToFilter(params: { seriesName?: string; seriesId?: string }) {
    const group = this.clickedGroup(params);
    return group ? { field: this.groupBy ?? 'channel', value: group } : undefined;
  }

  protected override defaultGroupBy(): string {
    return 'channel';
  }

  /** A bar's orders: those the channel lost at that step (the first step: every order that entered). */
  protected override selectionDrill(params: { seriesName?: string; seriesId?: string; dataIndex?: number }, result: MetricResult) {
    const step = distinct<string>(result.rows, 'step')[params.dataIndex ?? -1];
    const group = this.clickedGroup(params);
    if (!step || !group) return undefined;
    const first = step === result.rows[0]?.step;
    const dimension = { channel: 'channel', region: 'region', sku_series: 'skuSeries', customer_tier: 'customerTier', promotion_id: 'promotion', warehouse: 'warehouse' }[this.groupBy ?? 'channel'];
    if (!dimension) return undefined;
    const { t, label } = this.context();
    const funnel = Object.fromEntries(Object.entries(this.metricParams()).filter((e): e is [string, string] => typeof e[1] === 'string'));
    return {
      metric: this.metric,
      params: { ...this.listParams(), ...funnel, [dimension]: group, step, outcome: first ? 'converted' : 'dropped' },
      label: `${label(this.groupBy ?? 'channel', group)} · ${t(`stage.${step}`)}${first ? '' : ` · ${t('drill.lost')}`}`,
    };
  }

  protected override tableColumns() {
    return ['group', 'step', 'orders', 'conversion_from_previous', 'conversion_from_first', 'drop_off', 'in_flight', 'out_of_order', 'median_hours_from_previous', 'is_worst_step'];
  }

  protected override describe(result: MetricResult, ctx: RenderContext): string {
    const worst = result.rows
      .filter((r) => r.is_worst_step)
      .map((r) => `${r.group === null ? ctx.t('all') : ctx.label(this.groupBy ?? 'channel', r.group as string)}: ${ctx.t(`stage.${r.step}`)} ${ctx.fmt.percent(r.conversion_from_previous as number)}`);
    return `${ctx.t(this.titleKey)}. ${ctx.t('worstStep')}: ${worst.join('; ')}`;
  }
}

define('op-channel-funnel', OpChannelFunnel);

declare global {
  interface HTMLElementTagNameMap {
    'op-channel-funnel': OpChannelFunnel;
  }
}
