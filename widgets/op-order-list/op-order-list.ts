import { css, html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { fetchMetric, serviceUrl, type MetricResult } from '../internal/api-client.js';
import { download, toCsv } from '../internal/download.js';
import { baseStyles } from '../internal/base-styles.js';
import { define } from '../internal/define.js';
import { OpHtmlElement } from '../internal/op-html-element.js';
import type { RenderContext } from '../internal/op-metric-element.js';

/** An order page of GET /api/orders, as the service answers it. */
interface OrderPage {
  params: Record<string, unknown>;
  total: number;
  orders: Record<string, unknown>[];
  nextCursor: string | null;
  meta: MetricResult['meta'];
}

/** The columns shown, in order, and their types; those the caller's token hides are left out. */
const COLUMNS: MetricResult['columns'] = [
  { name: 'order_id', type: 'string' },
  { name: 'channel', type: 'string' },
  { name: 'created_at', type: 'time' },
  { name: 'current_stage', type: 'string' },
  { name: 'age_hours', type: 'number' },
  { name: 'promised_at', type: 'time' },
  { name: 'amount', type: 'number' },
  { name: 'friction_cost', type: 'number' },
];

/** Most rows a CSV of the whole selection holds (40 pages of 500). */
export const CSV_MAX_ROWS = 20_000;

/** A page as the table reads it, the whole selection's size and the next page's cursor kept beside the rows. */
type OrderResult = MetricResult & { total: number; nextCursor: string | null };

/**
 * The orders behind a number (GET /api/orders): a table of the orders in scope, or of those a
 * stuck-orders bar counts (`stage`, `age-bucket`), a page at a time with "Show more". `op-dashboard`
 * opens one for a clicked bar; a page can place one itself. The token needs the `orders` capability.
 *
 * @example <op-order-list stage="stock_locked" age-bucket=">3d" sort="-age"></op-order-list>
 */
export class OpOrderList extends OpHtmlElement {
  static override styles = [
    ...baseStyles,
    css`
      .result {
        display: flex;
        flex-direction: column;
      }
      .table-wrap {
        flex: 1;
        min-height: 0;
      }
      /* One line per order: a narrow card scrolls the table sideways, never the page. */
      .data-table th,
      .data-table td {
        white-space: nowrap;
      }
      /* The header stays while the rows scroll. */
      .data-table thead th {
        position: sticky;
        top: 0;
        background: var(--_bg);
      }
      .list-footer {
        display: flex;
        flex-wrap: wrap;
        justify-content: space-between;
        align-items: center;
        gap: 8px;
        padding-top: 6px;
        font-size: 0.9em;
      }
    `,
  ];
  protected readonly metric = 'orders';
  protected readonly titleKey = 'title.order-list';

  /** Only orders waiting in this stage (stuck-orders' rule). */
  @property() stage?: string;
  /** With `stage`: one age bucket (`<4h`, `4-24h`, `<1d`, `1-3d`, `>3d`). */
  @property({ attribute: 'age-bucket' }) ageBucket?: string;
  /** When stages and ages are read (default: the latest event). */
  @property({ attribute: 'as-of' }) asOf?: string;
  /** `created_at`, `promised_at`, `age`, `amount` or `friction_cost`, `-` first for descending (default `-created_at`). */
  @property() sort?: string;
  /** Rows per page (default 100, at most 500). */
  @property({ type: Number, attribute: 'page-size' }) pageSize = 100;
  /** The heading, when the list is not of one stage (a drill-through names what was clicked). */
  @property() label?: string;
  /** Any other GET /api/orders parameters (`step`, `outcome`, `component`, `customer`…), over the attributes. */
  @property({ attribute: false }) query: Record<string, string> = {};

  /** Rows of the pages fetched after the first ("Show more"). */
  @state() private more: Record<string, unknown>[] = [];
  @state() private cursor: string | null = null;
  private moreFor = '';

  protected override metricParams() {
    return { stage: this.stage, ageBucket: this.ageBucket, asOf: this.asOf, sort: this.sort, ...this.query, limit: String(this.pageSize) };
  }

  override requestUrl(): string {
    // The list takes the scope, not a breakdown or an interval.
    const { groupBy: _g, interval: _i, ...params } = this.requestParams();
    return serviceUrl(this.api, '/api/orders', params);
  }

  protected override toResult(body: MetricResult): MetricResult {
    const page = body as unknown as OrderPage;
    const shown = new Set(page.orders.flatMap((o) => Object.keys(o)));
    const result: OrderResult = {
      metric: 'orders',
      params: page.params,
      columns: COLUMNS.filter((c) => page.orders.length === 0 || shown.has(c.name)),
      rows: page.orders,
      meta: { ...page.meta, cached: false, rowCount: page.orders.length },
      total: page.total,
      nextCursor: page.nextCursor,
    };
    return result;
  }


  protected override heading(ctx: RenderContext): string {
    if (this.stage) return ctx.t('title.order-list.stage', { stage: ctx.t(`stage.${this.stage}`) }) + (this.ageBucket ? ` · ${this.ageBucket}` : '');
    return this.label ? `${ctx.t(this.titleKey)}: ${this.label}` : ctx.t(this.titleKey);
  }

  protected override timeGranularity(): RenderContext['granularity'] {
    return 'hour';
  }

  protected override describe(result: MetricResult, ctx: RenderContext): string {
    return ctx.t('ordersShown', { shown: result.rows.length, total: (result as OrderResult).total });
  }

  /** The first page's rows and those fetched since. */
  private rowsShown(result: OrderResult): { rows: Record<string, unknown>[]; cursor: string | null } {
    // A new first page (other filters) drops the pages fetched for the one before.
    if (this.moreFor !== this.requestUrl()) return { rows: result.rows, cursor: result.nextCursor };
    return { rows: [...result.rows, ...this.more], cursor: this.cursor };
  }

  private async showMore(result: OrderResult): Promise<void> {
    const { cursor } = this.rowsShown(result);
    if (!cursor) return;
    const first = this.requestUrl();
    const token = this.tokenProvider ? await this.tokenProvider() : this.token;
    const page = (await fetchMetric(`${first}&cursor=${encodeURIComponent(cursor)}`, token, new AbortController().signal)) as unknown as OrderPage;
    if (this.moreFor !== first) this.more = [];
    this.moreFor = first;
    this.more = [...this.more, ...page.orders];
    this.cursor = page.nextCursor;
  }

  protected override renderResult(result: MetricResult, ctx: RenderContext): TemplateResult {
    const page = result as OrderResult;
    const { rows, cursor } = this.rowsShown(page);
    return html`${this.renderTable({ ...page, rows }, ctx)}
      <div class="list-footer" part="footer">
        <span role="status">${ctx.t('ordersShown', { shown: ctx.fmt.integer(rows.length), total: ctx.fmt.integer(page.total) })}</span>
        ${cursor
          ? html`<button class="button" type="button" @click=${() => void this.showMore(page)}>
              ${ctx.t('loadMore', { shown: ctx.fmt.integer(rows.length), total: ctx.fmt.integer(page.total) })}
            </button>`
          : nothing}
      </div>`;
  }

  /**
   * The whole selection, not only the rows shown: every page of 500 followed by its cursor, up to
   * CSV_MAX_ROWS, for the downloads; null before the first page.
   */
  private async wholeSelection(): Promise<OrderResult | null> {
    const first = this.data.value as OrderResult | undefined;
    if (!first) return null;
    const { groupBy: _g, interval: _i, ...params } = this.requestParams();
    const base = serviceUrl(this.api, '/api/orders', { ...params, limit: '500' });
    const rows: Record<string, unknown>[] = [];
    let cursor: string | null = null;
    do {
      const token = this.tokenProvider ? await this.tokenProvider() : this.token;
      const page = (await fetchMetric(cursor ? `${base}&cursor=${encodeURIComponent(cursor)}` : base, token, new AbortController().signal)) as unknown as OrderPage;
      rows.push(...page.orders);
      cursor = page.nextCursor;
    } while (cursor && rows.length < CSV_MAX_ROWS);
    return { ...first, rows: rows.slice(0, CSV_MAX_ROWS) };
  }

  /** CSV of the whole selection, with the columns the table shows (raw values: for machines). */
  protected override downloadCsv(): void {
    void this.wholeSelection().then((all) => all && download('orders.csv', new Blob([toCsv(all)], { type: 'text/csv;charset=utf-8' })));
  }

  /**
   * An Excel workbook of the whole selection, for people: the headers in the widget's language,
   * times as dates in the list's zone (Excel has none: the wall time is written), stages by name,
   * numbers as numbers. The writer (write-excel-file) is loaded on the first click, so a page that
   * never exports never downloads it.
   */
  async xlsxBlob(): Promise<Blob | null> {
    const all = await this.wholeSelection();
    if (!all) return null;
    const { t } = this.context();
    const { default: writeXlsxFile } = await import('write-excel-file/browser');
    // "2025-04-01T06:00:00+08:00" is 06:00 on the list's clock: written as that wall time.
    const wall = (iso: unknown) => (typeof iso === 'string' ? new Date(`${iso.slice(0, 19)}Z`) : null);
    const cell = (name: string, type: string, value: unknown) => {
      if (value === null || value === undefined) return null;
      if (type === 'time') return { value: wall(value)!, type: Date, format: 'yyyy-mm-dd hh:mm' };
      if (name === 'current_stage') return { value: t(`stage.${String(value)}`) };
      if (type === 'number') return { value: Number(value), type: Number, format: name === 'age_hours' ? '0.0' : '#,##0.00' };
      return { value: String(value) };
    };
    const header = all.columns.map((c) => ({ value: t(`col.${c.name}`), fontWeight: 'bold' as const }));
    const body = all.rows.map((row) => all.columns.map((c) => cell(c.name, c.type, row[c.name])));
    return writeXlsxFile([header, ...body], { columns: all.columns.map((c) => ({ width: c.type === 'time' ? 17 : c.name === 'order_id' ? 16 : 12 })), stickyRowsCount: 1 }).toBlob();
  }

  protected override extraDownloads(ctx: RenderContext, hasRows: boolean): TemplateResult {
    return html`<button class="button" type="button" aria-label=${ctx.t('downloadXlsxLabel')} ?disabled=${!hasRows}
      @click=${() => void this.xlsxBlob().then((blob) => blob && download('orders.xlsx', blob))}>${ctx.t('downloadXlsx')}</button>`;
  }

  protected override tableColumns(result: MetricResult): string[] {
    return result.columns.map((c) => c.name);
  }
}

define('op-order-list', OpOrderList);

declare global {
  interface HTMLElementTagNameMap {
    'op-order-list': OpOrderList;
  }
}
