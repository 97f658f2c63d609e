import type { ChartOption } from '../echarts/echarts.js';
import type { MetricResult } from '../internal/api-client.js';
import { rowIndex } from '../internal/bucket-series.js';
import { distinct } from '../internal/define.js';
import type { RenderContext } from '../internal/op-metric-element.js';
import { durationValueAxis, seriesColor } from '../internal/theme.js';

/**
 * Median and p90 per bucket as lines; with a breakdown, one median line per
 * group. Without an interval the x-axis has one point per group.
 */
const maxOf = (values: (number | null)[]) => Math.max(0, ...values.filter((v): v is number => v !== null));

export function cycleTimeOption(result: MetricResult, ctx: RenderContext): ChartOption {
  const { t, fmt, base } = ctx;
  const rows = result.rows;
  const buckets = distinct<string | null>(rows, 'bucket');
  const groups = distinct<string | null>(rows, 'group');
  const label = (bucket: string | null) => (bucket === null ? t('all') : fmt.date(bucket, ctx.granularity));
  const index = rowIndex(rows);
  const valueOf = (bucket: string | null, group: string | null, field: string) => (index.get(bucket, group)?.[field] as number | undefined) ?? null;
  const series =
    groups.length === 1 && groups[0] === null
      ? (['p50_hours', 'p90_hours'] as const).map((field) => ({
          id: field,
          name: t(`col.${field}`),
          type: 'line' as const,
          showSymbol: buckets.length < 40,
          data: buckets.map((b) => valueOf(b, null, field)),
        }))
      : groups.map((group) => ({
          id: `group-${group}`,
          name: group === null ? t('none') : ctx.label(result.params.groupBy as string | null | undefined, group),
          type: 'line' as const,
          color: seriesColor(group, ctx.colors),
          showSymbol: buckets.length < 40,
          data: buckets.map((b) => valueOf(b, group, 'p50_hours')),
        }));
  return {
    ...base,
    tooltip: { ...base.tooltip, valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt.hours(v) : '—') },
    xAxis: { type: 'category', data: buckets.map(label), ...base.axis },
    yAxis: durationValueAxis(maxOf(series.flatMap((s) => s.data)), result.meta.precision === 'day', ctx),
    series,
  };
}
