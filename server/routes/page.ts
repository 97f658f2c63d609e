import { Hono } from 'hono';

/**
 * `GET /`: the demo dashboard — every widget over the store, with a date range,
 * channel filter, locale and theme switch. It uses the bundle like any host page.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OrderPulse</title>
<link rel="icon" href="data:,">
<script type="module" src="/widgets/orderpulse.js"></script>
<style>
  :root { color-scheme: light dark; }
  body { margin: 0; font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', 'PingFang SC', sans-serif; background: #f6f8fa; color: #1f2328; }
  body.dark { background: #010409; color: #e6edf3; }
  header { display: flex; flex-wrap: wrap; align-items: end; gap: 12px 20px; padding: 16px 24px; border-bottom: 1px solid #d0d7de; }
  body.dark header { border-color: #30363d; }
  body.dark a { color: #58a6ff; }
  h1 { margin: 0 auto 0 0; font-size: 1.4em; }
  label { display: flex; flex-direction: column; font-size: 0.85em; gap: 2px; }
  [hidden] { display: none !important; }
  input, select, button { font: inherit; padding: 4px 6px; }
  main { padding: 20px 24px; }
  op-dashboard { --op-chart-height: 280px; }
  .wide { grid-column: 1 / -1; }
  .kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 16px; grid-column: 1 / -1; }
  footer { padding: 0 24px 24px; font-size: 0.85em; opacity: 0.8; }
  /* Past the dashboard's sixty-odd tab stops in one key press; shown when focused. */
  .skip { position: absolute; left: -999px; }
  .skip:focus { left: 16px; top: 8px; z-index: 10; background: Canvas; color: CanvasText; padding: 4px 8px; }
  /* On paper the controls do nothing: the header keeps the title. */
  @media print { header label, header button, footer { display: none; } }
</style>
</head>
<body>
<a class="skip" href="#after-dashboard" data-text="skip">Skip the dashboard</a>
<header>
  <h1>OrderPulse</h1>
  <op-date-range id="range" locale="en"></op-date-range>
  <op-filter id="filter" locale="en"></op-filter>
  <label id="currency-control" hidden><span data-text="currency">Currency</span> <select id="currency"></select></label>
  <label><span data-text="language">Language</span> <select id="locale"><option value="en">English</option><option value="zh-CN">简体中文</option></select></label>
  <label><span data-text="theme">Theme</span> <select id="theme"><option value="auto" data-text="themeAuto">Auto</option><option value="light" data-text="themeLight">Light</option><option value="dark" data-text="themeDark">Dark</option></select></label>
  <button id="clear" type="button" data-text="clear">Clear selection</button>
</header>
<main>
  <p id="no-data" hidden data-text="noData">No orders yet: import an export (see the README, "Importing data"), then reload.</p>
  <op-dashboard id="dashboard" theme="auto" locale="en"></op-dashboard>
  <div id="after-dashboard" tabindex="-1"></div>
  <!-- Added once the data's extent is known, so each widget fetches once, with ranges that fit the data. -->
  <template id="widgets">
    <!-- The second half of the range, against the first (against the period before it, in the cards). -->
    <div class="kpis">
      <op-kpi id="kpi-first-response" kpi="first_response_hours" data-half="current"></op-kpi>
      <op-kpi id="kpi-friction" kpi="friction_cost_per_order" data-half="current"></op-kpi>
      <op-kpi id="kpi-on-time" kpi="on_time_rate" data-half="current"></op-kpi>
      <op-kpi id="kpi-throughput" kpi="orders_per_actor_day" data-half="current"></op-kpi>
    </div>
    <op-channel-funnel id="funnel" class="wide"></op-channel-funnel>
    <op-cycle-time id="cycle-time" interval="month" group-by="channel"></op-cycle-time>
    <op-stage-breakdown id="stages"></op-stage-breakdown>
    <op-friction-cost id="friction" interval="month"></op-friction-cost>
    <op-friction-pareto id="pareto" group-by="sku_series"></op-friction-pareto>
    <op-on-time id="on-time" interval="month"></op-on-time>
    <op-stuck-orders id="stuck"></op-stuck-orders>
    <op-roi-compare id="roi" data-half="both"></op-roi-compare>
    <op-promotion-roi id="promotions"></op-promotion-roi>
    <op-surge-alerts id="surges" class="wide"></op-surge-alerts>
    <op-sla id="sla" interval="month"></op-sla>
    <op-freshness id="freshness"></op-freshness>
  </template>
</main>
<footer><span data-text="footer">Click a channel, a month or a driver to filter the other widgets; click it again to clear.</span> <a href="/api/metrics">API</a> · <a href="/api/openapi.json">OpenAPI</a> · <a href="/api/extent" data-text="extent">Data extent</a></footer>
<script type="module">
  const TEXT = {
    en: {},
    'zh-CN': {
      currency: '货币', language: '语言', theme: '主题',
      themeAuto: '自动', themeLight: '浅色', themeDark: '深色', clear: '清除筛选',
      noData: '还没有订单：请先导入导出文件（见 README 的 “Importing data”），然后刷新。',
      footer: '点击渠道、月份或成本来源可筛选其他组件；再次点击取消。', extent: '数据范围', skip: '跳过仪表盘',
    },
  };
  const english = Object.fromEntries([...document.querySelectorAll('[data-text]')].map((el) => [el.dataset.text, el.textContent]));
  const translatePage = (locale) => {
    for (const el of document.querySelectorAll('[data-text]')) el.textContent = TEXT[locale]?.[el.dataset.text] ?? english[el.dataset.text];
  };
  const dashboard = document.getElementById('dashboard');
  const setShared = (attribute, value) => (value ? dashboard.setAttribute(attribute, value) : dashboard.removeAttribute(attribute));
  const applyTheme = (theme) => document.body.classList.toggle('dark', theme === 'dark' || (theme === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches));

  // The range's two halves (by whole months when it is whole months), for the before/after widgets.
  const months = (day) => Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1;
  const monthDay = (index) => \`\${String(Math.floor(index / 12)).padStart(4, '0')}-\${String((index % 12) + 1).padStart(2, '0')}-01\`;
  function halves(from, to) {
    if (from.endsWith('-01') && to.endsWith('-01') && months(to) - months(from) >= 2) return monthDay(Math.floor((months(from) + months(to)) / 2));
    const a = Date.parse(from + 'T00:00:00Z');
    const b = Date.parse(to + 'T00:00:00Z');
    return new Date(a + Math.max(1, Math.round((b - a) / 86400000 / 2)) * 86400000).toISOString().slice(0, 10);
  }
  function fitRange(from, to) {
    setShared('from', from);
    setShared('to', to);
    if (!from || !to || from >= to) return;
    const middle = halves(from, to);
    for (const el of dashboard.querySelectorAll('[data-half]')) {
      el.setAttribute('from', middle);
      el.setAttribute('to', to);
      if (el.dataset.half === 'both') {
        el.setAttribute('baseline-from', from);
        el.setAttribute('baseline-to', middle);
      }
    }
  }

  const params = new URLSearchParams(location.search);
  const extent = await fetch('/api/extent').then((r) => r.json());
  document.getElementById('no-data').hidden = extent.orders > 0;
  // The funnel over the default steps the data has (a pipeline of view → cart → purchase: the service's own default).
  const present = new Set((extent.stages ?? []).map((s) => s.stage));
  const steps = ['placed', 'paid', 'shipped', 'delivered'].filter((s) => present.has(s));
  if (present.has('delivered')) steps.push('kept');
  dashboard.append(document.getElementById('widgets').content.cloneNode(true));
  if (steps.length >= 2) document.getElementById('funnel').setAttribute('steps', steps.join(','));

  const currencies = extent.currencies ?? [];
  const currency = document.getElementById('currency');
  for (const c of currencies) currency.add(new Option(c.code, c.code));
  document.getElementById('currency-control').hidden = currencies.length < 2;
  if (currencies.length > 0) setShared('currency', currencies[0].code);

  // The range control over the data: its presets end on the last order's day, not on today's.
  const rangeControl = document.getElementById('range');
  const filter = document.getElementById('filter');
  const range = extent.defaultRange ?? { from: '', to: '' };
  if (extent.lastOrderAt) rangeControl.setAttribute('today', extent.lastOrderAt.slice(0, 10));
  rangeControl.from = params.get('from') ?? range.from;
  rangeControl.to = params.get('to') ?? range.to;
  fitRange(rangeControl.from, rangeControl.to);
  rangeControl.addEventListener('op-scope-change', ({ detail }) => {
    if (detail.from) fitRange(detail.from, detail.to);
    if (detail.compare) setShared('compare', detail.compare);
  });
  filter.addEventListener('op-scope-change', ({ detail }) => setShared('channel', detail.channel));
  const bind = (id, apply) => document.getElementById(id).addEventListener('change', (event) => apply(event.target.value));
  bind('currency', (value) => setShared('currency', value));
  const controls = [rangeControl, filter];
  bind('theme', (value) => { setShared('theme', value); applyTheme(value); for (const c of controls) c.setAttribute('theme', value); });
  bind('locale', (value) => { setShared('locale', value); document.documentElement.lang = value; translatePage(value); for (const c of controls) c.setAttribute('locale', value); });
  applyTheme('auto');
  document.getElementById('clear').addEventListener('click', () => dashboard.clearSelections());
  if (params.has('channel')) {
    filter.channel = params.get('channel');
    setShared('channel', filter.channel);
  }
  for (const name of ['locale', 'theme', 'currency']) {
    if (!params.has(name)) continue;
    const control = document.getElementById(name);
    control.value = params.get(name);
    control.dispatchEvent(new Event('change'));
  }
</script>
</body>
</html>`;

export function pageRoutes() {
  return new Hono().get('/', (c) => c.html(PAGE));
}
