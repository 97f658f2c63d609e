import type { LocalizedText } from './envelope.js';
import type { ChartOption } from '../echarts/echarts.js';
import { fetchMetric, serviceUrl } from './api-client.js';
import type { ChartColors } from './theme.js';

/** What GET /api/annotations answers: the tenant's dated notes and its promotions, as local days. */
export interface Annotations {
  annotations: { date: string; label: string; labels?: LocalizedText; channel?: string }[];
  promotions: { id: string; label: string; channel: string | null; from: string; through: string }[];
}

/** One answer per service and token for a minute: every time chart of a page asks the same. */
const cache = new Map<string, { at: number; value: Promise<Annotations | undefined> }>();

export function fetchAnnotations(api: string, token: string | undefined): Promise<Annotations | undefined> {
  const key = `${token ?? ''} ${api}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < 60_000) return hit.value;
  // A service without the endpoint, or a token that may not read it, draws no marks rather than failing the chart.
  const value = (fetchMetric(serviceUrl(api, '/api/annotations', {}), token, new AbortController().signal) as unknown as Promise<Annotations>).catch(() => undefined);
  cache.set(key, { at: Date.now(), value });
  return value;
}

/** The notes with their label in `locale` where the tenant gave one. */
export function inLocale(marks: Annotations, locale: string): Annotations {
  const key = locale.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
  return { ...marks, annotations: marks.annotations.map((a) => ({ ...a, label: a.labels?.[key] ?? a.label })) };
}

/**
 * The notes and promotions that fall in a time axis of buckets (their starts as local days or
 * date-times, `labels` as drawn), as a marked line per note and a shaded band per promotion on the
 * first series; channels outside `scope.channels` (when given), and days from `scope.to` (the
 * range's exclusive end) on, are left out.
 */
export function annotate(option: ChartOption, buckets: string[], labels: string[], marks: Annotations, colors: ChartColors, scope: { channels?: string[]; to?: string | null }): ChartOption {
  const series = (option as { series?: Record<string, unknown>[] }).series;
  if (!series?.[0] || buckets.length === 0) return option;
  const day = (bucket: string) => bucket.slice(0, 10);
  // The bucket a day falls in: the last that starts on or before it; none before the first.
  const at = (date: string) => {
    let index = -1;
    for (let i = 0; i < buckets.length; i++) if (day(buckets[i]!) <= date) index = i;
    return index;
  };
  const channels = scope.channels;
  const inScope = (channel: string | null | undefined) => !channel || !channels || channels.length === 0 || channels.includes(channel);
  const end = (i: number) => (i + 1 < buckets.length ? day(buckets[i + 1]!) : scope.to ? day(scope.to) : '9999-12-31');
  const lines = marks.annotations
    .filter((a) => inScope(a.channel))
    .map((a) => ({ a, i: at(a.date) }))
    .filter(({ a, i }) => i >= 0 && a.date < end(i))
    .map(({ a, i }) => ({ xAxis: labels[i], name: a.label, label: { formatter: a.label } }));
  const areas = marks.promotions
    .filter((p) => inScope(p.channel))
    .map((p) => ({ p, i: Math.max(at(p.from), 0), j: at(p.through) }))
    .filter(({ p, j }) => j >= 0 && p.through >= day(buckets[0]!) && p.from < end(buckets.length - 1))
    // On a line chart a band from a point to the same point has no width: it runs to the next one.
    .map(({ p, i, j }) => [{ name: p.label, xAxis: labels[i] }, { xAxis: labels[series[0]!.type === 'line' ? Math.min(j + 1, labels.length - 1) : j] }]);
  if (lines.length === 0 && areas.length === 0) return option;
  const first = {
    ...series[0],
    markLine: { symbol: 'none', silent: true, lineStyle: { color: colors.accent, type: 'dashed' }, label: { color: colors.accent, position: 'insideEndTop', fontSize: 11 }, data: lines },
    // Promotions' names on hover only: several in a year of months would write over each other.
    markArea: {
      itemStyle: { color: colors.grid, opacity: 0.35 },
      label: { show: false, color: colors.text, position: 'insideTop' },
      emphasis: { label: { show: true } },
      data: areas,
    },
  };
  return { ...option, series: [first, ...series.slice(1)] } as ChartOption;
}
