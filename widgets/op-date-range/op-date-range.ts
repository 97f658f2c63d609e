import { drawsDark, type Theme } from '../internal/theme.js';
import { LitElement, html } from 'lit';
import { property } from 'lit/decorators.js';
import { OpScopeChangeEvent } from '../events/op-scope-change.js';
import { controlStyles } from '../internal/control-styles.js';
import { define } from '../internal/define.js';
import { messagesFor } from '../internal/messages.js';
import { PRESETS, addDays, presetRange, todayIn, type Preset } from './presets.js';

/**
 * The period a dashboard shows: presets (last 7, 30 or 90 days, this week in the locale's weeks,
 * this or last month, this quarter, this or last year) or custom dates, and what KPI cards compare
 * with. The dates shown are the days included (the end day too); the event's `to` is the day
 * after, as the service reads ranges. Inside `op-dashboard` it sets the dashboard's range.
 *
 * @example <op-date-range from="2025-01-01" to="2026-01-01" today="2025-12-31"></op-date-range>
 * @fires op-scope-change - a new range (`from`, `to`) or comparison (`compare`)
 * @csspart root - the row of fields
 */
export class OpDateRange extends LitElement {
  static override styles = controlStyles;

  /** Start of the range (inclusive), `YYYY-MM-DD`. */
  @property({ reflect: true }) from?: string;
  /** End of the range (exclusive), `YYYY-MM-DD`. */
  @property({ reflect: true }) to?: string;
  /** The day presets end on (default: today in `time-zone`); a page over old data sets its last day. */
  @property() today?: string;
  @property() locale = 'en';
  @property({ attribute: 'time-zone' }) timeZone?: string;
  @property({ reflect: true }) theme?: Theme;
  /** What KPI cards compare with: `previous` (the period before, default) or `year` (the same period a year earlier). */
  @property({ reflect: true }) compare: 'previous' | 'year' = 'previous';

  private day(): string {
    return this.today ?? todayIn(this.timeZone);
  }

  /** The preset the current range is, if it is one. */
  private current(): Preset | 'custom' {
    if (!this.from || !this.to) return 'custom';
    return PRESETS.find((p) => {
      const r = presetRange(p, this.day(), this.locale);
      return r.from === this.from && r.to === this.to;
    }) ?? 'custom';
  }

  private choose(from: string, to: string): void {
    if (!from || !to || from >= to) return;
    this.from = from;
    this.to = to;
    this.dispatchEvent(new OpScopeChangeEvent({ source: this.id || this.localName, from, to }));
  }

  override render() {
    const t = messagesFor(this.locale);
    const dark = drawsDark(this, this.theme);
    const preset = this.current();
    const last = this.to ? addDays(this.to, -1) : '';
    return html`<div class="root ${dark ? 'dark' : ''}" part="root" role="group" aria-label=${t('range.label')} lang=${this.locale}>
      <label
        >${t('range.period')}
        <select
          @change=${(e: Event) => {
            const value = (e.target as HTMLSelectElement).value as Preset | 'custom';
            if (value === 'custom') return;
            const r = presetRange(value, this.day(), this.locale);
            this.choose(r.from, r.to);
          }}
        >
          ${PRESETS.map((p) => html`<option value=${p} ?selected=${p === preset}>${t(`range.${p}`)}</option>`)}
          <option value="custom" ?selected=${preset === 'custom'}>${t('range.custom')}</option>
        </select></label
      >
      <label
        >${t('range.from')}
        <input type="date" .value=${this.from ?? ''} max=${last} @change=${(e: Event) => this.choose((e.target as HTMLInputElement).value, this.to ?? '')}
      /></label>
      <label
        >${t('range.through')}
        <input
          type="date"
          .value=${last}
          min=${this.from ?? ''}
          @change=${(e: Event) => {
            const value = (e.target as HTMLInputElement).value;
            if (value) this.choose(this.from ?? '', addDays(value, 1));
          }}
      /></label>
      <label
        >${t('range.compare')}
        <select
          @change=${(e: Event) => {
            this.compare = (e.target as HTMLSelectElement).value as 'previous' | 'year';
            this.dispatchEvent(new OpScopeChangeEvent({ source: this.id || this.localName, compare: this.compare }));
          }}
        >
          <option value="previous" ?selected=${this.compare === 'previous'}>${t('range.comparePrevious')}</option>
          <option value="year" ?selected=${this.compare === 'year'}>${t('range.compareYear')}</option>
        </select></label
      >
    </div>`;
  }
}

define('op-date-range', OpDateRange);

declare global {
  interface HTMLElementTagNameMap {
    'op-date-range': OpDateRange;
  }
}
