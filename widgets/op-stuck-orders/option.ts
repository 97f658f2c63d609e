import type { ChartOption } from '../echarts/echarts.js';
import type { MetricResult } from '../internal/api-client.js';
import { distinct } from '../internal/define.js';
import type { RenderContext } from '../internal/op-metric-element.js';
import { sideCategoryAxis } from '../internal/theme.js';

/** `<1d` stands for the two buckets under a day when the data has dates only. */
/** A segment this small a share of the longest bar has no room for its count (its tooltip has it). */
const MIN_LABELLED_SHARE = 0.06;

export const AGE_BUCKETS = ['<4h', '4-24h', '<1d', '1-3d', '>3d'];

/** Horizontal stacked bars: stuck orders per current stage (pipeline order, top down), one segment per age bucket, labelled with counts. */
export function stuckOrdersOption(result: MetricResult, ctx: RenderContext): ChartOption {
  const { t, fmt, base, colors } = ctx;
  const stages = distinct<string>(result.rows, 'stage');
  // Oldest in the warmest colour: the order of the palette is not a severity scale.
  const ageColors: Record<string, string | undefined> = {
    '<4h': colors.series[0], '4-24h': colors.series[3], '<1d': colors.series[3], '1-3d': colors.series[6], '>3d': colors.accent,
  };
  // Dates only: <1d instead of <4h and 4-24h.
  const days = result.meta.precision === 'day';
  const top = Math.max(0, ...stages.map((stage) => result.rows.filter((r) => r.stage === stage).reduce((n, r) => n + (r.orders as number), 0)));
  const buckets = AGE_BUCKETS.filter((b) => (b === '<1d' ? days : !days || (b !== '<4h' && b !== '4-24h')));
  return {
    ...base,
    tooltip: { ...base.tooltip, valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt.integer(v) : '—') },
    yAxis: sideCategoryAxis(stages.map((s) => t(`stage.${s}`)), ctx, 0.3),
    xAxis: { type: 'value', minInterval: 1, ...base.axis, axisLabel: { ...base.axis.axisLabel, hideOverlap: true, formatter: fmt.countAxis(top) } },
    series: buckets.map((bucket) => ({
      id: bucket,
      name: bucket,
      type: 'bar',
      stack: 'age',
      itemStyle: { color: ageColors[bucket] },
      label: { show: true, color: colors.background, formatter: (p: { value: number }) => (p.value > 0 && p.value >= top * MIN_LABELLED_SHARE ? fmt.integer(p.value) : '') },
      data: stages.map((stage) =>
        result.rows.filter((r) => r.stage === stage && r.age_bucket === bucket).reduce((n, r) => n + (r.orders as number), 0),
      ),
    })),
  };
}
