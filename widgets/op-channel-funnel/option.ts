import type { ChartOption } from '../echarts/echarts.js';
import type { MetricResult } from '../internal/api-client.js';
import { distinct } from '../internal/define.js';
import type { RenderContext } from '../internal/op-metric-element.js';
import { seriesColor } from '../internal/theme.js';

/** A funnel panel is at least this wide and this tall; the chart grows to fit the rows of panels. */
const PANEL_MIN_WIDTH = 220;
export const PANEL_HEIGHT = 180;
const TITLE_HEIGHT = 22;
/** Room right of a bar for its label ("4,315", "97%"). */
const VALUE_WIDTH = 48;

/** How many panels a row holds at `width`, and how many rows `groups` panels take. */
export function funnelGrid(groups: number, width: number): { columns: number; rows: number } {
  const columns = Math.max(1, Math.min(groups, Math.floor(width / PANEL_MIN_WIDTH)));
  return { columns, rows: Math.ceil(groups / columns) };
}

/**
 * One funnel per channel (or group), small multiples in rows that fit the width: each step a bar
 * of its orders against the channel's first step (drawn faintly behind), labelled with the step and
 * its conversion from the step before; the channel's single worst step in the accent colour.
 * Grouped bars (steps on the axis, a bar per channel) put the worst step of 4 of 5 channels on one
 * crowded column and overlapped their labels on a phone.
 */
export function channelFunnelOption(result: MetricResult, ctx: RenderContext): ChartOption {
  const { t, fmt, base, colors } = ctx;
  const steps = distinct<string>(result.rows, 'step');
  const groups = distinct<string | null>(result.rows, 'group');
  const groupBy = (result.params.groupBy as string | null | undefined) ?? 'channel';
  const { columns, rows } = funnelGrid(groups.length, ctx.width);
  const cellWidth = ctx.width / columns;
  const cellHeight = ctx.height / rows;
  const nameWidth = Math.min(100, Math.round(cellWidth * 0.38));
  const nameOf = (group: string | null) => (group === null ? t('all') : ctx.label(groupBy, group));
  const cell = (i: number) => ({ left: (i % columns) * cellWidth, top: Math.floor(i / columns) * cellHeight });
  const rowOf = (group: string | null, step: string | undefined) => result.rows.find((r) => r.group === group && r.step === step);
  return {
    ...base,
    legend: { show: false },
    tooltip: {
      ...base.tooltip,
      trigger: 'item',
      formatter: (p: { seriesIndex: number; dataIndex: number }) => {
        const group = groups[p.seriesIndex]!;
        const row = rowOf(group, steps[p.dataIndex])!;
        const lines = [`<b>${nameOf(group)} · ${t(`stage.${row.step}`)}</b>`, `${t('col.orders')}: ${fmt.integer(row.orders as number)}`];
        const conversion = row.conversion_from_previous as number | null;
        if (conversion !== null) {
          lines.push(`${t('col.conversion_from_previous')}: ${fmt.percent(conversion)}`, `${t('col.conversion_from_first')}: ${fmt.percent(row.conversion_from_first as number)}`, `${t('col.drop_off')}: ${fmt.integer(row.drop_off as number)}`);
        }
        lines.push(`${t('col.in_flight')}: ${fmt.integer(row.in_flight as number)}`);
        if (row.is_worst_step) lines.push(`<b>${t('worstStep')}</b>`);
        return lines.join('<br>');
      },
    },
    title: groups.map((group, i) => ({
      text: nameOf(group),
      left: cell(i).left + 8,
      top: cell(i).top,
      textStyle: { fontSize: 13, fontWeight: 600, color: colors.text, fontFamily: colors.fontFamily },
    })),
    // Step names in a column left of the bars, the conversion right of each: room kept for both
    // inside the panel (ECharts' own label bounds are the whole chart's).
    grid: groups.map((_, i) => ({
      left: cell(i).left + 8 + nameWidth,
      top: cell(i).top + TITLE_HEIGHT,
      width: cellWidth - 16 - nameWidth - VALUE_WIDTH,
      height: cellHeight - TITLE_HEIGHT - 12,
      outerBoundsMode: 'none',
    })),
    xAxis: groups.map((group, i) => ({ type: 'value', gridIndex: i, show: false, min: 0, max: Math.max(1, (rowOf(group, steps[0])?.orders as number | undefined) ?? 1) })),
    yAxis: groups.map((group, i) => ({
      type: 'category',
      gridIndex: i,
      inverse: true,
      data: steps.map((s) => t(`stage.${s}`)),
      axisLine: { show: false },
      axisTick: { show: false },
      axisLabel: {
        ...base.axis.axisLabel,
        color: colors.text,
        width: nameWidth - 8,
        overflow: 'truncate',
        // The worst step's name in the accent colour too.
        formatter: (name: string, index: number) => (rowOf(group, steps[index])?.is_worst_step ? `{worst|${name}}` : name),
        rich: { worst: { color: colors.accent, fontWeight: 'bold' } },
      },
    })),
    series: groups.map((group, i) => ({
      id: `group-${group}`,
      name: nameOf(group),
      type: 'bar',
      xAxisIndex: i,
      yAxisIndex: i,
      barCategoryGap: '22%',
      color: seriesColor(group, colors),
      // The first step's extent behind every bar: what the step lost reads as the empty part.
      showBackground: true,
      // Each bar's value label 4 px right of its end.
      label: { distance: 4 },
      backgroundStyle: { color: colors.grid, opacity: 0.35 },
      data: steps.map((step) => {
        const row = rowOf(group, step)!;
        const conversion = row.conversion_from_previous as number | null;
        const worst = row.is_worst_step === true;
        return {
          value: row.orders as number,
          itemStyle: worst ? { borderColor: colors.accent, borderWidth: 2 } : undefined,
          label: {
            show: true,
            position: 'right',
            color: worst ? colors.accent : colors.muted,
            fontWeight: worst ? 'bold' : 'normal',
            // The first step: its orders; each next one: its conversion from the one before.
            formatter: conversion === null ? fmt.integer(row.orders as number) : fmt.percent(conversion, 0),
          },
        };
      }),
    })),
  };
}
