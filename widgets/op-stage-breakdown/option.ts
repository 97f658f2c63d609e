import type { ChartOption } from '../echarts/echarts.js';
import type { MetricResult } from '../internal/api-client.js';
import type { RenderContext } from '../internal/op-metric-element.js';
import { durationValueAxis, sideCategoryAxis } from '../internal/theme.js';

/** Horizontal bars: median and p90 hours per step, the bottleneck's median in the accent colour. */
export function stageBreakdownOption(result: MetricResult, ctx: RenderContext): ChartOption {
  const { t, fmt, base, colors } = ctx;
  const rows = result.rows.filter((r) => r.group === result.rows[0]!.group);
  const labels = rows.map((r) => `${t(`stage.${r.from_stage}`)} → ${t(`stage.${r.to_stage}`)}`);
  return {
    ...base,
    tooltip: { ...base.tooltip, valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt.hours(v) : '—') },
    xAxis: durationValueAxis(Math.max(0, ...rows.map((r) => (r.p90_hours as number | null) ?? 0)), result.meta.precision === 'day', ctx, 3),
    yAxis: sideCategoryAxis(labels, ctx, 0.38),
    series: [
      {
        id: 'p50',
        name: t('col.p50_hours'),
        type: 'bar',
        data: rows.map((r) => ({
          value: r.p50_hours as number,
          itemStyle: r.is_bottleneck ? { color: colors.accent } : undefined,
          // Where a label fits beside the bars; narrower, the accent colour and the tooltip say it.
          label: r.is_bottleneck && ctx.width >= 320 ? { show: true, position: 'right', color: colors.accent, formatter: t('bottleneck') } : undefined,
        })),
      },
      { id: 'p90', name: t('col.p90_hours'), type: 'bar', data: rows.map((r) => r.p90_hours as number), itemStyle: { opacity: 0.45 } },
    ],
  };
}
