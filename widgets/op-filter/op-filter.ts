import type { ChannelNames } from '../internal/envelope.js';
import { drawsDark, type Theme } from '../internal/theme.js';
import { LitElement, css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { Task } from '@lit/task';
import { OpScopeChangeEvent } from '../events/op-scope-change.js';
import { fetchMetric, serviceUrl, type TokenProvider } from '../internal/api-client.js';
import { buttonStyles, visuallyHidden } from '../internal/base-styles.js';
import { controlStyles } from '../internal/control-styles.js';
import { define } from '../internal/define.js';
import { channelName, messagesFor } from '../internal/messages.js';

interface ExtentChannels {
  channels: { code: string; orders: number }[];
  channelNames?: ChannelNames;
}

/**
 * A multi-select of the channels the caller's data holds (from `GET /api/extent`, by display
 * name, with each one's order count), for a dashboard's `channel`. None checked is every channel.
 * Inside `op-dashboard` it sets the dashboard's channels.
 *
 * @example <op-filter channel="tmall,jd"></op-filter>
 * @fires op-scope-change - the channels chosen (`channel`, comma-separated; empty for all)
 * @csspart root - the disclosure (its summary says what is chosen)
 */
export class OpFilter extends LitElement {
  static override styles = [
    ...controlStyles,
    buttonStyles,
    visuallyHidden,
    css`
      details {
        position: relative;
      }
      summary {
        cursor: pointer;
        min-width: 8em;
        list-style-position: inside;
      }
      .menu {
        position: absolute;
        z-index: 10;
        margin: 4px 0 0;
        min-width: 100%;
        padding: 6px 8px;
        border: 1px solid var(--_grid);
        border-radius: 4px;
        background: var(--_bg);
        box-shadow: 0 4px 12px rgb(0 0 0 / 15%);
      }
      .option {
        display: grid;
        grid-template-columns: auto 1fr auto;
        align-items: center;
        gap: 6px;
        padding: 2px 0;
        color: var(--_text);
        font-size: 1em;
        white-space: nowrap;
        flex-direction: row;
      }
      .count {
        color: var(--_muted);
        font-variant-numeric: tabular-nums;
      }
      .reset {
        margin-top: 4px;
      }
    `,
  ];

  /** Base URL of the OrderPulse service; empty means the page's own origin. */
  @property() api = '';
  /** Embed token sent as `Authorization: Bearer …`. */
  @property() token?: string;
  @property({ attribute: false }) tokenProvider?: TokenProvider;
  /** The channels chosen, comma-separated (none: every channel). */
  @property({ reflect: true }) channel?: string;
  @property() locale = 'en';
  @property({ reflect: true }) theme?: Theme;
  @state() private open = false;

  private readonly extent = new Task(this, {
    task: async ([api, token], { signal }) => {
      const fresh = this.tokenProvider ? await this.tokenProvider() : token;
      return (await fetchMetric(serviceUrl(api, '/api/extent', {}), fresh, signal)) as unknown as ExtentChannels;
    },
    args: () => [this.api, this.token] as const,
  });

  private chosen(): string[] {
    return (this.channel ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  }

  private set(codes: string[]): void {
    this.channel = codes.join(',');
    this.dispatchEvent(new OpScopeChangeEvent({ source: this.id || this.localName, channel: this.channel }));
  }

  override render() {
    const t = messagesFor(this.locale);
    const dark = drawsDark(this, this.theme);
    const extent = this.extent.value;
    const name = (code: string) => channelName(code, this.locale, extent?.channelNames);
    const chosen = this.chosen();
    const summary = chosen.length === 0 ? t('filter.allValues') : chosen.length <= 2 ? chosen.map(name).join(', ') : t('filter.some', { count: chosen.length });
    return html`<div class="root ${dark ? 'dark' : ''}" part="root" lang=${this.locale}>
      <div class="field">
        <span id="label">${t('filter.channel')}</span>
        <details ?open=${this.open} @toggle=${(e: Event) => (this.open = (e.target as HTMLDetailsElement).open)}>
          <summary aria-describedby="label">${summary}</summary>
          <fieldset class="menu">
            <legend class="visually-hidden">${t('filter.channel')}</legend>
            ${(extent?.channels ?? []).map(
              (c) => html`<label class="option"
                ><input
                  type="checkbox"
                  value=${c.code}
                  .checked=${chosen.includes(c.code)}
                  @change=${(e: Event) => {
                    const on = (e.target as HTMLInputElement).checked;
                    this.set(on ? [...chosen, c.code] : chosen.filter((x) => x !== c.code));
                  }}
                /><span class="name">${name(c.code)}</span><span class="count">${new Intl.NumberFormat(this.locale).format(c.orders)}</span></label
              >`,
            )}
            ${chosen.length > 0 ? html`<button class="button reset" type="button" @click=${() => this.set([])}>${t('filter.reset')}</button>` : nothing}
          </fieldset>
        </details>
      </div>
    </div>`;
  }
}


define('op-filter', OpFilter);

declare global {
  interface HTMLElementTagNameMap {
    'op-filter': OpFilter;
  }
}
