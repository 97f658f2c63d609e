import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { Task, TaskStatus, initialState } from '@lit/task';
import { ChartController } from '../controllers/chart-controller.js';
import type { ChartOption } from '../echarts/echarts.js';
import { OpFilterChangeEvent, type FilterClause } from '../events/op-filter-change.js';
import { OpDrillThroughEvent, type DrillThrough } from '../events/op-drill-through.js';
import { MetricRequestError, fetchMetric, metricUrl, type MetricResult, type TokenProvider } from './api-client.js';
import { OpTokenExpiredEvent } from '../events/op-token-expired.js';
import { annotate, fetchAnnotations, inLocale, type Annotations } from './annotations.js';
import { baseStyles } from './base-styles.js';
import { cellKind, formatCell, type Translate } from './cell-format.js';
import { download, toCsv } from './download.js';
import { emphasize, type SelectionMark } from './selection.js';
import { Formatter } from './format.js';
import { channelName, messagesFor, type MessageKey } from './messages.js';
import { baseOption, drawsDark, readColors, type ChartColors, type Theme } from './theme.js';

/** What a widget's pure option builder gets besides the rows. */
export interface RenderContext {
  t: Translate;
  fmt: Formatter;
  colors: ChartColors;
  base: ReturnType<typeof baseOption>;
  /** The chart's width and height in CSS pixels, to fit labels and panels to. */
  width: number;
  height: number;
  /** Bucket size for date labels. */
  granularity: 'day' | 'week' | 'month' | 'hour';
  /** A channel's display name in the widget's locale (its code stays the value filters and colours key on). */
  channel: (code: string) => string;
  /** A dimension value as people read it: a channel by its name, any other value as it is. */
  label: (field: string | null | undefined, value: string) => string;
}

/** Cross-filter fields and the query parameter each narrows. */
const FILTER_PARAMS: Record<string, string> = {
  channel: 'channel',
  region: 'region',
  sku_series: 'skuSeries',
  customer_tier: 'customerTier',
  promotion_id: 'promotion',
  warehouse: 'warehouse',
};

/** `from` before `to`: days compare as text, date-times (or a day against one) as instants. */
function rangeHasTime(from: string, to: string): boolean {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (day.test(from) && day.test(to)) return from < to;
  const ms = (v: string) => Date.parse(day.test(v) ? `${v}T00:00:00` : v);
  return !(ms(from) >= ms(to));
}

/** Whether asking again may help: not for a refusal of the request itself (a 4xx other than 429). */
const retryable = (error: unknown) => !(error instanceof MetricRequestError) || error.status === 0 || error.status === 429 || error.status >= 500;

/**
 * Base of every metric widget: the shared attributes, fetching through the
 * service (stale requests aborted), the loading / empty / error states, the
 * chart ⇄ table toggle, CSV and PNG export, and `op-filter-change`.
 *
 * @fires op-filter-change - the user selected (or cleared) a channel, stage or period
 * @fires op-drill-through - the user clicked an element whose orders can be listed
 * @fires op-token-expired - the service refused the embed token as expired (retried once through tokenProvider when it gives a new one)
 * @csspart header - the title row
 * @csspart title - the heading
 * @csspart updated - when the data was last imported ("Updated 12 minutes ago")
 * @csspart toolbar - the table toggle and download buttons
 * @csspart chart - the chart container
 * @csspart table - the data table
 * @csspart state - the loading, empty and error messages
 * @cssproperty --op-chart-height - height of the chart area (default 300px)
 */
export abstract class OpMetricElement extends LitElement {
  static override styles = baseStyles;

  /** Base URL of the OrderPulse service; empty means the page's own origin. */
  @property() api = '';
  /** Embed token sent as `Authorization: Bearer …`. */
  @property() token?: string;
  /** Called before each request for a fresh token (e.g. before the current one expires). */
  @property({ attribute: false }) tokenProvider?: TokenProvider;
  /** Start of the range (inclusive): `YYYY-MM-DD` or an ISO date-time. */
  @property() from?: string;
  /** End of the range (exclusive). */
  @property() to?: string;
  /** Comma-separated channel codes. */
  @property() channel?: string;
  /** Breakdown dimension (`channel`, `sku_series`, `region`, `customer_tier`, `promotion_id`). */
  @property({ attribute: 'group-by' }) groupBy?: string;
  /** `day`, `week` or `month`, where the metric buckets by time. */
  @property() interval?: string;
  /** `en` or `zh-CN` (labels and Intl formatting). */
  @property({ reflect: true }) locale = 'en';
  /** IANA time zone for dates (default: the service's setting). */
  @property({ attribute: 'time-zone' }) timeZone?: string;
  /**
   * `light`, `dark`, or `auto` (follows prefers-color-scheme). Unset: light, unless the host page is
   * dark only (`color-scheme: dark`): a widget inside a light host page stays light whatever the OS.
   */
  @property({ reflect: true }) theme?: Theme;
  /**
   * ISO 4217 currency of the orders whose money values a widget adds (needed when the store holds
   * several; default: the orders' one currency, as the service answers it).
   */
  @property() currency?: string;
  /** Selections from other widgets, set by `op-dashboard` (or a host page). */
  @property({ attribute: false }) crossFilters: FilterClause[] = [];

  @state() protected view: 'chart' | 'table' = 'chart';
  /** Whether the definition panel (the ⓘ button) is open. */
  @state() private infoOpen = false;

  protected abstract readonly metric: string;
  protected abstract readonly titleKey: MessageKey;
  protected readonly chart = new ChartController(
    this,
    (params) => this.handleChartClick(params),
    // A new width may fit other labels, or another number of panels (a taller chart): render again.
    () => this.requestUpdate(),
  );
  private darkQuery?: MediaQueryList;
  /** The OS switched light and dark: `auto` follows it. */
  private readonly onSchemeChange = () => this.requestUpdate();
  /** What a click in this chart selected (its value, to clear it on a second click) and how the chart shows it. */
  private selection: { key: string; mark: SelectionMark } | null = null;

  protected readonly data = new Task(this, {
    task: async ([url, token], { signal }) => {
      if (!this.canFetch() || this.outsideSelection()) return initialState;
      const fresh = this.tokenProvider ? await this.tokenProvider() : token;
      // A time chart's notes and promotions, asked beside the data so the chart is drawn once, with them.
      const marks = this.annotatesTime ? fetchAnnotations(this.api, fresh) : undefined;
      try {
        const result = this.toResult(await fetchMetric(url, fresh, signal));
        if (marks) this.marks = (await marks) ?? null;
        return result;
      } catch (error) {
        if (!(error instanceof MetricRequestError) || error.code !== 'token_expired') throw error;
        // An expired token: once more with a new one from the provider, which may renew it now.
        const renewed = this.tokenProvider ? await this.tokenProvider() : undefined;
        const retried = renewed !== undefined && renewed !== fresh;
        this.dispatchEvent(new OpTokenExpiredEvent({ source: this.id || this.localName, retried }));
        if (!retried) throw error;
        return this.toResult(await fetchMetric(url, renewed, signal));
      }
    },
    args: () => [this.requestUrl(), this.token] as const,
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.darkQuery = window.matchMedia('(prefers-color-scheme: dark)');
    this.darkQuery.addEventListener('change', this.onSchemeChange);
    this.onSchemeChange();
    // Moved or re-added: the chart was disposed on disconnect, so draw it again.
    if (this.hasUpdated) this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.darkQuery?.removeEventListener('change', this.onSchemeChange);
  }

  /** False while a required attribute is missing: the widget waits instead of asking for an error. */
  protected canFetch(): boolean {
    return true;
  }

  /** The metric's own query parameters (beyond range, channel, interval, group-by). */
  protected metricParams(): Record<string, string | undefined> {
    return {};
  }

  /** The ECharts option for the rows; undefined for widgets that render HTML only. */
  protected abstract chartOption(result: MetricResult, ctx: RenderContext): ChartOption | undefined;

  /** Turns a chart click into a selection, or undefined when the click selects nothing. */
  protected clickToFilter(_params: { name?: string; seriesName?: string; seriesId?: string; dataIndex?: number }, _result: MetricResult): Omit<FilterClause, 'source' | 'kind'> | undefined {
    return undefined;
  }

  /** Turns a chart click into a request for the orders behind it, or undefined (then clickToFilter decides). */
  protected clickToDrill(_params: { name?: string; seriesName?: string; dataIndex?: number }, _result: MetricResult): Omit<DrillThrough, 'source'> | undefined {
    return undefined;
  }

  /** The orders behind a selection a click made, offered beside it (a funnel bar: the step's lost orders). */
  protected selectionDrill(_params: { name?: string; seriesName?: string; seriesId?: string; dataIndex?: number }, _result: MetricResult): Omit<DrillThrough, 'source'> | undefined {
    return undefined;
  }

  /** The widget's scope as GET /api/orders parameters (its range, filters and selections). */
  protected listParams(): Record<string, string> {
    const { groupBy: _g, interval: _i, ...scope } = this.requestParams();
    return Object.fromEntries(Object.entries(scope).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
  }

  /** The answer as the widget draws it (an order page becomes rows, for instance). */
  protected toResult(body: MetricResult): MetricResult {
    return body;
  }

  /** The row a chart click landed on, when the chart draws one data point per row. */
  protected clickedRow(params: { dataIndex?: number }, result: MetricResult): Record<string, unknown> | undefined {
    return result.rows[params.dataIndex ?? -1];
  }

  /** Columns shown in the table view (default: all). */
  protected tableColumns(result: MetricResult): string[] {
    return result.columns.map((c) => c.name);
  }

  /** A height the chart needs beyond --op-chart-height (op-channel-funnel: its rows of funnels). */
  protected chartMinHeight(_result: MetricResult, _ctx: RenderContext): number | undefined {
    return undefined;
  }

  /** The widget's heading. */
  protected heading(ctx: RenderContext): string {
    return ctx.t(this.titleKey);
  }

  /** A sentence describing the chart for screen readers. */
  protected describe(result: MetricResult, ctx: RenderContext): string {
    return ctx.t('summary', { title: this.heading(ctx), count: result.rows.length });
  }

  /** How the rows' times read (the table, labels): by the interval, else as days. */
  protected timeGranularity(): RenderContext['granularity'] {
    return (this.interval as RenderContext['granularity']) ?? 'day';
  }

  /** Whether the metric adds money, and takes `currency`. */
  protected readonly addsMoney: boolean = false;

  /** The cross-filter fields this widget's metric can follow (undefined: all of them). */
  protected readonly crossFilterFields?: readonly string[];

  protected requestParams(): Record<string, string | undefined> {
    const params: Record<string, string | undefined> = {
      from: this.from,
      to: this.to,
      channel: this.channel,
      groupBy: this.groupBy,
      interval: this.interval,
      tz: this.timeZone,
      ...(this.addsMoney ? { currency: this.currency?.toUpperCase() } : {}),
      ...this.metricParams(),
    };
    for (const clause of this.crossFilters) {
      if (clause.value === null || (this.crossFilterFields && !this.crossFilterFields.includes(clause.field))) continue;
      const param = FILTER_PARAMS[clause.field];
      if (param && typeof clause.value === 'string') params[param] = clause.value;
      if (clause.field === 'created_at' && Array.isArray(clause.value)) {
        const [start, end] = clause.value;
        params.from = params.from && params.from > start ? params.from : start;
        params.to = params.to && params.to < end ? params.to : end;
      }
    }
    return params;
  }

  requestUrl(): string {
    return metricUrl(this.api, this.metric, this.requestParams());
  }

  /**
   * Whether the selection made in other widgets leaves none of this widget's range (a month
   * clicked outside it): the widget says so instead of asking the service for an empty range.
   */
  protected outsideSelection(): boolean {
    const { from, to } = this.requestParams();
    return from !== undefined && to !== undefined && !rangeHasTime(from, to);
  }

  /** Forgets the selection made in this chart (the dashboard's chip for it was cleared). */
  deselect(): void {
    if (this.selection === null) return;
    this.selection = null;
    this.drawChart();
  }

  /** Fetches again (the error state's retry button). */
  refresh(): void {
    void this.data.run();
  }

  protected context(): RenderContext {
    const root = this.renderRoot.querySelector('.root');
    const colors = root ? readColors(root) : readColors(this);
    const granularity = this.timeGranularity();
    // Dates read in the zone the service bucketed them in, unless the page chose one.
    const timeZone = this.timeZone ?? (this.data.value?.params.tz as string | undefined);
    const currency = this.currency ?? (this.data.value?.params.currency as string | null | undefined) ?? 'CNY';
    const names = this.data.value?.meta.channelNames;
    const channel = (code: string) => channelName(code, this.locale, names);
    const label = (field: string | null | undefined, value: string) => (field === 'channel' ? channel(value) : value);
    const box = this.renderRoot.querySelector<HTMLElement>('.chart');
    const width = box?.clientWidth || this.clientWidth || 600;
    const height = box?.clientHeight || 300;
    return { t: messagesFor(this.locale), fmt: new Formatter(this.locale, timeZone, currency), colors, base: baseOption(colors), width, height, granularity, channel, label };
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    const container = this.renderRoot.querySelector<HTMLElement>('.chart');
    if (!container) {
      this.chart.dispose();
      return;
    }
    // While a new answer is on its way the chart keeps showing the one before (dimmed).
    if (this.data.status === TaskStatus.PENDING && this.chart.chart) return;
    this.drawChart();
  }

  /** Builds the chart's option for the container's width and draws it. */
  private drawChart(): void {
    const result = this.data.value;
    const container = this.renderRoot.querySelector<HTMLElement>('.chart');
    if (container && result && result.rows.length > 0) {
      const ctx = this.context();
      let option = this.chartOption(result, ctx);
      const axis = option && this.annotationAxis(result, option);
      if (option && axis) {
        if (this.marks) option = annotate(option, axis.buckets, axis.labels, inLocale(this.marks, this.locale), ctx.colors, { channels: result.params.channel as string[] | undefined, to: result.params.to as string | null | undefined });
      }
      if (option && this.selection) option = emphasize(option, this.selection.mark);
      if (option) this.chart.render(container, option);
    }
  }

  /** The notes and promotions of GET /api/annotations, asked with each answer (null: none to draw). */
  private marks?: Annotations | null;

  /** Whether the chart's x-axis is the answer's time buckets, on which the tenant's notes and promotions are drawn. */
  protected readonly annotatesTime: boolean = false;

  /**
   * A time chart's buckets (their starts, oldest first: the x-axis' order) and its axis labels;
   * undefined for a chart without a time axis (or one drawn by group).
   */
  private annotationAxis(result: MetricResult, option: ChartOption): { buckets: string[]; labels: string[] } | undefined {
    if (!this.annotatesTime) return undefined;
    const buckets = [...new Set(result.rows.map((r) => r.bucket).filter((b): b is string => typeof b === 'string'))].sort();
    const labels = (option as { xAxis?: { data?: unknown } }).xAxis?.data;
    if (!Array.isArray(labels) || labels.length !== buckets.length) return undefined;
    return { buckets, labels: labels as string[] };
  }

  private handleChartClick(params: { name?: string; seriesName?: string; seriesId?: string; dataIndex?: number }): void {
    const result = this.data.value;
    if (!result) return;
    const drill = this.clickToDrill(params, result);
    if (drill) {
      this.dispatchEvent(new OpDrillThroughEvent({ source: this.id || this.localName, ...drill }));
      return;
    }
    const clause = this.clickToFilter(params, result);
    if (!clause) return;
    const key = JSON.stringify(clause.value);
    const value = this.selection?.key === key ? null : clause.value;
    // A channel drawn as a series (group-jd, orders-jd…) marks its series; anything else the point clicked.
    const bySeries = typeof clause.value === 'string' && params.seriesId?.endsWith(`-${clause.value}`);
    this.selection = value === null ? null : { key, mark: bySeries ? { group: clause.value as string } : { dataIndex: params.dataIndex } };
    this.drawChart();
    const orders = value === null ? undefined : this.selectionDrill(params, result);
    this.dispatchEvent(
      new OpFilterChangeEvent({ source: this.id || this.localName, field: clause.field, kind: Array.isArray(clause.value) ? 'interval' : 'point', value, ...(orders ? { drill: orders } : {}) }),
    );
  }

  protected downloadCsv(): void {
    const result = this.data.value;
    if (!result) return;
    const csv = this.csvOf(result);
    download(csv.name, new Blob([toCsv(csv.result)], { type: 'text/csv;charset=utf-8' }));
  }

  /** What the CSV button saves: the answer's rows, named after the metric (op-kpi: its own KPI's row). */
  protected csvOf(result: MetricResult): { name: string; result: MetricResult } {
    return { name: `${this.metric}.csv`, result };
  }

  /** Download buttons a widget adds after CSV (op-order-list: XLSX). */
  protected extraDownloads(_ctx: RenderContext, _hasRows: boolean): TemplateResult | typeof nothing {
    return nothing;
  }

  /**
   * What a shared PNG says above its chart: the title, the range it covers (the last day included)
   * in its zone, and every filter of the answer, channels by name.
   */
  pngCaption(): string[] {
    const result = this.data.value;
    const ctx = this.context();
    if (!result) return [this.heading(ctx)];
    const p = result.params as Record<string, unknown>;
    const from = typeof p.from === 'string' ? ctx.fmt.date(p.from) : null;
    const last = typeof p.to === 'string' ? ctx.fmt.date(new Date(Date.parse(p.to) - 1).toISOString()) : null;
    const range = from || last ? `${from ?? '…'} – ${last ?? '…'}` : ctx.t('png.allData');
    const lists: [string, string][] = [['channel', 'channel'], ['region', 'region'], ['skuSeries', 'sku_series'], ['customerTier', 'customer_tier'], ['promotion', 'promotion_id'], ['warehouse', 'warehouse']];
    const filters = lists.flatMap(([param, field]) => {
      const values = Array.isArray(p[param]) ? (p[param] as string[]) : [];
      return values.length > 0 ? [`${ctx.t(`filter.${field}`)}: ${values.map((v) => ctx.label(field, v)).join(', ')}`] : [];
    });
    return [this.heading(ctx), [`${range}${typeof p.tz === 'string' ? ` (${p.tz})` : ''}`, ...filters].join(' · ')];
  }

  /** The chart as a PNG with its caption drawn above it (pngCaption), at twice the screen's pixels. */
  async pngDataUrl(): Promise<string | undefined> {
    const ctx = this.context();
    const url = this.chart.pngDataUrl(ctx.colors.background);
    if (!url) return undefined;
    const image = new Image();
    image.src = url;
    await image.decode();
    const [title, subtitle] = this.pngCaption();
    const scale = 2;
    const pad = 12 * scale;
    const header = 52 * scale;
    const canvas = document.createElement('canvas');
    canvas.width = image.width + 2 * pad;
    canvas.height = image.height + header + pad;
    const g = canvas.getContext('2d')!;
    g.fillStyle = ctx.colors.background;
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = ctx.colors.text;
    g.font = `600 ${16 * scale}px ${ctx.colors.fontFamily}`;
    g.fillText(title ?? '', pad, pad + 16 * scale);
    g.fillStyle = ctx.colors.muted;
    g.font = `${12 * scale}px ${ctx.colors.fontFamily}`;
    g.fillText(subtitle ?? '', pad, pad + 38 * scale, canvas.width - 2 * pad);
    g.drawImage(image, pad, header);
    return canvas.toDataURL('image/png');
  }

  private downloadPng(): void {
    void this.pngDataUrl().then((url) => url && download(`${this.metric}.png`, url));
  }

  /** A table cell as people read it: a channel (or a group of channels) by its display name. */
  private cellText(c: { name: string; type: string }, row: Record<string, unknown>, result: MetricResult, ctx: RenderContext): string {
    const value = row[c.name];
    if (c.name === 'group' && value === null) return ctx.t('all');
    if (typeof value === 'string' && (c.name === 'channel' || c.name === 'group')) {
      return c.name === 'channel' ? ctx.channel(value) : ctx.label((result.params.groupBy as string | null | undefined) ?? this.defaultGroupBy(), value);
    }
    return formatCell(c.name, c.type, value, ctx.fmt, ctx.t, ctx.granularity);
  }

  /** What the rows' `group` holds when the answer names no groupBy (channel-funnel: channels). */
  protected defaultGroupBy(): string | null {
    return null;
  }

  /** The group a click on a grouped series means: its id (`group-<value>`), not its display name. */
  protected clickedGroup(params: { seriesId?: string; seriesName?: string }): string | undefined {
    return params.seriesId?.startsWith('group-') ? params.seriesId.slice('group-'.length) : params.seriesName;
  }

  /** The zone the last answer was bucketed in (op-dashboard dates its chips in it). */
  get answerTimeZone(): string | undefined {
    return this.data.value?.params.tz as string | undefined;
  }

  /** The tenant's channel display names the last answer carried (op-dashboard names its chips with them). */
  get channelNames(): MetricResult['meta']['channelNames'] {
    return this.data.value?.meta.channelNames;
  }

  protected renderTable(result: MetricResult, ctx: RenderContext): TemplateResult {
    const names = this.tableColumns(result);
    const columns = names.map((name) => result.columns.find((c) => c.name === name)!).filter(Boolean);
    const numeric = (c: { name: string; type: string }) => !['text', 'label', 'date', 'boolean'].includes(cellKind(c.name, c.type));
    return html`<div class="table-wrap">
      <table class="data-table" part="table">
        <caption>${this.heading(ctx)}</caption>
        <thead>
          <tr>
            ${columns.map((c) => html`<th scope="col" class=${numeric(c) ? 'number' : ''}>${ctx.t(`col.${c.name}`)}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${result.rows.map(
            (row) =>
              html`<tr>
                ${columns.map(
                  (c) => html`<td class=${numeric(c) ? 'number' : ''}>${this.cellText(c, row, result, ctx)}</td>`,
                )}
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  /** The view for rows that exist: the chart (with its description) or the table. */
  protected renderResult(result: MetricResult, ctx: RenderContext): TemplateResult {
    if (this.view === 'table') return this.renderTable(result, ctx);
    return html`<div
        class="chart"
        part="chart"
        role="img"
        tabindex="0"
        aria-label=${this.heading(ctx)}
        aria-describedby="description"
        @keydown=${(event: KeyboardEvent) => this.chart.handleKey(event)}
      ></div>
      <p id="description" class="visually-hidden">${this.describe(result, ctx)}</p>`;
  }

  override render(): TemplateResult {
    const ctx = this.context();
    const t = ctx.t;
    const hasRows = (this.data.value?.rows.length ?? 0) > 0;
    const minHeight = hasRows && this.view !== 'table' ? this.chartMinHeight(this.data.value!, ctx) : undefined;
    return html`<section class="root ${drawsDark(this, this.theme) ? 'dark' : ''}" aria-labelledby="title" lang=${this.locale}>
      <div class="header" part="header">
        <div class="heading">
          <h2 class="title" id="title" part="title">${this.heading(ctx)}</h2>
          ${this.renderUpdated(ctx)}
        </div>
        <div class="toolbar" part="toolbar">
          ${this.renderInfoButton(ctx)}
          ${this.hasChart()
            ? html`<button class="button" type="button" aria-pressed=${this.view === 'table' ? 'true' : 'false'} @click=${() => (this.view = this.view === 'table' ? 'chart' : 'table')}>
                ${t('showTable')}
              </button>`
            : nothing}
          <button class="button" type="button" aria-label=${t('downloadCsvLabel')} ?disabled=${!hasRows} @click=${this.downloadCsv}>${t('downloadCsv')}</button>
          ${this.extraDownloads(ctx, hasRows)}
          ${this.hasChart()
            ? html`<button class="button" type="button" aria-label=${t('downloadPngLabel')} ?disabled=${!hasRows || this.view === 'table'} @click=${this.downloadPng}>
                ${t('downloadPng')}
              </button>`
            : nothing}
        </div>
      </div>
      ${this.renderInfo(ctx)}
      <div class="body" style=${minHeight === undefined ? nothing : `min-height: ${minHeight}px`}>
        ${this.outsideSelection()
          ? html`<div class="state" part="state" role="status">${t('outsideSelection')}</div>`
          : this.data.render({
          initial: () => html`<div class="skeleton" part="state" role="status" aria-label=${t('loading')}></div>`,
          // The answer drawn before stays, dimmed, until the new one is drawn (a selection clicked
          // elsewhere blanked every chart), in the same element so its chart is kept.
          pending: () => {
            const previous = this.data.value;
            return previous && this.emptyMessage(previous, ctx) === undefined
              ? this.resultView(previous, ctx, true)
              : html`<div class="skeleton" part="state" role="status" aria-label=${t('loading')}></div>`;
          },
          complete: (result) => {
            const empty = this.emptyMessage(result, ctx);
            return empty !== undefined ? html`<div class="state" part="state" role="status">${empty}</div>` : this.resultView(result, ctx, false);
          },
          error: (error) => html`<div class="state error" part="state" role="alert">
            <span>${this.errorMessage(error, ctx)}</span>
            ${retryable(error) ? html`<button class="button" type="button" @click=${() => this.refresh()}>${t('retry')}</button>` : nothing}
          </div>`,
            })}
      </div>
    </section>`;
  }

  /** What the chart shows, in the user's language (messages `info.<metric>`); none: no button. */
  private definition(ctx: RenderContext): string | undefined {
    const key = `info.${this.metric}`;
    const margin = this.data.value?.params.marginRate;
    const text = ctx.t(key, { margin: typeof margin === 'number' ? ctx.fmt.percent(margin, 0) : '' });
    return text === key ? undefined : text;
  }

  private renderInfoButton(ctx: RenderContext): TemplateResult | typeof nothing {
    if (!this.definition(ctx)) return nothing;
    return html`<button class="button info-toggle" type="button" aria-label=${ctx.t('info.button')} title=${ctx.t('info.button')}
      aria-expanded=${this.infoOpen ? 'true' : 'false'} aria-controls="info" @click=${() => (this.infoOpen = !this.infoOpen)}>ⓘ</button>`;
  }

  /** The definition, the zone the times are in, and the moment it was read at. */
  private renderInfo(ctx: RenderContext): TemplateResult | typeof nothing {
    const text = this.definition(ctx);
    if (!text || !this.infoOpen) return nothing;
    const p = this.data.value?.params ?? {};
    const zone = typeof p.tz === 'string' ? ctx.t('info.zone', { zone: p.tz }) : '';
    const asOf = typeof p.asOf === 'string' ? ctx.t('info.asOf', { at: ctx.fmt.date(p.asOf, 'hour') }) : '';
    return html`<div class="info" id="info" part="info" role="note">
      <p>${text}</p>
      ${zone || asOf ? html`<p class="info-scope">${[zone, asOf].filter(Boolean).join(' · ')}</p>` : nothing}
    </div>`;
  }

  /** "Updated 12 minutes ago": when an import last brought the scope's data (meta.dataUpdatedAt), the exact time on hover. */
  private renderUpdated(ctx: RenderContext): TemplateResult | typeof nothing {
    const at = this.data.value?.meta.dataUpdatedAt;
    if (!at) return nothing;
    return html`<span class="updated" part="updated" title=${ctx.fmt.date(at, 'hour')}>${ctx.t('updated', { ago: ctx.fmt.relative(at) })}</span>`;
  }

  private resultView(result: MetricResult, ctx: RenderContext, stale: boolean): TemplateResult {
    return html`<div class="result ${stale ? 'stale' : ''}" aria-busy=${stale ? 'true' : 'false'}>${this.renderResult(result, ctx)}</div>`;
  }

  /**
   * What to say instead of drawing when the answer holds nothing to show (no rows by default; a
   * widget whose input the data lacks says which, and how to add it); undefined: draw it.
   */
  protected emptyMessage(result: MetricResult, ctx: RenderContext): string | undefined {
    return result.rows.length === 0 ? ctx.t('empty') : undefined;
  }

  /** An error in words that help: the service's known refusals translated, others as the service said them. */
  protected errorMessage(error: unknown, ctx: RenderContext): string {
    const code = error instanceof MetricRequestError ? error.code : undefined;
    const known = code ? ctx.t(`error.${code}`) : undefined;
    if (known && known !== `error.${code}`) return known;
    return `${ctx.t('error')}: ${error instanceof Error ? error.message : String(error)}`;
  }

  /** Widgets that render HTML only (a table, a card) have no chart to toggle or export. */
  protected hasChart(): boolean {
    return true;
  }
}
