import type { ChartOption } from '../echarts/echarts.js';
import type { MetricResult } from '../internal/api-client.js';
import type { RenderContext } from '../internal/op-metric-element.js';

/** Horizontal bars: median and p90 hours per step, the bottleneck's median in the accent colour. */
export function stageBreakdownOption(result: MetricResult, ctx: RenderContext): ChartOption {
  const { t, fmt, base, colors } = ctx;
  const rows = result.rows.filter((r) => r.group === result.rows[0]!.group);
  const labels = rows.map((r) => `${t(`stage.${r.from_stage}`)} → ${t(`stage.${r.to_stage}`)}`);
  return {
    ...base,
    tooltip: { ...base.tooltip, valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt.hours(v) : '—') },
    xAxis: {
      type: 'value',
      splitNumber: 3,
      ...base.axis,
      axisLabel: {
        ...base.axis.axisLabel,
        hideOverlap: true,
        formatter: fmt.durationAxis(Math.max(0, ...rows.map((r) => (r.p90_hours as number | null) ?? 0)), result.meta.precision === 'day'),
      },
    },
    yAxis: { type: 'category', data: labels, inverse: true, ...base.axis },
    series: [
      {
        id: 'p50',
        name: t('col.p50_hours'),
        type: 'bar',
        data: rows.map((r) => ({
          value: r.p50_hours as number,
          itemStyle: r.is_bottleneck ? { color: colors.accent } : undefined,
          label: r.is_bottleneck ? { show: true, position: 'right', color: colors.accent, formatter: t('bottleneck') } : undefined,
        })),
      },
      { id: 'p90', name: t('col.p90_hours'), type: 'bar', data: rows.map((r) => r.p90_hours as number), itemStyle: { opacity: 0.45 } },
    ],
  };
}
