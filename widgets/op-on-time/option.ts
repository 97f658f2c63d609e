import type { ChartOption } from '../echarts/echarts.js';
import type { MetricResult } from '../internal/api-client.js';
import { bucketAxis } from '../internal/bucket-series.js';
import type { RenderContext } from '../internal/op-metric-element.js';

/** On-time rate per bucket (or group) as bars on a 0-100 % axis. */
export function onTimeOption(result: MetricResult, ctx: RenderContext): ChartOption {
  const { t, fmt, base } = ctx;
  const axis = bucketAxis(result.rows, ctx, result.params.groupBy as string | null | undefined);
  return {
    ...base,
    tooltip: { ...base.tooltip, valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt.percent(v) : '—') },
    xAxis: { type: 'category', data: axis.labels, ...base.axis },
    yAxis: { type: 'value', min: 0, max: 1, ...base.axis, axisLabel: { ...base.axis.axisLabel, formatter: (v: number) => fmt.percent(v, 0) } },
    series: [
      {
        id: 'on_time_rate',
        name: t('col.on_time_rate'),
        type: 'bar',
        data: axis.keys.map((_, i) => (axis.rowAt(i)?.on_time_rate as number | null) ?? null),
      },
    ],
  };
}
