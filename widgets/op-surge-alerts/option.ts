import type { ChartOption } from '../echarts/echarts.js';
import type { MetricResult } from '../internal/api-client.js';
import type { RenderContext } from '../internal/op-metric-element.js';
import { seriesColor } from '../internal/theme.js';

const HOUR_MS = 3_600_000;

/**
 * Hourly orders over time of each channel that surged (hours without orders drawn as zero), its
 * trailing 24-hour average dashed, and each surge hour marked and labelled with its multiple.
 * Bars of the surge hours alone (three giant red bars against a 0.4 line) said nothing of what
 * they rose from.
 */
export function surgeAlertsOption(result: MetricResult, ctx: RenderContext): ChartOption {
  const { t, fmt, base, colors } = ctx;
  const channels = [...new Set(result.rows.map((r) => r.channel as string))];
  const series = channels.flatMap((channel) => {
    const rows = result.rows.filter((r) => r.channel === channel);
    const color = seriesColor(channel, colors);
    const name = ctx.channel(channel);
    const at = rows.map((r) => Date.parse(r.hour as string));
    const byHour = new Map(rows.map((r, i) => [at[i]!, r.orders as number]));
    const hourly: [number, number][] = [];
    // Bounds once: in the loop's condition, the last hour was found again every hour (930 ms for a year of four channels).
    const [first, last] = [Math.min(...at), Math.max(...at)];
    for (let h = first; h <= last; h += HOUR_MS) hourly.push([h, byHour.get(h) ?? 0]);
    const surges = rows.filter((r) => r.surge);
    return [
      { id: `orders-${channel}`, name, type: 'line' as const, color, showSymbol: false, step: 'middle' as const, lineStyle: { width: 1 }, sampling: 'max' as const, data: hourly },
      {
        id: `avg-${channel}`,
        name: `${name} · ${t('col.trailing_avg')}`,
        type: 'line' as const,
        color,
        showSymbol: false,
        lineStyle: { type: 'dashed' as const, width: 1.5, opacity: 0.8 },
        data: rows.map((r, i) => [at[i]!, r.trailing_avg as number]),
      },
      {
        id: `surge-${channel}`,
        name: `${name} · ${t('surge')}`,
        type: 'scatter' as const,
        symbolSize: 10,
        itemStyle: { color: colors.accent, borderColor: colors.background, borderWidth: 1.5 },
        label: {
          show: true,
          position: 'top' as const,
          color: colors.accent,
          fontWeight: 'bold' as const,
          // The hour under the multiple where the width has room for it (on a phone, the tooltip has it).
          formatter: (p: { dataIndex: number }) => (ctx.width >= 600 ? `${multiple(surges[p.dataIndex]!, fmt)}\n${fmt.date(surges[p.dataIndex]!.hour as string, 'hour')}` : multiple(surges[p.dataIndex]!, fmt)),
          lineHeight: 14,
        },
        tooltip: {
          trigger: 'item' as const,
          formatter: (p: { dataIndex: number }) => {
            const r = surges[p.dataIndex]!;
            return `${name} · ${fmt.date(r.hour as string, 'hour')}<br>${t('col.orders')}: ${fmt.integer(r.orders as number)}<br>${t('col.trailing_avg')}: ${fmt.decimal(r.trailing_avg as number, 2)}<br>${t('col.ratio')}: ${multiple(r, fmt)}`;
          },
        },
        data: surges.map((r) => [Date.parse(r.hour as string), r.orders as number]),
      },
    ];
  });
  return {
    ...base,
    legend: { ...base.legend, data: channels.map((c) => ctx.channel(c)) },
    tooltip: { ...base.tooltip, valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt.decimal(v, 1) : '—') },
    xAxis: { type: 'time', ...base.axis, axisLabel: { ...base.axis.axisLabel, hideOverlap: true, formatter: (ms: number) => fmt.date(new Date(ms).toISOString(), 'day') } },
    // Headroom above the highest surge for its label, under the legend.
    yAxis: { type: 'value', minInterval: 1, boundaryGap: [0, '35%'], ...base.axis, axisLabel: { ...base.axis.axisLabel, formatter: fmt.countAxis(Math.max(0, ...result.rows.map((r) => r.orders as number))) } },
    series,
  };
}

/** ×6.2: the hour's orders over its trailing average; with no history (average 0), the order count. */
function multiple(row: Record<string, unknown>, fmt: RenderContext['fmt']): string {
  const ratio = row.ratio as number | null;
  return ratio === null ? fmt.integer(row.orders as number) : `×${fmt.decimal(ratio, 1)}`;
}
