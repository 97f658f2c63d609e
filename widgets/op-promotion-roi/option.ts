import type { ChartOption } from '../echarts/echarts.js';
import type { MetricResult } from '../internal/api-client.js';
import type { RenderContext } from '../internal/op-metric-element.js';
import { sideCategoryAxis } from '../internal/theme.js';

/** ROI per promotion as horizontal bars (names in full beside them), green right of zero and red left, labelled with the ROI. */
export function promotionRoiOption(result: MetricResult, ctx: RenderContext): ChartOption {
  const { t, fmt, base, colors } = ctx;
  // The share of the value range kept right of the bars for their labels: more where the plot is narrow.
  const labelRoom = ctx.width < 320 ? 0.7 : 0.22;
  return {
    ...base,
    tooltip: { ...base.tooltip, valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt.percent(v, 0) : '—') },
    yAxis: sideCategoryAxis(result.rows.map((r) => (r.name as string | null) ?? (r.promotion_id as string)), ctx),
    // Every label right of its bar's right end (a loss's: right of zero), room kept for it: left of a
    // loss, its label ran into the names.
    xAxis: {
      type: 'value',
      splitNumber: 4,
      max: (extent: { min: number; max: number }) => Math.max(extent.max, 0) + Math.max(0.1, (Math.max(extent.max, 0) - Math.min(extent.min, 0)) * labelRoom),
      ...base.axis,
      axisLabel: { ...base.axis.axisLabel, hideOverlap: true, showMaxLabel: false, formatter: (v: number) => fmt.percent(v, 0) },
    },
    series: [
      {
        id: 'roi',
        name: t('col.roi'),
        type: 'bar',
        data: result.rows.map((r) => {
          const roi = r.roi as number | null;
          return {
            value: roi,
            itemStyle: { color: roi !== null && roi < 0 ? colors.bad : colors.good },
            label: { show: roi !== null, position: 'right', color: colors.text, formatter: roi === null ? '' : fmt.percent(roi, 0) },
          };
        }),
      },
    ],
  };
}
