import type { ChartOption } from '../echarts/echarts.js';
import type { MetricResult } from '../internal/api-client.js';
import type { RenderContext } from '../internal/op-metric-element.js';

/** Each flagged hour as a bar of its orders, with the trailing 24-hour average it was measured against. */
export function surgeAlertsOption(result: MetricResult, ctx: RenderContext): ChartOption {
  const { t, fmt, base, colors } = ctx;
  const labels = result.rows.map((r) => `${ctx.channel(r.channel as string)} · ${fmt.date(r.hour as string, 'hour')}`);
  return {
    ...base,
    xAxis: { type: 'category', data: labels, ...base.axis },
    yAxis: { type: 'value', minInterval: 1, ...base.axis },
    series: [
      { id: 'orders', name: t('col.orders'), type: 'bar', itemStyle: { color: colors.accent }, data: result.rows.map((r) => r.orders as number) },
      { id: 'trailing_avg', name: t('col.trailing_avg'), type: 'line', data: result.rows.map((r) => r.trailing_avg as number) },
    ],
  };
}
