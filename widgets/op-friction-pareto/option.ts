import type { ChartOption } from '../echarts/echarts.js';
import type { MetricResult } from '../internal/api-client.js';
import type { RenderContext } from '../internal/op-metric-element.js';
import { sideCategoryAxis } from '../internal/theme.js';

/**
 * Pareto, horizontal: cost per driver as bars (largest on top, names in full beside them) and the
 * cumulative share as a line on a 0-100 % axis along the top.
 */
export function frictionParetoOption(result: MetricResult, ctx: RenderContext): ChartOption {
  const { t, fmt, base, colors } = ctx;
  // What tells the bars apart first (the SKU series, channel…), then the cost driver: cut to one line,
  // "Manual data moves · ba…" named no series.
  const labels = result.rows.map((r) => `${r.value === null ? t('none') : ctx.label(result.params.groupBy as string | undefined, r.value as string)} · ${t(`component.${r.component}`)}`);
  return {
    ...base,
    // The legend on top, the share axis under it.
    grid: { ...base.grid, top: 56 },
    yAxis: sideCategoryAxis(labels, ctx, 0.38),
    xAxis: [
      { type: 'value', position: 'bottom', splitNumber: 3, ...base.axis, axisLabel: { ...base.axis.axisLabel, hideOverlap: true, formatter: fmt.moneyAxis(Math.max(0, ...result.rows.map((r) => r.cost as number))) } },
      { type: 'value', position: 'top', min: 0, max: 1, splitNumber: 2, ...base.axis, splitLine: { show: false }, axisLabel: { ...base.axis.axisLabel, hideOverlap: true, formatter: (v: number) => fmt.percent(v, 0) } },
    ],
    series: [
      {
        id: 'cost',
        name: t('col.cost'),
        type: 'bar',
        data: result.rows.map((r) => r.cost as number),
        tooltip: { valueFormatter: (v: unknown) => fmt.money(Number(v)) },
      },
      {
        id: 'cumulative_share',
        name: t('col.cumulative_share'),
        type: 'line',
        xAxisIndex: 1,
        itemStyle: { color: colors.accent },
        data: result.rows.map((r) => r.cumulative_share as number),
        tooltip: { valueFormatter: (v: unknown) => fmt.percent(Number(v)) },
      },
    ],
  };
}
