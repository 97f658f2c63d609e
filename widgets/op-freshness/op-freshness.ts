import { css, html, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import type { MetricResult } from '../internal/api-client.js';
import { baseStyles } from '../internal/base-styles.js';
import { define } from '../internal/define.js';
import { OpHtmlElement } from '../internal/op-html-element.js';
import type { RenderContext } from '../internal/op-metric-element.js';

/**
 * How fresh each source is: per source and channel, fresh or late against the interval expected
 * between its imports (settings `sourceIntervalHours`), when it was last imported, how old its
 * newest order is, and how long orders took to reach the store (merge latency median and p95).
 *
 * @example <op-freshness api="https://orderpulse.example" from="2025-12-01"></op-freshness>
 */
export class OpFreshness extends OpHtmlElement {
  static override styles = [
    ...baseStyles,
    css`
      .body {
        height: auto;
        min-height: 80px;
      }
      .sources {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 8px;
      }
      .source {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 2px 12px;
        padding: 8px 0;
        border-bottom: 1px solid var(--_grid);
      }
      .name {
        font-weight: 600;
      }
      .badge {
        font-weight: 600;
        justify-self: end;
      }
      .badge.fresh {
        color: var(--_good);
      }
      .badge.late {
        color: var(--_bad);
      }
      .detail {
        grid-column: 1 / -1;
        color: var(--_muted);
        font-size: 0.92em;
      }
    `,
  ];

  protected override readonly emptyKey = 'empty.freshness';
  protected readonly metric = 'freshness';
  protected readonly titleKey = 'title.freshness';

  /** The moment ages are read at (default: now). */
  @property({ attribute: 'as-of' }) asOf?: string;

  protected override metricParams() {
    return { asOf: this.asOf };
  }


  protected override tableColumns(): string[] {
    return ['source', 'channel', 'status', 'last_import_at', 'newest_order_age_hours', 'merge_p50_hours', 'merge_p95_hours'];
  }

  protected override renderResult(result: MetricResult, ctx: RenderContext): TemplateResult {
    const { t, fmt } = ctx;
    const asOf = Date.parse(String(result.params.asOf));
    const ago = (iso: unknown) => (typeof iso === 'string' ? t('freshness.ago', { age: fmt.hours((asOf - Date.parse(iso)) / 3_600_000) }) : '—');
    return html`<ul class="sources">
      ${result.rows.map(
        (r) => html`<li class="source">
          <span class="name">${ctx.channel(r.channel as string)} · ${r.source}</span>
          <span class="badge ${r.status}">${t(`freshness.${r.status}`)}</span>
          <span class="detail">${t('freshness.lastImport', { ago: ago(r.last_import_at), expected: fmt.hours(r.expected_interval_hours as number) })}</span>
          <span class="detail">${r.newest_order_age_hours === null ? '' : t('freshness.newest', { age: fmt.hours(r.newest_order_age_hours as number) })}</span>
          <span class="detail">${r.merge_p50_hours === null ? '' : t('freshness.latency', { p50: fmt.hours(r.merge_p50_hours as number), p95: fmt.hours(r.merge_p95_hours as number) })}</span>
        </li>`,
      )}
    </ul>`;
  }
}

define('op-freshness', OpFreshness);

declare global {
  interface HTMLElementTagNameMap {
    'op-freshness': OpFreshness;
  }
}
