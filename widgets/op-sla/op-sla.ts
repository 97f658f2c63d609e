import { css, html, nothing, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import type { MetricResult } from '../internal/api-client.js';
import { baseStyles } from '../internal/base-styles.js';
import { define } from '../internal/define.js';
import { OpMetricElement, type RenderContext } from '../internal/op-metric-element.js';
import { OpDrillThroughEvent } from '../events/op-drill-through.js';
import { slaOption } from './option.js';

/**
 * Service levels (settings `slaTargets`): for each target, today's open orders due today, at risk
 * of missing it and already breached, and the breach rate per period.
 *
 * Each count is a button: a click fires `op-drill-through` with the orders behind it (the list's
 * `sla` and `slaState`), which `op-dashboard` lists in its panel.
 *
 * @example <op-sla from="2025-01-01" to="2026-01-01" interval="month"></op-sla>
 * @fires op-drill-through - a count was clicked: its orders (`sla`, `slaState`, `asOf` and the widget's scope), for `op-order-list`
 * @csspart today - the counts of open orders per target
 * @csspart count - a count that lists its orders when clicked
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
      /* A narrow card: each target's name on a row of its own above its counts, so the five
         columns share the whole width (the table was 378 px wide in 220 and 342 px cards). */
      @container (max-width: 420px) {
        .today thead th:first-child {
          display: none;
        }
        .today thead tr,
        .today tbody tr {
          display: grid;
          grid-template-columns: repeat(4, minmax(0, 1fr));
        }
        .today tbody td:first-child {
          grid-column: 1 / -1;
          border-bottom: 0;
          font-weight: 600;
        }
        .today th {
          white-space: normal;
          overflow-wrap: anywhere;
          font-size: 0.8em;
        }
        .today th,
        .today td {
          padding: 3px 2px;
        }
      }
      .today .bad {
        color: var(--_bad);
        font-weight: 600;
      }
      .count {
        font: inherit;
        color: inherit;
        background: none;
        border: 0;
        padding: 0;
        cursor: pointer;
        text-decoration: underline dotted;
        text-underline-offset: 3px;
      }
      .count:focus-visible {
        outline: 2px solid var(--_s1);
        outline-offset: 2px;
      }
      .chart {
        height: var(--op-chart-height, 300px);
      }
    `,
  ];

  protected override readonly annotatesTime = true;
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

  /** Fires op-drill-through for the orders behind one count of `target`. */
  private drillTo(result: MetricResult, target: string, slaState: string, label: string): void {
    const params = { ...this.listParams(), sla: target, slaState, asOf: String(result.params.asOf) };
    this.dispatchEvent(new OpDrillThroughEvent({ source: this.id || this.localName, metric: this.metric, params, label }));
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
            const name = target.split('→').map((s) => t(`stage.${s}`)).join(' → ');
            const due = sum(target, 'due');
            // A count lists its orders; zero lists none, so it is plain text.
            const count = (state: string, shown: string, n: number, heading: string) =>
              n === 0 ? shown : html`<button class="count" part="count" type="button" @click=${() => this.drillTo(result, target, state, `${name} · ${heading}`)}>${shown}</button>`;
            return html`<tr>
              <td>${name} · ${fmt.hours(hours)}</td>
              <td>${count('due_today', fmt.integer(sum(target, 'due_today')), sum(target, 'due_today'), t('sla.dueToday'))}</td>
              <td class=${sum(target, 'at_risk') > 0 ? 'bad' : ''}>${count('at_risk', fmt.integer(sum(target, 'at_risk')), sum(target, 'at_risk'), t('sla.atRisk'))}</td>
              <td class=${sum(target, 'open_breached') > 0 ? 'bad' : ''}>${count('open_breached', fmt.integer(sum(target, 'open_breached')), sum(target, 'open_breached'), t('sla.overdue'))}</td>
              <td>${due === 0 ? '—' : count('breached', fmt.percent(sum(target, 'breached') / due), sum(target, 'breached'), t('col.breached'))}</td>
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
