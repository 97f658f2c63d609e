import { css, html, nothing, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import type { MetricResult } from '../internal/api-client.js';
import { baseStyles } from '../internal/base-styles.js';
import { define } from '../internal/define.js';
import { OpMetricElement, type RenderContext } from '../internal/op-metric-element.js';
import { slaOption } from './option.js';

/**
 * Service levels (settings `slaTargets`): for each target, today's open orders due today, at risk
 * of missing it and already breached, and the breach rate per period.
 *
 * @example <op-sla from="2025-01-01" to="2026-01-01" interval="month"></op-sla>
 * @csspart today - the counts of open orders per target
 */
export class OpSla extends OpMetricElement {
  static override styles = [
    ...baseStyles,
    css`
      .body {
        height: auto;
      }
      .today {
        width: 100%;
        border-collapse: collapse;
        font-variant-numeric: tabular-nums;
        margin-bottom: 8px;
      }
      .today th,
      .today td {
        padding: 3px 4px;
        text-align: end;
        border-bottom: 1px solid var(--_grid);
      }
      /* Short headers on one line: a phone's narrow columns wrapped them one character per line. */
      .today th {
        white-space: nowrap;
        font-size: 0.9em;
      }
      .today th:first-child,
      .today td:first-child {
        text-align: start;
      }
      .today .bad {
        color: var(--_bad);
        font-weight: 600;
      }
      .chart {
        height: var(--op-chart-height, 300px);
      }
    `,
  ];

  protected readonly metric = 'sla';
  protected readonly titleKey = 'title.sla';

  override interval = 'month';
  /** The moment to judge at (default: the latest event). */
  @property({ attribute: 'as-of' }) asOf?: string;

  protected override metricParams() {
    return { asOf: this.asOf };
  }

  protected chartOption(result: MetricResult, ctx: RenderContext) {
    return result.rows.some((r) => r.bucket !== null) ? slaOption(result, ctx) : undefined;
  }

  protected override tableColumns(): string[] {
    return ['target', 'channel', 'bucket', 'due', 'met', 'breached', 'breach_rate', 'mean_late_hours', 'due_today', 'at_risk', 'open_breached'];
  }

  protected override renderResult(result: MetricResult, ctx: RenderContext): TemplateResult {
    if (this.view === 'table') return this.renderTable(result, ctx);
    const { t, fmt } = ctx;
    const whole = result.rows.filter((r) => r.bucket === null);
    const targets = [...new Set(whole.map((r) => r.target as string))];
    const sum = (target: string, key: string) => whole.filter((r) => r.target === target).reduce((n, r) => n + ((r[key] as number | null) ?? 0), 0);
    return html`<table class="today" part="today">
        <caption class="visually-hidden">${t('sla.today')}</caption>
        <thead>
          <tr>
            <th scope="col">${t('sla.target')}</th>
            <th scope="col">${t('sla.dueToday')}</th>
            <th scope="col">${t('sla.atRisk')}</th>
            <th scope="col" title=${t('col.open_breached')}>${t('sla.overdue')}</th>
            <th scope="col">${t('sla.breachRate')}</th>
          </tr>
        </thead>
        <tbody>
          ${targets.map((target) => {
            const hours = whole.find((r) => r.target === target)!.target_hours as number;
            const due = sum(target, 'due');
            return html`<tr>
              <td>${target.split('→').map((s) => t(`stage.${s}`)).join(' → ')} · ${fmt.hours(hours)}</td>
              <td>${fmt.integer(sum(target, 'due_today'))}</td>
              <td class=${sum(target, 'at_risk') > 0 ? 'bad' : ''}>${fmt.integer(sum(target, 'at_risk'))}</td>
              <td class=${sum(target, 'open_breached') > 0 ? 'bad' : ''}>${fmt.integer(sum(target, 'open_breached'))}</td>
              <td>${due === 0 ? '—' : fmt.percent(sum(target, 'breached') / due)}</td>
            </tr>`;
          })}
        </tbody>
      </table>
      ${result.rows.some((r) => r.bucket !== null) ? super.renderResult(result, ctx) : nothing}`;
  }
}

define('op-sla', OpSla);

declare global {
  interface HTMLElementTagNameMap {
    'op-sla': OpSla;
  }
}
