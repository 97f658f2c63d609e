import type { ChartOption } from '../echarts/echarts.js';
import type { MetricResult } from '../internal/api-client.js';
import { distinct } from '../internal/define.js';
import type { RenderContext } from '../internal/op-metric-element.js';

export const AGE_BUCKETS = ['<4h', '4-24h', '1-3d', '>3d'];

/** Stacked bars: stuck orders per current stage, one stack segment per age bucket, labelled with counts. */
export function stuckOrdersOption(result: MetricResult, ctx: RenderContext): ChartOption {
  const { t, fmt, base, colors } = ctx;
  const stages = distinct<string>(result.rows, 'stage');
  // Oldest in the warmest colour: the order of the palette is not a severity scale.
  const ageColors = [colors.series[0], colors.series[3], colors.series[6], colors.accent];
  return {
    ...base,
    tooltip: { ...base.tooltip, valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt.integer(v) : '—') },
    xAxis: { type: 'category', data: stages.map((s) => t(`stage.${s}`)), ...base.axis },
    yAxis: { type: 'value', minInterval: 1, ...base.axis },
    series: AGE_BUCKETS.map((bucket, i) => ({
      id: bucket,
      name: bucket,
      type: 'bar',
      stack: 'age',
      itemStyle: { color: ageColors[i] },
      label: { show: true, color: colors.background, formatter: (p: { value: number }) => (p.value > 0 ? fmt.integer(p.value) : '') },
      data: stages.map((stage) =>
        result.rows.filter((r) => r.stage === stage && r.age_bucket === bucket).reduce((n, r) => n + (r.orders as number), 0),
      ),
    })),
  };
}
