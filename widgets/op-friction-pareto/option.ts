import type { ChartOption } from '../echarts/echarts.js';
import type { MetricResult } from '../internal/api-client.js';
import type { RenderContext } from '../internal/op-metric-element.js';

/** Pareto: cost per driver as bars (largest first) and the cumulative share as a line on a 0-100 % axis. */
export function frictionParetoOption(result: MetricResult, ctx: RenderContext): ChartOption {
  const { t, fmt, base, colors } = ctx;
  const labels = result.rows.map((r) => `${t(`component.${r.component}`)} · ${r.value ?? t('none')}`);
  return {
    ...base,
    grid: { ...base.grid, bottom: 8 },
    xAxis: { type: 'category', data: labels, ...base.axis, axisLabel: { ...base.axis.axisLabel, rotate: 30, width: 120, overflow: 'truncate' } },
    yAxis: [
      { type: 'value', ...base.axis, axisLabel: { ...base.axis.axisLabel, formatter: (v: number) => fmt.money(v, 0) } },
      { type: 'value', min: 0, max: 1, ...base.axis, splitLine: { show: false }, axisLabel: { ...base.axis.axisLabel, formatter: (v: number) => fmt.percent(v, 0) } },
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
        yAxisIndex: 1,
        itemStyle: { color: colors.accent },
        data: result.rows.map((r) => r.cumulative_share as number),
        tooltip: { valueFormatter: (v: unknown) => fmt.percent(Number(v)) },
      },
    ],
  };
}
