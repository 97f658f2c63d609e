import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.js';
import { summarize } from './stats.js';

/** Chart widgets with a year of daily data per channel where the widget can show it (365 days × 5 channels). */
const WIDGETS: { tag: string; attributes: Record<string, string> }[] = [
  { tag: 'op-cycle-time', attributes: { interval: 'day', 'group-by': 'channel' } },
  { tag: 'op-on-time', attributes: { interval: 'day', 'group-by': 'channel' } },
  { tag: 'op-friction-cost', attributes: { interval: 'day' } },
  { tag: 'op-stage-breakdown', attributes: { 'group-by': 'channel' } },
  { tag: 'op-stuck-orders', attributes: { 'as-of': '2025-12-31T12:00:00' } },
  { tag: 'op-friction-pareto', attributes: { 'group-by': 'sku_series' } },
  { tag: 'op-channel-funnel', attributes: {} },
  { tag: 'op-surge-alerts', attributes: {} },
];

/**
 * In headless Chromium, per chart widget: the time from its data arriving
 * (the response body read by `fetch`) to the chart drawn on its canvas
 * (`op-chart-rendered`) and to the next frame after it (painted).
 */
export async function benchWidgetPaint(base: string, runs: number) {
  const browser = await puppeteer.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(`${base}/api/health`);
    await page.setContent(`<!doctype html><html><body><script type="module" src="${base}/widgets/orderpulse.js"></script></body></html>`);
    await page.waitForFunction(() => customElements.get('op-cycle-time') !== undefined);
    await page.evaluate(() => {
      const w = window as unknown as { arrived?: number };
      const original = window.fetch.bind(window);
      window.fetch = async (...args: Parameters<typeof fetch>) => {
        const res = await original(...args);
        const body = await res.text();
        w.arrived = performance.now();
        return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
      };
    });
    const results = [];
    for (const { tag, attributes } of WIDGETS) {
      const drawn: number[] = [];
      const painted: number[] = [];
      let rows = 0;
      for (let i = 0; i <= runs; i++) {
        const sample = await page.evaluate(
          async (tag, attributes, base) => {
            const w = window as unknown as { arrived?: number };
            w.arrived = undefined;
            const el = document.createElement(tag) as HTMLElement & { data?: { value?: { rows: unknown[] } } };
            for (const [k, v] of Object.entries({ api: base, from: '2025-01-01', to: '2026-01-01', ...attributes })) el.setAttribute(k, v);
            el.style.cssText = 'display:block;width:1200px;height:480px';
            const rendered = new Promise<number>((resolve, reject) => {
              el.addEventListener('op-chart-rendered', () => resolve(performance.now()), { once: true });
              setTimeout(() => reject(new Error(`${tag} drew nothing within 20 s`)), 20_000);
            });
            document.body.append(el);
            const drawnAt = await rendered;
            const paintedAt = await new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now())));
            const rows = el.data?.value?.rows.length ?? 0;
            el.remove();
            return { drawn: drawnAt - w.arrived!, painted: paintedAt - w.arrived!, rows };
          },
          tag,
          attributes,
          base,
        );
        if (i === 0) continue; // the first run also compiles the widget's code paths
        drawn.push(sample.drawn);
        painted.push(sample.painted);
        rows = sample.rows;
      }
      const d = summarize(drawn);
      const p = summarize(painted);
      results.push({ widget: tag, rows, drawnMedian: d.median, drawnP95: d.p95, paintedMedian: p.median, paintedP95: p.p95 });
      console.log(`  ${tag.padEnd(20)} ${rows} rows: drawn ${d.median} ms (p95 ${d.p95}), painted ${p.median} ms (p95 ${p.p95})`);
    }
    return results;
  } finally {
    await browser.close();
  }
}
