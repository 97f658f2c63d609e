import type { ChartOption } from '../echarts/echarts.js';
import type { MetricResult } from '../internal/api-client.js';
import { distinct } from '../internal/define.js';
import type { RenderContext } from '../internal/op-metric-element.js';
import { seriesColor } from '../internal/theme.js';

/**
 * Funnels side by side: steps on the x-axis, one bar series per channel
 * (or group) with its conversion from the previous step as the label; each
 * channel's worst step is outlined in the accent colour.
 */
export function channelFunnelOption(result: MetricResult, ctx: RenderContext): ChartOption {
  const { t, fmt, base, colors } = ctx;
  const steps = distinct<string>(result.rows, 'step');
  const groups = distinct<string | null>(result.rows, 'group');
  return {
    ...base,
    tooltip: { ...base.tooltip, valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt.integer(v) : '—') },
    xAxis: { type: 'category', data: steps.map((s) => t(`stage.${s}`)), ...base.axis },
    yAxis: { type: 'value', ...base.axis },
    series: groups.map((group) => ({
      id: `group-${group}`,
      name: group === null ? t('all') : ctx.label((result.params.groupBy as string | null | undefined) ?? 'channel', group),
      type: 'bar',
      color: seriesColor(group, colors),
      data: steps.map((step) => {
        const row = result.rows.find((r) => r.group === group && r.step === step)!;
        const conversion = row.conversion_from_previous as number | null;
        return {
          value: row.orders as number,
          itemStyle: row.is_worst_step ? { borderColor: colors.accent, borderWidth: 3 } : undefined,
          label: {
            show: conversion !== null,
            position: 'top',
            color: row.is_worst_step ? colors.accent : colors.muted,
            fontWeight: row.is_worst_step ? 'bold' : 'normal',
            formatter: conversion === null ? '' : fmt.percent(conversion, 0),
          },
        };
      }),
    })),
  };
}
