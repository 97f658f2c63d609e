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
  h1 { margin: 0 auto 0 0; font-size: 1.4em; }
  label { display: flex; flex-direction: column; font-size: 0.85em; gap: 2px; }
  input, select, button { font: inherit; padding: 4px 6px; }
  main { padding: 20px 24px; }
  op-dashboard { --op-chart-height: 280px; }
  .wide { grid-column: 1 / -1; }
  .kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 16px; grid-column: 1 / -1; }
  footer { padding: 0 24px 24px; font-size: 0.85em; opacity: 0.8; }
</style>
</head>
<body>
<header>
  <h1>OrderPulse</h1>
  <label>From <input id="from" type="date" value="2025-01-01"></label>
  <label>To <input id="to" type="date" value="2026-01-01"></label>
  <label>Channel <select id="channel"><option value="">All channels</option></select></label>
  <label>Language <select id="locale"><option value="en">English</option><option value="zh-CN">简体中文</option></select></label>
  <label>Theme <select id="theme"><option value="auto">Auto</option><option value="light">Light</option><option value="dark">Dark</option></select></label>
  <button id="clear" type="button">Clear selection</button>
</header>
<main>
  <op-dashboard id="dashboard" from="2025-01-01" to="2026-01-01" theme="auto" locale="en">
    <!-- The half-year after the demo's go-live, against the half-year before it. -->
    <div class="kpis">
      <op-kpi id="kpi-first-response" kpi="first_response_hours" from="2025-07-01" to="2026-01-01"></op-kpi>
      <op-kpi id="kpi-friction" kpi="friction_cost_per_order" from="2025-07-01" to="2026-01-01"></op-kpi>
      <op-kpi id="kpi-on-time" kpi="on_time_rate" from="2025-07-01" to="2026-01-01"></op-kpi>
      <op-kpi id="kpi-throughput" kpi="orders_per_actor_day" from="2025-07-01" to="2026-01-01"></op-kpi>
    </div>
    <op-channel-funnel id="funnel" class="wide"></op-channel-funnel>
    <op-cycle-time id="cycle-time" interval="month" group-by="channel"></op-cycle-time>
    <op-stage-breakdown id="stages"></op-stage-breakdown>
    <op-friction-cost id="friction" interval="month"></op-friction-cost>
    <op-friction-pareto id="pareto" group-by="sku_series"></op-friction-pareto>
    <op-on-time id="on-time" interval="month"></op-on-time>
    <op-stuck-orders id="stuck"></op-stuck-orders>
    <op-roi-compare id="roi" baseline-from="2025-01-01" baseline-to="2025-07-01" from="2025-07-01" to="2026-01-01"></op-roi-compare>
    <op-promotion-roi id="promotions"></op-promotion-roi>
    <op-surge-alerts id="surges" class="wide"></op-surge-alerts>
  </op-dashboard>
</main>
<footer>Click a channel, a month or a driver to filter the other widgets; click it again to clear. <a href="/api/metrics">API</a> · <a href="/api/openapi.json">OpenAPI</a></footer>
<script type="module">
  const dashboard = document.getElementById('dashboard');
  const bind = (id, attribute) => document.getElementById(id).addEventListener('change', (event) => {
    const value = event.target.value;
    if (value) dashboard.setAttribute(attribute, value); else dashboard.removeAttribute(attribute);
    if (attribute === 'theme') applyTheme(value);
    if (attribute === 'locale') document.documentElement.lang = value;
  });
  bind('from', 'from'); bind('to', 'to'); bind('channel', 'channel'); bind('locale', 'locale'); bind('theme', 'theme');
  const applyTheme = (theme) => document.body.classList.toggle('dark', theme === 'dark' || (theme === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches));
  applyTheme('auto');
  document.getElementById('clear').addEventListener('click', () => dashboard.clearSelections());
  const params = new URLSearchParams(location.search);
  for (const name of ['from', 'to', 'locale', 'theme', 'channel']) {
    if (!params.has(name)) continue;
    const control = document.getElementById(name);
    control.value = params.get(name);
    control.dispatchEvent(new Event('change'));
  }
  const funnel = await fetch('/api/metrics/channel-funnel?steps=placed,paid').then((r) => r.json());
  const select = document.getElementById('channel');
  for (const channel of new Set(funnel.rows.map((r) => r.group))) select.add(new Option(channel, channel));
  if (params.has('channel')) select.value = params.get('channel');
</script>
</body>
</html>`;

export function pageRoutes() {
  return new Hono().get('/', (c) => c.html(PAGE));
}
