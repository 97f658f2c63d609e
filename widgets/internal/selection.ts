import type { ChartOption } from '../echarts/echarts.js';

/** What a click selected in a chart: a whole series (a channel) or one point of every series (a month, a stage, a driver). */
export interface SelectionMark {
  /** The group (a channel) selected: every series whose id ends in `-<group>`; absent: the point at `dataIndex` in every series. */
  group?: string;
  dataIndex?: number;
}

const DIM = 0.25;

type Series = { id?: string; type?: string; data?: unknown[]; itemStyle?: object; lineStyle?: object; areaStyle?: object; label?: object };

/**
 * The chart with its selection standing out: other series (or other points) dimmed, so the chart
 * clicked says what it filters the others by. A selected channel keeps every series of it (its
 * line, its average, its surges: ids ending in `-<channel>`).
 */
export function emphasize(option: ChartOption, mark: SelectionMark): ChartOption {
  const series = (option as { series?: Series[] }).series;
  if (!series) return option;
  const keeps = (s: Series) => s.id?.endsWith(`-${mark.group}`) === true;
  return {
    ...option,
    series: series.map((s) => {
      if (mark.group !== undefined) {
        return keeps(s)
          ? s
          : { ...s, itemStyle: { ...s.itemStyle, opacity: DIM }, lineStyle: { ...s.lineStyle, opacity: DIM }, areaStyle: s.areaStyle && { ...s.areaStyle, opacity: DIM }, label: { ...s.label, show: false } };
      }
      if (mark.dataIndex === undefined || !Array.isArray(s.data)) return s;
      // A point of a line: its symbol drawn larger; a bar: the others dimmed.
      return {
        ...s,
        data: s.data.map((d, i) => {
          const item: { value?: unknown; itemStyle?: object } = d !== null && typeof d === 'object' && !Array.isArray(d) ? (d as { itemStyle?: object }) : { value: d };
          if (s.type === 'line') return i === mark.dataIndex ? { ...item, symbolSize: 10, symbol: 'circle' } : d;
          return i === mark.dataIndex ? d : { ...item, itemStyle: { ...item.itemStyle, opacity: DIM } };
        }),
        ...(s.type === 'line' ? { showSymbol: true } : {}),
      };
    }),
  };
}
