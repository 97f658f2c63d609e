import type { ChartOption } from '../echarts/echarts.js';
import type { MetricResult } from '../internal/api-client.js';
import type { RenderContext } from '../internal/op-metric-element.js';

/** ROI per promotion as bars, green above zero and red below, labelled with the ROI. */
export function promotionRoiOption(result: MetricResult, ctx: RenderContext): ChartOption {
  const { t, fmt, base, colors } = ctx;
  return {
    ...base,
    tooltip: { ...base.tooltip, valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt.percent(v, 0) : '—') },
    xAxis: { type: 'category', data: result.rows.map((r) => (r.name as string | null) ?? (r.promotion_id as string)), ...base.axis },
    yAxis: { type: 'value', ...base.axis, axisLabel: { ...base.axis.axisLabel, formatter: (v: number) => fmt.percent(v, 0) } },
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
            label: { show: roi !== null, position: roi !== null && roi < 0 ? 'bottom' : 'top', color: colors.text, formatter: roi === null ? '' : fmt.percent(roi, 0) },
          };
        }),
      },
    ],
  };
}
