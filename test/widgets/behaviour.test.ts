/** States, refetching, selections, the dashboard, the table, locales and the chart lifecycle. */
import { emphasize } from '../../widgets/internal/selection.js';
import { expect } from '@esm-bundle/chai';
import '../../widgets/orderpulse.js';
import { liveChartCount } from '../../widgets/controllers/chart-controller.js';
import type { FilterClause } from '../../widgets/events/op-filter-change.js';
import type { OpDashboard } from '../../widgets/op-dashboard/op-dashboard.js';
import type { OpMetricElement } from '../../widgets/internal/op-metric-element.js';
import { strFromU8, unzipSync } from 'fflate';
import { API, apiRows, chartOf, cleanup, mount, resultOf, settle, shadow } from './helpers.js';

afterEach(cleanup);

/** Clicks a data point's pixel on the chart canvas, as a user would. */
/** An op-dashboard over March-April 2025 holding `widgets`, its widgets' first answers in. */
async function mountDashboard(attributes: string, widgets: string): Promise<{ host: HTMLElement; dashboard: OpDashboard }> {
  const host = document.createElement('div');
  host.innerHTML = `<op-dashboard api="${API}" from="2025-03-01" to="2025-05-01" ${attributes}>${widgets}</op-dashboard>`;
  document.body.append(host);
  const dashboard = host.firstElementChild as OpDashboard;
  await dashboard.updateComplete;
  await Promise.all(dashboard.widgets.map(settle));
  return { host, dashboard };
}

function clickPoint(el: OpMetricElement, seriesIndex: number, dataIndex: number): void {
  const chart = chartOf(el)!;
  // The bar's own rectangle: grouped bars sit side by side within their category.
  type Layout = { x: number; y: number; width: number; height: number };
  const model = (chart as unknown as { getModel(): { getSeriesByIndex(i: number): { getData(): { getItemLayout(i: number): Layout } } } }).getModel();
  const bar = model.getSeriesByIndex(seriesIndex).getData().getItemLayout(dataIndex);
  const [x, y] = [bar.x + bar.width / 2, bar.y + bar.height / 2];
  const canvas = chart.getDom().querySelector('canvas')!;
  const box = canvas.getBoundingClientRect();
  for (const type of ['mousemove', 'mousedown', 'mouseup', 'click']) {
    canvas.dispatchEvent(new MouseEvent(type, { bubbles: true, clientX: box.left + x, clientY: box.top + y }));
  }
}

describe('states', () => {
  it('shows a loading skeleton, then the chart', async () => {
    const host = document.createElement('div');
    host.innerHTML = `<op-on-time api="${API}"></op-on-time>`;
    document.body.append(host);
    const el = host.firstElementChild as OpMetricElement;
    await el.updateComplete;
    expect(shadow(el, '.skeleton')?.getAttribute('role')).to.equal('status');
    await settle(el);
    expect(shadow(el, '.skeleton')).to.equal(null);
    expect(shadow(el, 'canvas')).to.not.equal(null);
  });

  it('fires op-chart-rendered once the new data is drawn on the canvas, and again after a refetch', async () => {
    const host = document.createElement('div');
    host.innerHTML = `<op-on-time api="${API}"></op-on-time>`;
    const drawn: number[] = [];
    host.addEventListener('op-chart-rendered', () => drawn.push(chartOf(host.firstElementChild as OpMetricElement)!.getOption().series ? 1 : 0));
    document.body.append(host);
    const el = host.firstElementChild as OpMetricElement;
    await settle(el);
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    expect(drawn).to.deep.equal([1]);
    el.setAttribute('group-by', 'channel');
    await settle(el);
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    expect(drawn).to.deep.equal([1, 1]);
  });

  it('keeps the chart drawn, dimmed, while a new selection is fetched, and the same canvas after', async () => {
    const el = await mount<OpMetricElement>(`<op-channel-funnel api="${API}"></op-channel-funnel>`);
    const canvas = shadow(el, 'canvas');
    expect(canvas).to.not.equal(null);
    el.crossFilters = [{ source: 'other', kind: 'point', field: 'channel', value: 'jd' } as FilterClause];
    await el.updateComplete;
    expect(shadow(el, '.result.stale')).to.not.equal(null);
    expect(shadow(el, '.skeleton')).to.equal(null);
    expect(shadow(el, 'canvas')).to.equal(canvas);
    await settle(el);
    expect(shadow(el, '.result.stale')).to.equal(null);
    expect(shadow(el, 'canvas')).to.equal(canvas);
    expect(resultOf(el)!.params.channel).to.deep.equal(['jd']);
  });

  it('says so when the range holds no orders, and what is missing where a widget needs more than orders', async () => {
    const el = await mount<OpMetricElement>(`<op-cycle-time api="${API}" from="2030-01-01" to="2030-02-01"></op-cycle-time>`);
    // Not "No orders in this range": a range with orders none of which was delivered yet says the same.
    expect(shadow(el, '.state')!.textContent!.trim()).to.equal('No order in this range went from Placed to Delivered.');
    const stuck = await mount<OpMetricElement>(`<op-stuck-orders api="${API}" from="2030-01-01" to="2030-02-01" as-of="2030-02-01T00:00:00+08:00" locale="zh-CN"></op-stuck-orders>`);
    expect(shadow(stuck, '.state')!.textContent!.trim()).to.equal('截至2月1日 00:00，此范围内没有未完成的订单：没有滞留。');
    const onTime = await mount<OpMetricElement>(`<op-on-time api="${API}" from="2030-01-01" to="2030-02-01"></op-on-time>`);
    expect(shadow(onTime, '.state')!.textContent!.trim()).to.equal(
      'No order in this range is due yet: an order is due once its promised date has passed, and orders need a promised date.',
    );
    const surges = await mount<OpMetricElement>(`<op-surge-alerts api="${API}" locale="zh-CN"></op-surge-alerts>`);
    expect(shadow(surges, '.state')!.textContent!.trim()).to.equal('此范围内没有订单激增：没有哪个小时超过前24小时均值的4倍（每小时至少10单）');
  });

  it("shows the service's message; a refused request has no Retry, and a corrected attribute asks again", async () => {
    const el = await mount<OpMetricElement>(`<op-cycle-time api="${API}" from-stage="boxed"></op-cycle-time>`);
    const state = shadow(el, '.state.error')!;
    expect(state.getAttribute('role')).to.equal('alert');
    expect(state.querySelector('span')!.textContent).to.equal(
      "Could not load the data: fromStage: unknown stage 'boxed'; stages are placed, paid, credit_checked, stock_locked, dispatched, picked, shipped, delivered, cancelled, refunded, returned",
    );
    expect(state.querySelector('button')).to.equal(null);
    el.setAttribute('from-stage', 'paid');
    await settle(el);
    expect(shadow(el, '.state')).to.equal(null);
    expect(resultOf(el)!.params.fromStage).to.equal('paid');
  });

  it('reports an unreachable service as an error, not a blank box', async () => {
    const el = await mount<OpMetricElement>(`<op-on-time api="http://127.0.0.1:9"></op-on-time>`);
    expect(shadow(el, '.state.error span')!.textContent).to.equal(
      'The OrderPulse service cannot be reached: check the api attribute, and that this page’s origin is among the tenant’s allowedOrigins (a refused origin looks like an unreachable service to the browser).',
    );
    // Asking again may help here.
    expect(shadow(el, '.state.error button')!.textContent!.trim()).to.equal('Retry');
  });
});

describe('attributes', () => {
  it('a changed attribute refetches with it, aborting the stale request', async () => {
    const el = await mount<OpMetricElement>(`<op-channel-funnel api="${API}"></op-channel-funnel>`);
    expect(resultOf(el)!.rows.length).to.equal(15);
    el.setAttribute('channel', 'jd');
    el.setAttribute('from', '2025-03-05'); // superseded before it can land
    el.setAttribute('from', '2025-03-01');
    await settle(el);
    expect(resultOf(el)!.params).to.include({ from: '2025-03-01T00:00:00+08:00' });
    expect(resultOf(el)!.params.channel).to.deep.equal(['jd']);
    expect(resultOf(el)!.rows.map((r) => r.orders)).to.deep.equal([2, 1, 0, 0, 0]);
  });

  it('widgets asking the same question share one request', async () => {
    const host = document.createElement('div');
    host.innerHTML = `<op-on-time api="${API}" from="2025-03-02"></op-on-time><op-on-time api="${API}" from="2025-03-02"></op-on-time>`;
    performance.clearResourceTimings();
    document.body.append(host);
    const before = performance.getEntriesByType('resource').filter((e) => e.name.includes('from=2025-03-02')).length;
    const [a, b] = [...host.children] as OpMetricElement[];
    await Promise.all([settle(a!), settle(b!)]);
    const after = performance.getEntriesByType('resource').filter((e) => e.name.includes('from=2025-03-02')).length;
    expect(after - before).to.equal(1);
    expect(resultOf(a!)).to.equal(resultOf(b!));
  });
});

describe('op-filter-change and op-dashboard', () => {
  it('clicking a channel fires op-filter-change; clicking it again clears', async () => {
    const el = await mount<OpMetricElement>(`<op-channel-funnel id="funnel" api="${API}"></op-channel-funnel>`);
    const events: FilterClause[] = [];
    document.body.addEventListener('op-filter-change', (e) => events.push(e.detail));
    clickPoint(el, 2, 0); // tmall's "placed" bar
    clickPoint(el, 2, 0);
    expect(events).to.deep.equal([
      // With the orders behind the bar, which op-dashboard offers to list (the first step: every order that entered).
      { source: 'funnel', field: 'channel', kind: 'point', value: 'tmall', drill: { metric: 'channel-funnel', params: { channel: 'tmall', step: 'placed', outcome: 'converted' }, label: 'Tmall · Placed' } },
      { source: 'funnel', field: 'channel', kind: 'point', value: null },
    ]);
  });

  it('the keyboard selects too: arrows move through the points, Enter selects', async () => {
    const el = await mount<OpMetricElement>(`<op-channel-funnel id="keys" api="${API}"></op-channel-funnel>`);
    const events: FilterClause[] = [];
    el.addEventListener('op-filter-change', (e) => events.push(e.detail));
    const chart = shadow(el, '.chart')!;
    expect(chart.tabIndex).to.equal(0);
    for (const key of ['ArrowRight', 'ArrowDown', 'ArrowDown', 'Enter']) chart.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    expect(events).to.deep.equal([{ source: 'keys', field: 'channel', kind: 'point', value: 'tmall', drill: { metric: 'channel-funnel', params: { channel: 'tmall', step: 'placed', outcome: 'converted' }, label: 'Tmall · Placed' } }]);
  });

  it('a selection a metric cannot follow is not sent to it: promotion ROI under a SKU-series driver', async () => {
    const { host, dashboard } = await mountDashboard(
      '', '<op-friction-pareto id="pareto"></op-friction-pareto><op-promotion-roi id="promotions"></op-promotion-roi><op-on-time id="follows"></op-on-time>');
    const [pareto, promotions, follows] = dashboard.widgets;
    clickPoint(pareto!, 0, 0); // the largest driver's SKU series
    await Promise.all(dashboard.widgets.map(settle));
    expect(resultOf(follows!)!.params.skuSeries).to.have.length(1);
    expect(resultOf(promotions!)!.params.skuSeries).to.deep.equal([]);
    expect(resultOf(promotions!)!.rows.length).to.be.greaterThan(0);
    host.remove();
  });

  it('a PNG carries the title, the range (its last day included) with its zone, and the filters, channels by name', async () => {
    const el = await mount<OpMetricElement>(`<op-cycle-time api="${API}" from="2025-03-01" to="2025-05-01" channel="jd,tmall" locale="zh-CN"></op-cycle-time>`);
    const caption = (el as unknown as { pngCaption(): string[] }).pngCaption();
    expect(caption).to.deep.equal(['订单周期', '2025年3月1日 – 2025年4月30日 (Asia/Shanghai) · 渠道: 京东, 天猫']);
    const hrefs: string[] = [];
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      hrefs.push(this.href);
    };
    try {
      (el.shadowRoot!.querySelector('button[aria-label="下载图表（PNG）"]') as HTMLButtonElement).click();
      for (let i = 0; i < 40 && hrefs.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    } finally {
      HTMLAnchorElement.prototype.click = click;
    }
    const image = new Image();
    image.src = hrefs[0]!;
    await image.decode();
    const chart = el.shadowRoot!.querySelector('.chart') as HTMLElement;
    // Twice the chart's pixels, with 12 px margins and a 52 px caption above it.
    expect([image.width, image.height]).to.deep.equal([chart.clientWidth * 2 + 48, chart.clientHeight * 2 + 104 + 24]);
  });

  it('a CSV holds numbers rounded as people read them: shares to 0.0001, money to the cent, no float noise', async () => {
    const el = await mount<OpMetricElement>(`<op-friction-pareto api="${API}"></op-friction-pareto>`);
    const blobs: Blob[] = [];
    const original = URL.createObjectURL;
    URL.createObjectURL = (blob: Blob | MediaSource) => (blobs.push(blob as Blob), original.call(URL, blob as Blob));
    try {
      (el.shadowRoot!.querySelector('button[aria-label="Download the data as CSV"]') as HTMLButtonElement).click();
    } finally {
      URL.createObjectURL = original;
    }
    const [header, first, second] = (await blobs[0]!.text()).trim().split('\r\n');
    const at = (line: string, name: string) => line.split(',')[header!.split(',').indexOf(name)];
    // 150 of 231: 0.6493506493506493 in the answer.
    expect(resultOf(el)!.rows[0]!.share).to.equal(0.6493506493506493);
    expect([at(first!, 'cost'), at(first!, 'share'), at(first!, 'cumulative_share')]).to.deep.equal(['150', '0.6494', '0.6494']);
    expect([at(second!, 'share'), at(second!, 'cumulative_share')]).to.deep.equal(['0.1429', '0.7922']);
  });

  it('a KPI card loads in a skeleton as tall as the card it becomes', async () => {
    const host = document.createElement('div');
    host.style.width = '260px';
    host.innerHTML = `<op-kpi api="${API}" kpi="first_response_hours" from="2025-03-01" to="2025-04-01"></op-kpi>`;
    document.body.append(host);
    const el = host.firstElementChild as OpMetricElement;
    await el.updateComplete;
    const skeleton = shadow(el, '.skeleton')!.getBoundingClientRect().height;
    await settle(el);
    expect(shadow(el, '.skeleton')).to.equal(null);
    const body = shadow(el, '.body')!.getBoundingClientRect().height;
    const parts = [...shadow(el, '.body')!.querySelectorAll('*')].map((e) => `${e.className || e.localName}:${Math.round(e.getBoundingClientRect().height)}`).join(' ');
    expect(Math.abs(skeleton - body), `skeleton ${skeleton} px, card body ${body} px: ${parts}`).to.be.at.most(6);
    host.remove();
  });

  it("a KPI card's CSV holds its own KPI, named after it; a card with an unknown KPI says which exist", async () => {
    const kpi = await mount<OpMetricElement>(`<op-kpi api="${API}" kpi="orders" from="2025-03-01" to="2025-04-01"></op-kpi>`);
    const blobs: Blob[] = [];
    const names: string[] = [];
    const original = URL.createObjectURL;
    URL.createObjectURL = (blob: Blob | MediaSource) => (blobs.push(blob as Blob), original.call(URL, blob as Blob));
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      names.push(this.download);
    };
    try {
      (kpi.shadowRoot!.querySelector('button[aria-label="Download the data as CSV"]') as HTMLButtonElement).click();
    } finally {
      URL.createObjectURL = original;
      HTMLAnchorElement.prototype.click = click;
    }
    const lines = (await blobs[0]!.text()).trim().split('\r\n');
    expect(names).to.deep.equal(['kpi-orders.csv']);
    expect(lines.length).to.equal(2);
    expect(lines[1]!.startsWith('orders,')).to.equal(true);
    const wrong = await mount<OpMetricElement>(`<op-kpi api="${API}" kpi="order" from="2025-03-01" to="2025-04-01"></op-kpi>`);
    const message = shadow(wrong, '.state.error')!.textContent!.trim();
    expect(message).to.match(/^op-kpi has no KPI 'order': set its kpi attribute to one of first_response_hours \(First response\), /);
    expect(message).to.include('orders (Orders)');
    expect(shadow(wrong, '.title')!.textContent).to.equal('KPI');
  });

  it('a month selected outside a widget range says so without a request; inside it, a KPI compares with the period before', async () => {
    const kpi = await mount<OpMetricElement>(`<op-kpi api="${API}" kpi="orders" from="2025-03-01" to="2025-04-01"></op-kpi>`);
    const before = resultOf(kpi)!;
    kpi.crossFilters = [{ source: 'friction', kind: 'interval', field: 'created_at', value: ['2025-04-01', '2025-05-01'] } as FilterClause];
    await kpi.updateComplete;
    await settle(kpi);
    expect(shadow(kpi, '.state')!.textContent!.trim()).to.equal('Outside the selected period');
    expect(shadow(kpi, '.state.error')).to.equal(null);
    expect(resultOf(kpi)).to.equal(before); // nothing was asked
    // 3-10 March: the current range narrows to it, and the previous period is the week before.
    kpi.crossFilters = [{ source: 'friction', kind: 'interval', field: 'created_at', value: ['2025-03-03', '2025-03-10'] } as FilterClause];
    await kpi.updateComplete;
    await settle(kpi);
    expect(shadow(kpi, '.state')).to.equal(null);
    const params = resultOf(kpi)!.params;
    expect([params.from, params.baselineFrom, params.baselineTo]).to.deep.equal(['2025-03-03T00:00:00+08:00', '2025-02-24T00:00:00+08:00', '2025-03-03T00:00:00+08:00']);
    // O1-O3 were created in [3 March, 10 March); O4 on the 10th.
    expect(resultOf(kpi)!.rows.find((r) => r.kpi === 'orders')!.current).to.equal(3);
  });

  it("the dashboard shares its tokenProvider with the widgets inside that have none, and with its order panel", async () => {
    const { host, dashboard } = await mountDashboard('', '<op-on-time id="on-time"></op-on-time><op-stuck-orders id="stuck" as-of="2025-04-02T09:00:00"></op-stuck-orders>');
    const [onTime, stuck] = dashboard.widgets;
    const own = () => 'own';
    stuck!.tokenProvider = own;
    const shared = () => 'shared';
    dashboard.tokenProvider = shared;
    await dashboard.updateComplete;
    expect([onTime!.tokenProvider, stuck!.tokenProvider]).to.deep.equal([shared, own]);
    const next = () => 'next';
    dashboard.tokenProvider = next;
    await dashboard.updateComplete;
    expect([onTime!.tokenProvider, stuck!.tokenProvider]).to.deep.equal([next, own]);
    dashboard.openDrill({ source: 'stuck', metric: 'stuck-orders', params: { stage: 'paid' }, label: 'Paid' });
    await dashboard.updateComplete;
    expect((dashboard.shadowRoot!.querySelector('op-order-list') as unknown as { tokenProvider: unknown }).tokenProvider).to.equal(next);
    host.remove();
  });

  it('the dashboard shows each selection as a chip that clears it', async () => {
    const { host, dashboard } = await mountDashboard('locale="zh-CN"', '<op-channel-funnel id="funnel"></op-channel-funnel><op-on-time id="on-time"></op-on-time>');
    const [funnel, onTime] = dashboard.widgets;
    const chips = () => [...dashboard.shadowRoot!.querySelectorAll('.chip')].map((c) => c.textContent!.trim());
    expect(chips()).to.deep.equal([]);
    clickPoint(funnel!, 0, 0); // douyin
    await Promise.all(dashboard.widgets.map(settle));
    await dashboard.updateComplete;
    expect(chips()).to.deep.equal(['渠道: 抖音 ×']);
    // The clicked chart shows what it selected: douyin's funnel as drawn, the others dimmed.
    const opacities = () => ((chartOf(funnel!)!.getOption() as any).series as any[]).map((s) => [s.id, s.itemStyle?.opacity ?? 1]);
    expect(opacities()).to.deep.equal([['group-douyin', 1], ['group-jd', 0.25], ['group-tmall', 0.25]]);
    (dashboard.shadowRoot!.querySelector('.chip') as HTMLButtonElement).click();
    await dashboard.updateComplete;
    await Promise.all(dashboard.widgets.map(settle));
    expect(chips()).to.deep.equal([]);
    // Its chip cleared, the selection is gone from the chart too.
    expect(opacities()).to.deep.equal([['group-douyin', 1], ['group-jd', 1], ['group-tmall', 1]]);
    expect(resultOf(onTime!)!.params.channel).to.deep.equal([]);
    host.remove();
  });

  it("a tenant's channel names show in the legend, tooltip, table and chip; a click still filters by the code", async () => {
    const admin = { Authorization: 'Bearer widget-tests', 'Content-Type': 'application/json' };
    const setNames = (channelNames: unknown) => fetch(`${API}/api/settings`, { method: 'PUT', headers: admin, body: JSON.stringify({ channelNames }) });
    await setNames({ douyin: { en: 'Douyin Shop' } });
    try {
      const { host, dashboard } = await mountDashboard('', '<op-channel-funnel id="funnel"></op-channel-funnel>');
      const [funnel] = dashboard.widgets;
      const names = ((chartOf(funnel!)!.getOption() as any).series as any[]).map((s) => s.name);
      expect(names).to.deep.equal(['Douyin Shop', 'JD', 'Tmall']);
      const events: FilterClause[] = [];
      host.addEventListener('op-filter-change', (e) => events.push((e as CustomEvent).detail));
      clickPoint(funnel!, 0, 0);
      await dashboard.updateComplete;
      expect(events.map((e) => e.value)).to.deep.equal(['douyin']);
      expect([...dashboard.shadowRoot!.querySelectorAll('.chip')].map((c) => c.textContent!.trim())).to.deep.equal(['Channel: Douyin Shop ×']);
      host.remove();
    } finally {
      await setNames({});
    }
  });

  it('a warehouse clicked in the friction Pareto narrows the other widgets to it, and its chip names it', async () => {
    const { host, dashboard } = await mountDashboard('', '<op-friction-pareto id="pareto" group-by="warehouse"></op-friction-pareto><op-on-time id="on-time"></op-on-time>');
    const [pareto, onTime] = dashboard.widgets;
    const first = resultOf(pareto!)!.rows[0]!;
    expect(first.value).to.match(/^WH-/);
    clickPoint(pareto!, 0, 0);
    await dashboard.updateComplete;
    await settle(onTime!);
    expect(resultOf(onTime!)!.params.warehouse).to.deep.equal([first.value]);
    expect([...dashboard.shadowRoot!.querySelectorAll('.chip')].map((c) => c.textContent!.trim())).to.deep.equal([`Warehouse: ${first.value} ×`]);
    host.remove();
  });

  it('the dashboard shares its range and applies a selection to the other widgets only', async () => {
    const { dashboard } = await mountDashboard(
      'locale="zh-CN"', '<op-channel-funnel id="funnel"></op-channel-funnel><op-on-time id="on-time"></op-on-time><op-on-time id="mine" from="2025-03-04"></op-on-time>');
    const [funnel, onTime, mine] = dashboard.widgets;
    expect(onTime!.getAttribute('locale')).to.equal('zh-CN');
    expect(resultOf(onTime!)!.params.from).to.equal('2025-03-01T00:00:00+08:00');
    expect(resultOf(mine!)!.params.from).to.equal('2025-03-04T00:00:00+08:00'); // its own attribute wins

    clickPoint(funnel!, 0, 0); // douyin, the first series
    await Promise.all(dashboard.widgets.map(settle));
    expect(resultOf(onTime!)!.params.channel).to.deep.equal(['douyin']);
    expect(resultOf(funnel!)!.params.channel).to.deep.equal([]); // not the source
    expect(resultOf(onTime!)!.rows.map((r) => r.due)).to.deep.equal([1]);

    dashboard.setAttribute('to', '2025-04-01');
    await dashboard.updateComplete;
    await Promise.all(dashboard.widgets.map(settle));
    expect(resultOf(funnel!)!.params.to).to.equal('2025-04-01T00:00:00+08:00');

    dashboard.clearSelections();
    await Promise.all(dashboard.widgets.map(settle));
    expect(resultOf(onTime!)!.params.channel).to.deep.equal([]);
  });
});

describe('table, locale, lifecycle', () => {
  it('a channel keeps its colour when a filter leaves it alone, and across widgets', async () => {
    const colorOf = (el: OpMetricElement, name: string) => ((chartOf(el)!.getOption() as any).series as any[]).find((s) => s.id === `group-${name}`)?.color;
    const all = await mount<OpMetricElement>(`<op-channel-funnel api="${API}"></op-channel-funnel>`);
    const jd = colorOf(all, 'jd');
    expect(jd).to.be.a('string');
    expect(colorOf(all, 'douyin')).to.not.equal(jd);
    const only = await mount<OpMetricElement>(`<op-channel-funnel api="${API}" channel="jd"></op-channel-funnel>`);
    expect(colorOf(only, 'jd')).to.equal(jd);
    const lines = await mount<OpMetricElement>(`<op-cycle-time api="${API}" interval="month" group-by="channel" to-stage="paid"></op-cycle-time>`);
    expect(colorOf(lines, 'jd')).to.equal(jd);
  });

  it('a month clicked in a bar chart stays marked: the other months dimmed, until it is clicked again', async () => {
    const { host, dashboard } = await mountDashboard('', '<op-friction-cost id="friction" interval="month"></op-friction-cost><op-on-time id="on-time"></op-on-time>');
    const [friction] = dashboard.widgets;
    const dimmed = () => ((chartOf(friction!)!.getOption() as any).series[0].data as any[]).map((d) => d?.itemStyle?.opacity ?? 1);
    expect(dimmed()).to.deep.equal([1, 1]);
    clickPoint(friction!, 0, 1);
    await dashboard.updateComplete;
    expect(dimmed()).to.deep.equal([0.25, 1]);
    clickPoint(friction!, 0, 1);
    await dashboard.updateComplete;
    expect(dimmed()).to.deep.equal([1, 1]);
    host.remove();
  });

  it("a channel selected in the surges keeps all of its series (hourly orders, average, surges) and dims the others'", () => {
    const option = { series: ['orders-douyin', 'avg-douyin', 'surge-douyin', 'orders-jd', 'avg-jd', 'surge-jd'].map((id) => ({ id, type: id.startsWith('surge') ? 'scatter' : 'line', data: [] })) };
    const marked = emphasize(option, { group: 'douyin' }) as { series: { id: string; lineStyle?: { opacity?: number } }[] };
    expect(marked.series.map((s) => [s.id, s.lineStyle?.opacity ?? 1])).to.deep.equal([
      ['orders-douyin', 1], ['avg-douyin', 1], ['surge-douyin', 1], ['orders-jd', 0.25], ['avg-jd', 0.25], ['surge-jd', 0.25],
    ]);
  });

  it('draws light by default, dark in a host page that is dark only (color-scheme), and as told by theme', async () => {
    const darkOf = async (hostStyle: string, attribute: string) => {
      const host = document.createElement('div');
      host.setAttribute('style', `width: 400px; ${hostStyle}`);
      host.innerHTML = `<op-on-time api="${API}"${attribute}></op-on-time>`;
      document.body.append(host);
      const el = host.firstElementChild as OpMetricElement;
      await settle(el);
      const dark = shadow(el, '.root')!.classList.contains('dark');
      host.remove();
      return dark;
    };
    expect(await darkOf('', '')).to.equal(false);
    expect(await darkOf('color-scheme: dark', '')).to.equal(true);
    // A host that supports both schemes has not asked for dark.
    expect(await darkOf('color-scheme: light dark', '')).to.equal(false);
    expect(await darkOf('color-scheme: dark', ' theme="light"')).to.equal(false);
    expect(await darkOf('', ' theme="dark"')).to.equal(true);
  });

  it('fits its labels again when its card is resized', async () => {
    const host = document.createElement('div');
    host.style.width = '900px';
    host.innerHTML = `<op-friction-pareto api="${API}"></op-friction-pareto>`;
    document.body.append(host);
    const el = host.firstElementChild as OpMetricElement;
    await settle(el);
    const labelWidth = () => (chartOf(el)!.getOption() as any).yAxis[0].axisLabel.width as number;
    const wide = labelWidth();
    host.style.width = '300px';
    await new Promise((resolve) => setTimeout(resolve, 100));
    await el.updateComplete;
    // 38 % of the chart's width, as laid out at each width.
    expect(labelWidth()).to.equal(Math.round(shadow(el, '.chart')!.clientWidth * 0.38));
    expect(wide).to.be.above(labelWidth() * 2);
    host.remove();
  });

  it('a duration axis reads in one unit chosen from its range, not minutes, hours and days mixed', async () => {
    // placed → delivered: p90 up to 69.6 h, so days; paid → shipped by channel: under two days, so hours.
    for (const [query, unit] of [['', /^[\d.]+ days?$/], [' from-stage="paid" to-stage="shipped"', /^[\d.]+ hr$/]] as const) {
      const el = await mount<OpMetricElement>(`<op-cycle-time api="${API}" interval="month"${query}></op-cycle-time>`);
      const formatter = (chartOf(el)!.getOption() as any).yAxis[0].axisLabel.formatter as (v: number) => string;
      const labels = [0, 12, 24, 36, 48, 60].map((v) => formatter(v));
      for (const label of labels) expect(label, labels.join(', ')).to.match(unit);
    }
    // And at a round step of that unit: 1 day (24 h) for placed → delivered, not ECharts' 20 h
    // (0, 0.8, 1.7, 2.5 days); the top tick on the step too.
    const el = await mount<OpMetricElement>(`<op-cycle-time api="${API}" interval="month"></op-cycle-time>`);
    const axis = (chartOf(el)!.getOption() as any).yAxis[0];
    expect(axis.interval).to.equal(24);
    expect(axis.max({ min: 0, max: 69.6 })).to.equal(72);
  });

  it('Before/after never overflows: stacked KPI blocks with labelled figures when narrow, four columns when wide', async () => {
    for (const [width, locale] of [[360, 'zh-CN'], [390, 'en'], [1024, 'en']] as const) {
      const host = document.createElement('div');
      host.style.width = `${width}px`;
      host.innerHTML = `<op-roi-compare api="${API}" locale="${locale}" baseline-from="2025-03-01" baseline-to="2025-03-08" to="2025-04-08"></op-roi-compare>`;
      document.body.append(host);
      const el = host.firstElementChild as OpMetricElement;
      await settle(el);
      const table = shadow(el, 'table')!;
      const body = shadow(el, '.body')!;
      expect(table.scrollWidth, `${width} ${locale}`).to.be.at.most(body.clientWidth);
      const firstRow = table.querySelector('tbody tr')!;
      const stacked = getComputedStyle(firstRow).display === 'grid';
      expect(stacked, `${width}`).to.equal(width < 440);
      if (stacked) {
        expect(getComputedStyle(firstRow.querySelector('td')!, '::before').content).to.equal(locale === 'zh-CN' ? '"改进前"' : '"Before"');
      }
      host.remove();
    }
  });

  it('ⓘ opens what the chart shows in the user language, with the zone and the moment it reads at', async () => {
    const el = await mount<OpMetricElement>(`<op-stuck-orders api="${API}" locale="zh-CN" as-of="2025-04-02T09:00:00"></op-stuck-orders>`);
    const button = shadow(el, '.info-toggle') as HTMLButtonElement;
    expect([button.getAttribute('aria-label'), button.getAttribute('aria-expanded')]).to.deep.equal(['关于此图表', 'false']);
    expect(shadow(el, '.info')).to.equal(null);
    button.click();
    await el.updateComplete;
    const info = shadow(el, '.info')!;
    expect(button.getAttribute('aria-expanded')).to.equal('true');
    expect(info.querySelector('p')!.textContent).to.equal('截至所示时间尚未结束（签收、取消、退款、退货）的订单，按其到达的最远流程环节及已在该环节等待的时长分组。');
    expect(info.querySelector('.info-scope')!.textContent).to.match(/^时区：Asia\/Shanghai · 截至 4月2日 09:00$/);
    // Every widget's metric has its definition in both catalogues.
    const { messagesFor } = await import('../../widgets/internal/messages.js');
    for (const metric of ['cycle-time', 'stage-breakdown', 'first-response', 'stuck-orders', 'on-time', 'friction-cost', 'friction-pareto', 'channel-funnel', 'roi-compare', 'promotion-roi', 'surge-alerts', 'sla', 'freshness', 'orders']) {
      for (const locale of ['en', 'zh-CN']) expect(messagesFor(locale)(`info.${metric}`), `${locale} ${metric}`).to.not.equal(`info.${metric}`);
    }
  });

  it('the table toggle shows the same numbers, formatted for zh-CN', async () => {
    const el = await mount<OpMetricElement>(`<op-friction-cost api="${API}" locale="zh-CN" group-by="channel" interval=""></op-friction-cost>`);
    const toggle = shadow(el, '.toolbar button[aria-pressed]')!;
    expect(toggle.textContent!.trim()).to.equal('表格');
    toggle.click();
    await el.updateComplete;
    expect(toggle.getAttribute('aria-pressed')).to.equal('true');
    const cells = [...el.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim()));
    // group, orders, cost per order, data moves, exceptions, contacts, expedites, share with friction
    expect(cells).to.deep.equal([
      ['—', '抖音', '2', '¥5.5', '¥11', '¥0', '¥0', '¥0', '50%'],
      ['—', '京东', '2', '¥6', '¥0', '¥0', '¥12', '¥0', '50%'],
      ['—', '天猫', '2', '¥104', '¥22', '¥30', '¥6', '¥150', '100%'],
    ]);
    expect([...el.shadowRoot!.querySelectorAll('thead th')].map((th) => th.textContent!.trim())[3]).to.equal('单均成本');
  });

  it('zh-CN durations and dates; en for comparison', async () => {
    const zh = await mount<OpMetricElement>(`<op-roi-compare api="${API}" locale="zh-CN" baseline-from="2025-03-01" baseline-to="2025-03-08" to="2025-04-08"></op-roi-compare>`);
    const firstRow = [...zh.shadowRoot!.querySelectorAll('tbody tr')][0]!;
    expect([...firstRow.children].map((c) => c.textContent!.replace(/\s+/g, ' ').trim())).to.deep.equal(['首次响应', '15分钟', '1小时', '▲ -300% 变差']);
    const en = await mount<OpMetricElement>(`<op-roi-compare api="${API}" locale="en" baseline-from="2025-03-01" baseline-to="2025-03-08" to="2025-04-08"></op-roi-compare>`);
    const enRow = [...en.shadowRoot!.querySelectorAll('tbody tr')][2]!;
    expect([...enRow.children].map((c) => c.textContent!.replace(/\s+/g, ' ').trim())).to.deep.equal(['Friction cost per order', 'CN¥73', 'CN¥4', '▼ 94.5% better']);
    // A rate changes by points: cancellations from 0 to a third, worse (no relative change from 0).
    const rateRow = [...en.shadowRoot!.querySelectorAll('tbody tr')][5]!;
    expect([...rateRow.children].map((c) => c.textContent!.replace(/\s+/g, ' ').trim())).to.deep.equal(['Cancellation rate', '0%', '33.3%', '▲ +33.3 pp worse']);
    const zhRate = [...zh.shadowRoot!.querySelectorAll('tbody tr')][5]!;
    expect(zhRate.children[3]!.textContent!.replace(/\s+/g, ' ').trim()).to.equal('▲ +33.3 个百分点 变差');
  });

  it('has an accessible name and description, and a removed widget disposes its chart', async () => {
    const before = liveChartCount();
    const el = await mount<OpMetricElement>(`<op-stage-breakdown api="${API}"></op-stage-breakdown>`);
    const chart = shadow(el, '.chart')!;
    expect(chart.getAttribute('role')).to.equal('img');
    expect(chart.getAttribute('aria-label')).to.equal('Time per stage');
    expect(shadow(el, '#description')!.textContent).to.equal('Time per stage: bottleneck Shipped → Delivered, Median 2 days');
    expect(liveChartCount()).to.equal(before + 1);
    const parent = el.parentElement!;
    el.remove();
    expect(liveChartCount()).to.equal(before);
    parent.append(el);
    await settle(el);
    expect(liveChartCount()).to.equal(before + 1);
  });
});

describe('drill-through', () => {
  it('a stuck-orders bar opens, in the dashboard, the list of exactly the orders it counts', async () => {
    const { host, dashboard } = await mountDashboard('', '<op-stuck-orders id="stuck" as-of="2025-04-02T09:00:00"></op-stuck-orders>');
    const [stuck] = dashboard.widgets;
    const drills: { params: Record<string, string>; label: string }[] = [];
    host.addEventListener('op-drill-through', (e) => drills.push((e as CustomEvent).detail));
    // The bar of credit_checked (second stage) waiting 4-24h (second series): O5, 23 h.
    const bar = resultOf(stuck!)!.rows.find((r) => r.stage === 'credit_checked' && r.age_bucket === '4-24h')!;
    expect(bar.orders).to.equal(1);
    clickPoint(stuck!, 1, 1);
    await dashboard.updateComplete;
    const list = dashboard.shadowRoot!.querySelector('op-order-list') as unknown as OpMetricElement;
    expect(list).to.not.equal(null);
    await settle(list);
    expect(drills).to.have.length(1);
    expect(drills[0]!.params).to.deep.include({ stage: 'credit_checked', ageBucket: '4-24h', asOf: '2025-04-02T09:00:00+08:00', from: '2025-03-01', to: '2025-05-01' });
    expect(drills[0]!.label).to.equal('Credit checked · 4-24h');
    const cells = [...list.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim()));
    expect(cells.length).to.equal(bar.orders);
    expect([cells[0]![0], cells[0]![1], cells[0]![3]]).to.deep.equal(['O5', 'JD', 'Credit checked']);
    expect(shadow(list, '.title')!.textContent).to.equal('Orders waiting at Credit checked · 4-24h');
    expect(shadow(list, '.list-footer [role=status]')!.textContent).to.equal('1 of 1 orders');
    // A drill is not a selection: no chip, nothing else narrowed.
    expect(dashboard.shadowRoot!.querySelectorAll('.chip').length).to.equal(0);
    (dashboard.shadowRoot!.querySelector('.drill-close') as HTMLButtonElement).click();
    await dashboard.updateComplete;
    expect(dashboard.shadowRoot!.querySelector('op-order-list')).to.equal(null);
    host.remove();
  });

  it('a step of "Time per stage" lists the orders waiting in it now, longest first, and selects nothing', async () => {
    const { host, dashboard } = await mountDashboard('', '<op-stage-breakdown id="stages"></op-stage-breakdown>');
    const [stages] = dashboard.widgets;
    const steps = resultOf(stages!)!.rows;
    // The first step whose first stage has orders waiting in it, as stuck-orders counts them.
    const stuck = await apiRows('stuck-orders', 'from=2025-03-01&to=2025-05-01');
    const waiting = (stage: unknown) => stuck.filter((r) => r.stage === stage).reduce((n, r) => n + (r.orders as number), 0);
    const index = steps.findIndex((r) => waiting(r.from_stage) > 0);
    expect(index).to.be.at.least(0);
    clickPoint(stages!, 0, index);
    await dashboard.updateComplete;
    const list = dashboard.shadowRoot!.querySelector('op-order-list') as unknown as OpMetricElement;
    await settle(list);
    expect(resultOf(list)!.params).to.deep.include({ stage: steps[index]!.from_stage, sort: '-age' });
    const rows = list.shadowRoot!.querySelectorAll('tbody tr');
    expect(rows.length).to.equal(waiting(steps[index]!.from_stage));
    expect(dashboard.shadowRoot!.querySelectorAll('.chip').length).to.equal(0);
    host.remove();
  });

  it("a funnel bar's chip offers the orders the channel lost at that step, and lists exactly them", async () => {
    const { host, dashboard } = await mountDashboard('', '<op-channel-funnel id="funnel"></op-channel-funnel>');
    const [funnel] = dashboard.widgets;
    clickPoint(funnel!, 0, 2); // douyin's "shipped" bar
    await dashboard.updateComplete;
    const offer = dashboard.shadowRoot!.querySelector('.chip-drill') as HTMLButtonElement;
    expect(offer.textContent!.trim()).to.equal('List orders');
    expect(offer.title).to.equal('Douyin · Shipped · lost');
    offer.click();
    await dashboard.updateComplete;
    const list = dashboard.shadowRoot!.querySelector('op-order-list') as unknown as OpMetricElement;
    await settle(list);
    const row = resultOf(funnel!)!.rows.find((r) => r.group === 'douyin' && r.step === 'shipped')!;
    const listed = [...list.shadowRoot!.querySelectorAll('tbody tr')].map((tr) => tr.querySelector('td')!.textContent!.trim());
    expect(listed.length).to.equal(row.drop_off);
    expect(resultOf(list)!.params).to.deep.include({ step: 'shipped', outcome: 'dropped', channel: ['douyin'] });
    expect(shadow(list, '.title')!.textContent).to.equal('Orders: Douyin · Shipped · lost');
    host.remove();
  });

  it('an order list pages with "Show more" until the whole selection is shown, in zh-CN', async () => {
    const el = await mount<OpMetricElement>(`<op-order-list api="${API}" locale="zh-CN" page-size="4" sort="created_at"></op-order-list>`);
    const ids = () => [...el.shadowRoot!.querySelectorAll('tbody tr td:first-child')].map((td) => td.textContent!.trim());
    expect(ids()).to.deep.equal(['O1', 'O2', 'O3', 'O4']);
    expect([...el.shadowRoot!.querySelectorAll('thead th')].map((th) => th.textContent!.trim())).to.deep.equal([
      '订单', '渠道', '下单时间', '环节', '已等待', '承诺时间', '金额', '摩擦成本',
    ]);
    const more = el.shadowRoot!.querySelector('.list-footer button') as HTMLButtonElement;
    expect(more.textContent!.trim()).to.equal('显示更多（4 / 6）');
    more.click();
    for (let i = 0; i < 20 && ids().length < 6; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ids()).to.deep.equal(['O1', 'O2', 'O3', 'O4', 'O5', 'O6']);
    expect(el.shadowRoot!.querySelector('.list-footer button')).to.equal(null);
    expect(shadow(el, '.list-footer [role=status]')!.textContent).to.equal('6 / 6 个订单');
  });

  it("an order list's CSV holds the whole selection, not only the page shown", async () => {
    const el = await mount<OpMetricElement>(`<op-order-list api="${API}" page-size="2" sort="created_at"></op-order-list>`);
    const blobs: Blob[] = [];
    const original = URL.createObjectURL;
    URL.createObjectURL = (blob: Blob | MediaSource) => (blobs.push(blob as Blob), original.call(URL, blob as Blob));
    try {
      (el.shadowRoot!.querySelector('button[aria-label="Download the data as CSV"]') as HTMLButtonElement).click();
      for (let i = 0; i < 40 && blobs.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      URL.createObjectURL = original;
    }
    const lines = (await blobs[0]!.text()).trim().split('\r\n');
    expect(lines[0]).to.equal('order_id,channel,created_at,current_stage,age_hours,promised_at,amount,friction_cost');
    expect(lines.slice(1).map((l) => l.split(',')[0])).to.deep.equal(['O1', 'O2', 'O3', 'O4', 'O5', 'O6']);
  });

  it("an order list's XLSX is the whole selection for people: headers in its language, wall-clock dates, stages by name, numbers", async () => {
    const el = await mount<OpMetricElement>(`<op-order-list api="${API}" locale="zh-CN" page-size="2" sort="created_at"></op-order-list>`);
    const blobs: Blob[] = [];
    const original = URL.createObjectURL;
    URL.createObjectURL = (blob: Blob | MediaSource) => (blobs.push(blob as Blob), original.call(URL, blob as Blob));
    try {
      const button = [...el.shadowRoot!.querySelectorAll('.toolbar button')].find((b) => b.textContent!.trim() === 'XLSX') as HTMLButtonElement;
      expect(button.getAttribute('aria-label')).to.equal('下载订单（Excel 工作簿）');
      button.click();
      for (let i = 0; i < 100 && blobs.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      URL.createObjectURL = original;
    }
    const files = unzipSync(new Uint8Array(await blobs[0]!.arrayBuffer()));
    const xml = (name: string) => new DOMParser().parseFromString(strFromU8(files[name]!), 'application/xml');
    const strings = [...xml('xl/sharedStrings.xml').querySelectorAll('si')].map((si) => si.textContent);
    const rows = [...xml('xl/worksheets/sheet1.xml').querySelectorAll('sheetData row')].map((row) =>
      [...row.querySelectorAll('c')].map((c) => {
        const v = c.querySelector('v')?.textContent ?? c.textContent;
        return c.getAttribute('t') === 's' ? strings[Number(v)] : Number(v);
      }),
    );
    expect(rows[0]).to.deep.equal(['订单', '渠道', '下单时间', '环节', '已等待', '承诺时间', '金额', '摩擦成本']);
    expect(rows.slice(1).map((r) => r[0])).to.deep.equal(['O1', 'O2', 'O3', 'O4', 'O5', 'O6']);
    // O5: placed 1 April 06:00 (Asia/Shanghai) = Excel day 45748 + 6 h; promised 4 April 06:00; 300.
    const o5 = rows[5]!;
    expect([o5[1], o5[2], o5[5], o5[6]]).to.deep.equal(['jd', 45748.25, 45751.25, 300]);
  });
});
