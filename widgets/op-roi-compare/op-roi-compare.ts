import { css, html, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import type { MetricResult } from '../internal/api-client.js';
import { baseStyles } from '../internal/base-styles.js';
import { formatCell } from '../internal/cell-format.js';
import { define } from '../internal/define.js';
import { OpMetricElement, type RenderContext } from '../internal/op-metric-element.js';

/** Formats a KPI value by its unit. */
export function formatKpi(unit: string, value: number | null, ctx: RenderContext): string {
  if (value === null) return '—';
  switch (unit) {
    case 'hours':
      return ctx.fmt.hours(value);
    case 'currency':
      return ctx.fmt.money(value);
    case 'ratio':
      return ctx.fmt.percent(value);
    default:
      return ctx.fmt.decimal(value, 1);
  }
}

/**
 * ▲/▼ by the direction of change, coloured by whether that is better for this KPI. A rate's change
 * reads in percentage points (+33 pp), any other KPI's as its direction-aware improvement %.
 */
export function changeBadge(row: Record<string, unknown>, ctx: RenderContext): TemplateResult {
  const pct = row.improvement_pct as number | null;
  const delta = row.delta as number | null;
  const points = row.unit === 'ratio' ? ((row.delta_pp as number | null | undefined) ?? null) : null;
  if (delta === null) return html`<span class="change">—</span>`;
  // A rate from 0 has no relative change but still a better or worse direction.
  const better = row.direction === 'higher' ? delta > 0 : delta < 0;
  const verdict = delta === 0 ? 'unchanged' : points !== null || pct !== null ? (better ? 'better' : 'worse') : 'unchanged';
  const arrow = delta > 0 ? '▲' : delta < 0 ? '▼' : '•';
  return html`<span class="change ${verdict}">
    <span aria-hidden="true">${arrow}</span>
    ${points !== null ? ctx.fmt.pointsChange(points) : pct === null ? '' : formatCell('improvement_pct', 'number', pct, ctx.fmt, ctx.t)}
    <span class="visually-hidden">${ctx.t(verdict)}</span>
  </span>`;
}

/**
 * Before/after KPI table: a baseline period (or cohort) against the current one, with
 * direction-aware arrows and improvement %.
 *
 * @example <op-roi-compare baseline-from="2025-01-01" baseline-to="2025-07-01" from="2025-07-01" to="2026-01-01"></op-roi-compare>
 * @example <op-roi-compare compare="channel:douyin,channel:tmall"></op-roi-compare>
 */
export class OpRoiCompare extends OpMetricElement {
  static override styles = [
    ...baseStyles,
    css`
      /* Breaks between the arrow, the number and its unit, never inside 个百分点. */
      .change {
        word-break: keep-all;
      }
      .change.better {
        color: var(--_good);
      }
      .change.worse {
        color: var(--_bad);
      }
      .body {
        height: auto;
        container-type: inline-size;
      }
      /* Narrow (a phone, a sidebar): one KPI per block, its name over its three figures, each
         labelled, instead of four columns that overflowed 390 px by 120. */
      @container (max-width: 440px) {
        .data-table thead {
          position: absolute;
          width: 1px;
          height: 1px;
          overflow: hidden;
          clip: rect(0 0 0 0);
        }
        .data-table tr {
          display: grid;
          grid-template-columns: repeat(3, minmax(0, 1fr));
          column-gap: 12px;
          border-bottom: 1px solid var(--_grid);
          padding: 4px 0;
        }
        .data-table th[scope='row'] {
          grid-column: 1 / -1;
          border: 0;
          padding-bottom: 0;
        }
        .data-table td {
          border: 0;
          padding-inline: 0;
          text-align: start;
          /* A long amount wraps inside its cell rather than running into the next. */
          overflow-wrap: anywhere;
        }
        .data-table th[scope='row'] {
          padding-inline: 0;
        }
        .data-table td.number {
          text-align: start;
        }
        .data-table td::before {
          content: attr(data-label);
          display: block;
          font-size: 0.8em;
          color: var(--_muted);
        }
      }
    `,
  ];

  protected readonly metric = 'roi-compare';
  protected override readonly addsMoney = true;
  protected readonly titleKey = 'title.roi-compare';

  @property({ attribute: 'baseline-from' }) baselineFrom?: string;
  @property({ attribute: 'baseline-to' }) baselineTo?: string;
  /** Cohort comparison instead of periods: `channel:douyin,channel:tmall`. */
  @property() compare?: string;
  @property({ attribute: 'from-stage' }) fromStage?: string;
  @property({ attribute: 'to-stage' }) toStage?: string;

  protected override canFetch(): boolean {
    return !!((this.baselineFrom && this.baselineTo) || this.compare);
  }

  protected override metricParams() {
    return { baselineFrom: this.baselineFrom, baselineTo: this.baselineTo, compare: this.compare, fromStage: this.fromStage, toStage: this.toStage };
  }

  protected chartOption() {
    return undefined;
  }

  protected override hasChart(): boolean {
    return false;
  }

  protected override renderResult(result: MetricResult, ctx: RenderContext): TemplateResult {
    return html`<div class="table-wrap">
      <table class="data-table" part="table">
        <caption>${ctx.t(this.titleKey)}</caption>
        <thead>
          <tr>
            <th scope="col">${ctx.t('col.kpi')}</th>
            <th scope="col" class="number">${ctx.t('col.baseline')}</th>
            <th scope="col" class="number">${ctx.t('col.current')}</th>
            <th scope="col" class="number">${ctx.t('col.improvement_pct')}</th>
          </tr>
        </thead>
        <tbody>
          ${result.rows.map(
            (row) => html`<tr>
              <th scope="row">${ctx.t(`kpi.${row.kpi}`)}</th>
              <td class="number" data-label=${ctx.t('col.baseline')}>${formatKpi(row.unit as string, row.baseline as number | null, ctx)}</td>
              <td class="number" data-label=${ctx.t('col.current')}>${formatKpi(row.unit as string, row.current as number | null, ctx)}</td>
              <td class="number" data-label=${ctx.t('col.improvement_pct')}>${changeBadge(row, ctx)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }
}

define('op-roi-compare', OpRoiCompare);

declare global {
  interface HTMLElementTagNameMap {
    'op-roi-compare': OpRoiCompare;
  }
}
