import { css } from 'lit';

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
