import type { ECharts } from 'echarts/core';

export interface ChartText {
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
}
export function chartTexts(chart: ECharts): ChartText[];
export function chartTextProblems(chart: ECharts): string[];
