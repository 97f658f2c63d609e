import type { ChartOption } from '../echarts/echarts.js';
import type { MetricResult } from '../internal/api-client.js';
import { distinct } from '../internal/define.js';
import type { RenderContext } from '../internal/op-metric-element.js';

/** Each target's breach rate per period over its channels (sum breached / sum due), one line per target. */
export function slaOption(result: MetricResult, ctx: RenderContext): ChartOption {
  const { t, fmt, base } = ctx;
  const label = (target: string) => target.split('→').map((stage) => t(`stage.${stage}`)).join(' → ');
  const periods = distinct<string>(result.rows.filter((r) => r.bucket !== null), 'bucket').sort();
  const targets = distinct<string>(result.rows, 'target');
  const rate = (target: string, bucket: string) => {
    const rows = result.rows.filter((r) => r.target === target && r.bucket === bucket);
    const due = rows.reduce((n, r) => n + (r.due as number), 0);
    return due === 0 ? null : rows.reduce((n, r) => n + (r.breached as number), 0) / due;
  };
  return {
    ...base,
    legend: { ...(base as { legend?: object }).legend, top: 0 },
    tooltip: { ...base.tooltip, trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt.percent(v) : '—') },
    xAxis: { type: 'category', data: periods.map((p) => fmt.date(p, ctx.granularity)), ...base.axis },
    yAxis: { type: 'value', min: 0, ...base.axis, axisLabel: { ...base.axis.axisLabel, formatter: (v: number) => fmt.percent(v, 0) } },
    series: targets.map((target) => ({ id: target, name: label(target), type: 'line', connectNulls: false, data: periods.map((p) => rate(target, p)) })),
  };
}
