import { css } from 'lit';
import type { Formatter } from './format.js';

/**
 * Colours come from CSS custom properties the host page may set
 * (`--op-series-1` … `--op-series-8`, `--op-text-color`, …); these defaults
 * pass WCAG AA (4.5:1 for text, 3:1 for marks) on their own background.
 */
export const themeStyles = css`
  .root {
    --_bg: var(--op-background, #ffffff);
    --_surface: var(--op-surface, #f6f8fa);
    --_text: var(--op-text-color, #1f2328);
    --_muted: var(--op-muted-color, #57606a);
    --_grid: var(--op-grid-color, #d0d7de);
    --_accent: var(--op-accent-color, #cf222e);
    --_good: var(--op-good-color, #1a7f37);
    --_bad: var(--op-bad-color, #cf222e);
    --_s1: var(--op-series-1, #0969da);
    --_s2: var(--op-series-2, #1a7f37);
    --_s3: var(--op-series-3, #bf3989);
    --_s4: var(--op-series-4, #9a6700);
    --_s5: var(--op-series-5, #8250df);
    --_s6: var(--op-series-6, #0a3069);
    --_s7: var(--op-series-7, #bc4c00);
    --_s8: var(--op-series-8, #116329);
  }
  .root.dark {
    --_bg: var(--op-background, #0d1117);
    --_surface: var(--op-surface, #161b22);
    --_text: var(--op-text-color, #e6edf3);
    --_muted: var(--op-muted-color, #9da7b3);
    --_grid: var(--op-grid-color, #30363d);
    --_accent: var(--op-accent-color, #ff7b72);
    --_good: var(--op-good-color, #3fb950);
    --_bad: var(--op-bad-color, #ff7b72);
    --_s1: var(--op-series-1, #58a6ff);
    --_s2: var(--op-series-2, #3fb950);
    --_s3: var(--op-series-3, #ff7bc4);
    --_s4: var(--op-series-4, #d29922);
    --_s5: var(--op-series-5, #bc8cff);
    --_s6: var(--op-series-6, #79c0ff);
    --_s7: var(--op-series-7, #ffa657);
    --_s8: var(--op-series-8, #56d364);
  }
`;

export type Theme = 'light' | 'dark' | 'auto';

/**
 * Whether a widget draws dark: `dark`; `auto` when the OS prefers dark; with no theme, when the
 * host page declares itself dark only (`color-scheme: dark` on the widget or an ancestor). Light
 * otherwise: a widget inside a light host page stays light whatever the OS.
 */
export function drawsDark(host: Element, theme: Theme | undefined): boolean {
  if (theme === 'dark') return true;
  if (theme === 'auto') return matchMedia('(prefers-color-scheme: dark)').matches;
  if (theme === 'light') return false;
  const scheme = getComputedStyle(host).colorScheme.trim();
  return scheme === 'dark' || scheme === 'only dark';
}

export interface ChartColors {
  background: string;
  text: string;
  muted: string;
  grid: string;
  accent: string;
  good: string;
  bad: string;
  series: string[];
  fontFamily: string;
}

/** Reads the resolved colours off the element that carries `.root`, for ECharts (which draws on a canvas). */
export function readColors(root: Element): ChartColors {
  const style = getComputedStyle(root);
  const get = (name: string) => style.getPropertyValue(name).trim();
  return {
    background: get('--_bg'),
    text: get('--_text'),
    muted: get('--_muted'),
    grid: get('--_grid'),
    accent: get('--_accent'),
    good: get('--_good'),
    bad: get('--_bad'),
    series: [1, 2, 3, 4, 5, 6, 7, 8].map((i) => get(`--_s${i}`)),
    fontFamily: style.fontFamily,
  };
}

/** Common marketplace and channel codes, each with its own palette colour; others by their name's hash. */
const KNOWN_CHANNELS = ['douyin', 'jd', 'offline', 'tmall', 'wechat', 'shopify', 'pinduoduo', 'amazon'];

/**
 * A series' colour by its name (a channel code, or any group value), not by its position: jd stays
 * green when a filter leaves it the only series, and in every widget.
 */
export function seriesColor(name: string | null, colors: ChartColors): string {
  const palette = colors.series;
  if (name === null) return palette[0]!;
  const known = KNOWN_CHANNELS.indexOf(name.toLowerCase());
  if (known >= 0) return palette[known % palette.length]!;
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
  return palette[hash % palette.length]!;
}

/**
 * A value axis of durations in hours: one unit for every tick, at round steps of that unit, and
 * never two ticks closer than their labels (`splitNumber`: about how many ticks).
 */
export function durationValueAxis(maxHours: number, days: boolean, ctx: { fmt: Formatter; base: ReturnType<typeof baseOption> }, splitNumber?: number) {
  const { formatter, interval } = ctx.fmt.durationAxis(maxHours, days, splitNumber);
  return {
    type: 'value' as const,
    ...ctx.base.axis,
    // The top tick on the step too: with the step fixed, ECharts put its max (3.3 days) above 3 days.
    ...(interval === undefined ? {} : { interval, min: 0, max: (extent: { max: number }) => Math.max(interval, Math.ceil(extent.max / interval) * interval) }),
    axisLabel: { ...ctx.base.axis.axisLabel, hideOverlap: true, formatter },
  };
}

/**
 * A category axis down the side of horizontal bars, first category on top: every label shown, in
 * a width fitted to the chart (`share` of it) and in two lines where a bar's row has room for them
 * (one, cut with an ellipsis, where it has not), the full name in the tooltip. Under the bars, long
 * names were hidden or cut to "Manual data mov…" at every width.
 */
export function sideCategoryAxis(labels: string[], ctx: { width: number; height: number; base: ReturnType<typeof baseOption> }, share = 0.34) {
  const rowHeight = (ctx.height - 60) / Math.max(1, labels.length);
  const lines = rowHeight >= 30 ? 2 : 1;
  return {
    type: 'category' as const,
    data: labels,
    inverse: true,
    ...ctx.base.axis,
    // At the grid's edge, not at zero: negative bars (a loss-making promotion) ran over the names.
    axisLine: { ...ctx.base.axis.axisLine, onZero: false },
    axisTick: { show: false },
    axisLabel: {
      ...ctx.base.axis.axisLabel,
      interval: 0,
      width: Math.max(56, Math.round(ctx.width * share)),
      overflow: lines === 2 ? ('break' as const) : ('truncate' as const),
      lineHeight: 14,
      height: 14 * lines,
      lineOverflow: 'truncate' as const,
    },
  };
}

/** The parts of an ECharts option every chart shares: palette, text, axes, tooltip. */
export function baseOption(colors: ChartColors) {
  const axis = {
    axisLine: { lineStyle: { color: colors.grid } },
    axisTick: { lineStyle: { color: colors.grid } },
    axisLabel: { color: colors.muted, fontFamily: colors.fontFamily },
    splitLine: { lineStyle: { color: colors.grid, opacity: 0.6 } },
    nameTextStyle: { color: colors.muted },
  };
  return {
    animation: false,
    color: colors.series,
    backgroundColor: 'transparent',
    textStyle: { color: colors.text, fontFamily: colors.fontFamily },
    tooltip: { trigger: 'axis' as const, backgroundColor: colors.background, borderColor: colors.grid, textStyle: { color: colors.text } },
    legend: { top: 0, textStyle: { color: colors.text }, type: 'scroll' as const },
    // ECharts 6 keeps axis labels inside the grid's outer bounds by default.
    grid: { left: 8, right: 16, top: 36, bottom: 8 },
    axis,
  };
}
