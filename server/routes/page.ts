import { Hono } from 'hono';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OrderPulse</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; }
  code { background: #f3f4f6; padding: 0.1em 0.3em; border-radius: 4px; }
  #health { white-space: pre; background: #f6f8fa; padding: 1rem; border-radius: 6px; }
</style>
</head>
<body>
<h1>OrderPulse</h1>
<p>Order analytics service: cycle times, friction cost, channel funnels and ROI comparisons over your order exports.</p>
<h2>Store</h2>
<div id="health" aria-live="polite">loading…</div>
<h2>API</h2>
<ul>
  <li><code>GET /api/health</code>: status, data version, row counts</li>
  <li><code>GET /api/settings</code>, <code>PUT /api/settings</code>: time zone, pipeline, cost rates</li>
  <li><code>POST /api/imports?preset=olist</code>: load order exports (multipart <code>file</code> fields)</li>
</ul>
<script type="module">
  const res = await fetch('/api/health');
  document.getElementById('health').textContent = JSON.stringify(await res.json(), null, 2);
</script>
</body>
</html>`;

/** `GET /`: the landing page. */
export function pageRoutes() {
  return new Hono().get('/', (c) => c.html(PAGE));
}
