import { LitElement, css, html } from 'lit';
import { property } from 'lit/decorators.js';
import type { FilterClause, OpFilterChangeEvent } from '../events/op-filter-change.js';
import { define } from '../internal/define.js';
import type { OpMetricElement } from '../internal/op-metric-element.js';

/** Attributes the dashboard hands down to the widgets inside it (unless a widget sets its own). */
const SHARED = ['api', 'token', 'from', 'to', 'channel', 'locale', 'time-zone', 'theme', 'currency'] as const;

/**
 * A layout container that shares its date range, filters, locale and theme with the widgets inside
 * it, and cross-filters them: a selection in one widget (`op-filter-change`) narrows every other
 * widget, never the one it came from.
 *
 * @example
 * <op-dashboard api="https://orderpulse.example" from="2025-01-01" to="2025-07-01" locale="zh-CN">
 *   <op-channel-funnel></op-channel-funnel>
 *   <op-friction-cost></op-friction-cost>
 * </op-dashboard>
 * @slot - the widgets
 * @csspart grid - the grid the widgets are laid out in
 * @cssproperty --op-dashboard-columns - grid columns (default repeat(auto-fill, minmax(420px, 1fr)))
 * @cssproperty --op-dashboard-gap - space between widgets (default 16px)
 */
export class OpDashboard extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    .grid {
      display: grid;
      grid-template-columns: var(--op-dashboard-columns, repeat(auto-fill, minmax(min(420px, 100%), 1fr)));
      gap: var(--op-dashboard-gap, 16px);
    }
  `;

  @property() api?: string;
  @property() token?: string;
  @property() from?: string;
  @property() to?: string;
  @property() channel?: string;
  @property() locale?: string;
  @property({ attribute: 'time-zone' }) timeZone?: string;
  @property() theme?: string;
  @property() currency?: string;

  /** The current selection of each source widget. */
  private readonly selections = new Map<string, FilterClause>();
  private readonly onFilterChange = (event: OpFilterChangeEvent) => this.applySelection(event.detail);

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('op-filter-change', this.onFilterChange);
    // Before the widgets' first update (a microtask away), so they fetch once, with the shared range.
    this.shareAttributes();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('op-filter-change', this.onFilterChange);
  }

  /** The op-* widgets inside (not nested dashboards' own). */
  get widgets(): OpMetricElement[] {
    return [...this.querySelectorAll<OpMetricElement>('*')].filter((el) => el.localName.startsWith('op-') && el.localName !== 'op-dashboard');
  }

  /** Clears every selection. */
  clearSelections(): void {
    this.selections.clear();
    this.pushSelections();
  }

  private applySelection(clause: FilterClause): void {
    if (clause.value === null) this.selections.delete(clause.source);
    else this.selections.set(clause.source, clause);
    this.pushSelections();
  }

  private pushSelections(): void {
    for (const widget of this.widgets) {
      const source = widget.id || widget.localName;
      widget.crossFilters = [...this.selections.values()].filter((c) => c.source !== source);
    }
  }

  private shareAttributes(): void {
    for (const widget of this.widgets) {
      for (const name of SHARED) {
        const value = this.getAttribute(name);
        // A widget's own attribute wins; those the dashboard set earlier are marked so they can follow changes.
        const inherited = widget.dataset[`opInherited${name.replace('-', '')}`] !== undefined;
        if (value === null) {
          if (inherited) {
            widget.removeAttribute(name);
            delete widget.dataset[`opInherited${name.replace('-', '')}`];
          }
        } else if (!widget.hasAttribute(name) || inherited) {
          widget.setAttribute(name, value);
          widget.dataset[`opInherited${name.replace('-', '')}`] = '';
        }
      }
    }
  }

  protected override updated(): void {
    this.shareAttributes();
  }

  override render() {
    return html`<div class="grid" part="grid" role="region" aria-label="OrderPulse"><slot @slotchange=${() => this.shareAttributes()}></slot></div>`;
  }
}

define('op-dashboard', OpDashboard);

declare global {
  interface HTMLElementTagNameMap {
    'op-dashboard': OpDashboard;
  }
}
