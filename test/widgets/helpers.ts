import type { ECharts } from '../../widgets/echarts/echarts.js';
import type { MetricResult } from '../../widgets/internal/api-client.js';
import type { OpMetricElement } from '../../widgets/internal/op-metric-element.js';

/** The fixture service's base URL (web-test-runner.config.mjs starts it). */
export const API: string = (window as unknown as { OP_API: string }).OP_API;

type Internals = { data: { taskComplete: Promise<unknown>; value?: MetricResult }; chart: { chart?: ECharts } };
const internals = (el: OpMetricElement) => el as unknown as Internals;

/** Adds markup to the page and waits until its first element has fetched and rendered. */
export async function mount<T extends OpMetricElement>(markup: string): Promise<T> {
  const host = document.createElement('div');
  host.style.width = '800px';
  host.innerHTML = markup;
  document.body.append(host);
  const el = host.firstElementChild as T;
  await settle(el);
  return el;
}

/** Waits for the widget's current request and the render after it. */
export async function settle(el: OpMetricElement): Promise<void> {
  await el.updateComplete;
  await internals(el).data.taskComplete.catch(() => undefined);
  await el.updateComplete;
  await new Promise((resolve) => requestAnimationFrame(resolve));
}

export const resultOf = (el: OpMetricElement): MetricResult | undefined => internals(el).data.value;
export const chartOf = (el: OpMetricElement): ECharts | undefined => internals(el).chart.chart;

/** The service's answer, fetched directly, to compare the widget with. */
export async function apiRows(metric: string, query = ''): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${API}/api/metrics/${metric}${query ? `?${query}` : ''}`);
  return ((await res.json()) as MetricResult).rows;
}

/** The data of each series of the widget's chart, as plain numbers. */
export function seriesData(el: OpMetricElement): Record<string, (number | null)[]> {
  const option = chartOf(el)!.getOption() as { series: { id: string; data: unknown[] }[] };
  return Object.fromEntries(
    option.series.map((s) => [s.id, s.data.map((d) => (d !== null && typeof d === 'object' ? ((d as { value: number }).value ?? null) : (d as number | null)))]),
  );
}

export function shadow(el: Element, selector: string): HTMLElement | null {
  return el.shadowRoot!.querySelector<HTMLElement>(selector);
}

export function cleanup(): void {
  for (const el of [...document.body.children]) if (el.localName === 'div') el.remove();
}
