import { LitElement, css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { FilterClause, OpFilterChangeEvent } from '../events/op-filter-change.js';
import type { DrillThrough, OpDrillThroughEvent } from '../events/op-drill-through.js';
import type { OpScopeChangeEvent, ScopeChange } from '../events/op-scope-change.js';
import '../op-order-list/op-order-list.js';
import { define } from '../internal/define.js';
import { Formatter } from '../internal/format.js';
import { channelName, messagesFor } from '../internal/messages.js';
import type { OpMetricElement } from '../internal/op-metric-element.js';
import type { TokenProvider } from '../internal/api-client.js';
import type { Theme } from '../internal/theme.js';

/** Attributes the dashboard hands down to the widgets inside it (unless a widget sets its own). */
const SHARED = ['api', 'token', 'from', 'to', 'channel', 'locale', 'time-zone', 'theme', 'currency', 'compare'] as const;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A bare day at its noon in UTC: the same calendar day read in any zone from -11 to +11 hours. */
function shownDay(value: string): string {
  return DAY.test(value) ? `${value}T12:00:00Z` : value;
}

/** The last moment before an exclusive end, to show the period's last day (October's end is 1 November 00:00). */
function lastInstant(end: string): string {
  const ms = Date.parse(DAY.test(end) ? `${end}T12:00:00Z` : end);
  return Number.isFinite(ms) ? new Date(ms - (DAY.test(end) ? 86_400_000 : 1)).toISOString() : end;
}

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
 * @csspart chips - the row of active selections above the grid, each a button that clears it
 * @csspart chip - one selection
 * @csspart chip-drill - beside a selection whose orders can be listed: "List orders"
 * @csspart drill - the panel listing the orders behind a clicked bar (`op-drill-through`), above the grid
 * @csspart grid - the grid the widgets are laid out in
 * @cssproperty --op-dashboard-columns - grid columns (default repeat(auto-fill, minmax(420px, 1fr)))
 * @cssproperty --op-dashboard-gap - space between widgets (default 16px)
 */
export class OpDashboard extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    .chips {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      margin-bottom: 12px;
    }
    .chips:empty {
      display: none;
    }
    .chip-item {
      display: inline-flex;
      gap: 4px;
    }
    .chip-drill {
      font: inherit;
      font-size: 0.85em;
      padding: 2px 10px;
      border-radius: 999px;
      border: 1px dashed var(--op-chip-border, #0969da);
      background: transparent;
      color: inherit;
      cursor: pointer;
    }
    .chip {
      font: inherit;
      font-size: 0.85em;
      padding: 2px 10px;
      border-radius: 999px;
      border: 1px solid var(--op-chip-border, #0969da);
      background: var(--op-chip-background, transparent);
      color: inherit;
      cursor: pointer;
    }
    .drill {
      margin-bottom: 16px;
    }
    .drill-header {
      display: flex;
      justify-content: flex-end;
      margin-bottom: 4px;
    }
    .drill-close {
      font: inherit;
      padding: 2px 10px;
      border-radius: 6px;
      border: 1px solid var(--op-chip-border, #0969da);
      background: transparent;
      color: inherit;
      cursor: pointer;
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
  @property() theme?: Theme;
  @property() currency?: string;
  /** What KPI cards compare with: `previous` (default) or `year` (op-date-range sets it). */
  @property() compare?: string;
  /**
   * Gives a fresh embed token (a call to the host's backend), shared with every widget inside that
   * has none of its own and with the order panel: they call it again when a token expires.
   */
  @property({ attribute: false }) tokenProvider?: TokenProvider;
  /** The widgets whose tokenProvider is the dashboard's (they follow it when it changes). */
  private readonly inheritedProvider = new WeakSet<Element>();

  /** The current selection of each source widget. */
  private readonly selections = new Map<string, FilterClause>();
  private readonly onFilterChange = (event: OpFilterChangeEvent) => this.applySelection(event.detail);
  /** The orders a click asked for, listed in the panel (null: closed). */
  @state() private drill: DrillThrough | null = null;
  private readonly onDrill = (event: OpDrillThroughEvent) => this.openDrill(event.detail);
  private readonly onScope = (event: OpScopeChangeEvent) => this.applyScope(event.detail);

  /**
   * Applies a control's choice (op-date-range, op-filter) to the dashboard's own attributes, which
   * it shares with every widget that does not set its own.
   */
  applyScope(scope: ScopeChange): void {
    for (const name of ['from', 'to', 'channel', 'compare'] as const) {
      const value = scope[name];
      if (value === undefined) continue;
      if (value === '') this.removeAttribute(name);
      else this.setAttribute(name, value);
    }
  }

  /** Lists the orders of `drill` in the panel above the grid. */
  openDrill(drill: DrillThrough): void {
    this.drill = drill;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('.drill')?.scrollIntoView?.({ block: 'nearest' }));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('op-filter-change', this.onFilterChange);
    this.addEventListener('op-drill-through', this.onDrill);
    this.addEventListener('op-scope-change', this.onScope);
    // Before the widgets' first update (a microtask away), so they fetch once, with the shared range.
    this.shareAttributes();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('op-filter-change', this.onFilterChange);
    this.removeEventListener('op-drill-through', this.onDrill);
    this.removeEventListener('op-scope-change', this.onScope);
  }

  /** Closes the order panel. */
  closeDrill(): void {
    this.drill = null;
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

  /** The active selections, one per source widget. */
  get activeSelections(): FilterClause[] {
    return [...this.selections.values()];
  }

  private applySelection(clause: FilterClause): void {
    if (clause.value === null) this.selections.delete(clause.source);
    else this.selections.set(clause.source, clause);
    this.pushSelections();
  }

  private clearSelection(source: string): void {
    this.selections.delete(source);
    this.pushSelections();
  }

  private pushSelections(): void {
    // The chips show the selections.
    this.requestUpdate();
    for (const widget of this.widgets) {
      const source = widget.id || widget.localName;
      widget.crossFilters = [...this.selections.values()].filter((c) => c.source !== source);
      if (!this.selections.has(source)) widget.deselect?.();
    }
  }

  private shareAttributes(): void {
    for (const widget of this.widgets) {
      const holder = widget as { tokenProvider?: TokenProvider };
      if (this.tokenProvider && (!holder.tokenProvider || this.inheritedProvider.has(widget))) {
        holder.tokenProvider = this.tokenProvider;
        this.inheritedProvider.add(widget);
      }
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
    const t = messagesFor(this.locale ?? 'en');
    // A period in the zone its bounds were bucketed in: read in the browser's, 1 October (+08:00) showed as 30 September.
    const fmt = new Formatter(this.locale ?? 'en', this.timeZone ?? this.widgets.map((w) => w.answerTimeZone).find((tz) => tz !== undefined));
    // A channel by its display name: the tenant's, from the widgets' answers, else the default.
    const names = this.widgets.map((w) => w.channelNames).find((n) => n !== undefined);
    const valueOf = (c: FilterClause) =>
      Array.isArray(c.value) ? `${fmt.date(shownDay(c.value[0]))} – ${fmt.date(lastInstant(c.value[1]))}` : c.field === 'channel' ? channelName(String(c.value), this.locale ?? 'en', names) : String(c.value);
    return html`<div class="chips" part="chips" role="list">${this.activeSelections.map((c) => {
        const text = `${t(`filter.${c.field}`)}: ${valueOf(c)}`;
        const drill = c.drill;
        return html`<span class="chip-item" role="listitem"
          ><button class="chip" part="chip" type="button" aria-label=${t('filter.clear', { name: text })} @click=${() => this.clearSelection(c.source)}>${text} ×</button
          >${drill
            ? html`<button class="chip-drill" part="chip-drill" type="button" title=${drill.label} @click=${() => this.openDrill({ source: c.source, ...drill })}>${t('listOrders')}</button>`
            : nothing}</span
        >`;
      })}</div>
      ${this.drill ? this.renderDrill(this.drill, t) : nothing}
      <div class="grid" part="grid" role="region" aria-label="OrderPulse"><slot @slotchange=${() => this.shareAttributes()}></slot></div>`;
  }

  /** The clicked element's orders: an op-order-list with the dashboard's service, token, locale and theme, and the drill's parameters. */
  private renderDrill(drill: DrillThrough, t: ReturnType<typeof messagesFor>) {
    return html`<section class="drill" part="drill" aria-label=${drill.label}>
      <div class="drill-header"><button class="drill-close" type="button" @click=${() => this.closeDrill()}>${t('closePanel')}</button></div>
      <op-order-list
        .api=${this.api ?? ''}
        .token=${this.token}
        .tokenProvider=${this.tokenProvider}
        .locale=${this.locale ?? 'en'}
        .theme=${this.theme}
        .timeZone=${drill.params.tz ?? this.timeZone}
        .currency=${this.currency}
        .stage=${drill.params.stage}
        .ageBucket=${drill.params.ageBucket}
        .label=${drill.label}
        .query=${{ ...(drill.params.ageBucket ? { sort: '-age' } : {}), ...drill.params }}
      ></op-order-list>
    </section>`;
  }
}

define('op-dashboard', OpDashboard);

declare global {
  interface HTMLElementTagNameMap {
    'op-dashboard': OpDashboard;
  }
}
