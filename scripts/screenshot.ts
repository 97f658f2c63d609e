/**
 * `npm run screenshot`: serves demo data, opens the demo page in headless
 * Chromium in each theme and locale, checks that every widget shows data and
 * that the console stayed clean, and writes screenshots/demo-<theme>-<locale>.png (1440 px) and demo-<theme>-<locale>-390.png (a phone);
 * and each widget alone, screenshots/widgets/<id>-<theme>-<locale>-<1440|390>.png;
 * then clicks the tallest stuck-orders bar and writes the order list it opens, drill-<theme>-<locale>[-390].png;
 * and the order tracker of the customer with the most orders, tracker-<theme>-<locale>-<360|720>.png.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import puppeteer from 'puppeteer-core';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { createApp } from '../server/app.js';
import { staticSecurity } from '../server/security/secrets.js';
import { Database } from '../server/db/database.js';
import { generateDemoData } from '../server/demo/generate-demo-data.js';
import { widgetBundleBuilt } from '../server/routes/widget-files.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

if (!widgetBundleBuilt()) throw new Error('run npm run build first');
const db = await Database.open({ path: ':memory:' });
await generateDemoData(db, { orders: 20_000, seed: 1 });
const security = staticSecurity({ adminKey: randomUUID(), publicMetrics: true });
const server = serve({ fetch: createApp({ db, security, logger: pino({ level: 'silent' }) }).fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((resolve) => server.once('listening', resolve));
const port = (server.address() as { port: number }).port;

/** Overlapping or cut chart texts of every widget on the page (test/browser/chart-texts.mjs). */
async function chartTextProblemsOnPage(page: import('puppeteer-core').Page): Promise<string[]> {
  await page.addScriptTag({ path: 'test/browser/chart-texts.mjs', type: 'module' });
  await page.waitForFunction(() => 'opChartTextProblems' in globalThis);
  return page.evaluate(() => {
    const check = (globalThis as unknown as { opChartTextProblems: (chart: unknown) => string[] }).opChartTextProblems;
    return [...document.querySelectorAll('op-dashboard [id]')].flatMap((el) => {
      const chart = (el as unknown as { chart?: { chart?: unknown } }).chart?.chart;
      return chart ? check(chart).map((p) => `${el.id}: ${p}`) : [];
    });
  });
}

const browser = await puppeteer.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
mkdirSync('screenshots/widgets', { recursive: true });
let failures = 0;
// Desktop, and a phone (390 px, files named …-390.png).
const views = [1440, 390].flatMap((width) => (['light', 'dark'] as const).flatMap((theme) => (['en', 'zh-CN'] as const).map((locale) => [theme, locale, width] as const)));
for (const [theme, locale, width] of views) {
  const page = await browser.newPage();
  await page.setViewport({ width, height: width === 390 ? 844 : 900, deviceScaleFactor: 1 });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warn') problems.push(`console.${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.url()}`);
  });
  await page.goto(`http://127.0.0.1:${port}/?theme=${theme}&locale=${locale}`, { waitUntil: 'networkidle0' });
  // Every widget done: no skeleton, no empty or error state.
  const report = await page.waitForFunction(
    () => {
      const widgets = [...document.querySelectorAll('op-dashboard *')].filter((el) => el.localName.startsWith('op-'));
      const states = widgets.map((w) => ({
        tag: w.id || w.localName,
        loading: !!w.shadowRoot?.querySelector('.skeleton'),
        state: w.shadowRoot?.querySelector('.state')?.textContent?.trim() ?? null,
        canvas: !!w.shadowRoot?.querySelector('canvas'),
      }));
      return states.every((s) => !s.loading) ? states : false;
    },
    { timeout: 30_000, polling: 200 },
  );
  const states = (await report.jsonValue()) as { tag: string; state: string | null; canvas: boolean }[];
  for (const s of states) if (s.state) problems.push(`${s.tag} shows "${s.state}"`);
  problems.push(...(await chartTextProblemsOnPage(page)));
  // A chart's PNG export as a user downloads it (caption drawn in), once per theme and locale.
  if (width === 1440) {
    const exported = await page.evaluate(() => (document.getElementById('cycle-time') as unknown as { pngDataUrl(): Promise<string | undefined> }).pngDataUrl());
    if (exported) writeFileSync(`screenshots/export-cycle-time-${theme}-${locale}.png`, Buffer.from(exported.split(',')[1]!, 'base64'));
    else problems.push('cycle-time exported no PNG');
  }
  const path = `screenshots/demo-${theme}-${locale}${width === 390 ? '-390' : ''}.png`;
  await page.screenshot({ path, fullPage: true });
  console.log(`${path}: ${states.length} widgets, ${states.filter((s) => s.canvas).length} charts${problems.length ? `, ${problems.length} problems` : ''}`);
  // Each widget on its own, as it reads in its card: screenshots/widgets/<id>-<theme>-<locale>-<width>.png.
  for (const handle of await page.$$('op-dashboard [id]')) {
    const id = await handle.evaluate((el) => (el.localName.startsWith('op-') ? el.id : ''));
    if (id) await handle.screenshot({ path: `screenshots/widgets/${id}-${theme}-${locale}-${width}.png` });
  }
  // Drill-through: click the tallest stuck-orders segment as a user would; the dashboard lists its orders.
  const point = await page.evaluate(() => {
    const stuck = document.querySelector('op-stuck-orders') as unknown as { scrollIntoView(): void; chart: { chart?: any } } | null;
    const chart = stuck?.chart.chart;
    if (!chart) return null;
    stuck!.scrollIntoView();
    const series = chart.getOption().series as { data: number[] }[];
    let best = { s: 0, i: 0, v: -1 };
    series.forEach((x, s) => x.data.forEach((v, i) => (v > best.v ? (best = { s, i, v }) : undefined)));
    const bar = chart.getModel().getSeriesByIndex(best.s).getData().getItemLayout(best.i) as { x: number; y: number; width: number; height: number };
    const box = chart.getDom().querySelector('canvas').getBoundingClientRect();
    return { x: box.left + bar.x + bar.width / 2, y: box.top + bar.y + bar.height / 2 };
  });
  if (point) {
    await page.mouse.click(point.x, point.y);
    const listed = await page.waitForFunction(
      () => {
        const list = document.querySelector('op-dashboard')?.shadowRoot?.querySelector('op-order-list');
        const rows = list?.shadowRoot?.querySelectorAll('tbody tr').length ?? 0;
        return rows > 0 ? rows : false;
      },
      { timeout: 15_000, polling: 200 },
    ).catch(() => null);
    if (!listed) problems.push('a click on a stuck-orders bar listed no orders');
    const panel = await page.evaluateHandle(() => document.querySelector('op-dashboard')!.shadowRoot!.querySelector('.drill'));
    const element = panel.asElement() as import('puppeteer-core').ElementHandle<Element> | null;
    if (element) {
      await element.scrollIntoView();
      const drillPath = `screenshots/drill-${theme}-${locale}${width === 390 ? '-390' : ''}.png`;
      await element.screenshot({ path: drillPath });
      console.log(`${drillPath}: ${await listed?.jsonValue()} orders listed`);
    }
  } else problems.push('no stuck-orders chart to drill into');
  for (const p of problems) console.log(`  ${p}`);
  failures += problems.length;
  await page.close();
}
// The customer order board: the customer with the most orders, on a phone and on a desktop.
const [{ customer_id: customer }] = (await db.query('SELECT customer_id FROM orders GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1')) as { customer_id: string }[];
for (const [theme, locale, width] of views.map(([theme, locale, width]) => [theme, locale, width === 390 ? 360 : 720] as const)) {
  const page = await browser.newPage();
  await page.setViewport({ width, height: 900, deviceScaleFactor: 1 });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error}`));
  await page.setContent(
    `<!doctype html><html><body style="margin:0;padding:8px;background:${theme === 'dark' ? '#0d1117' : '#f6f8fa'}">
      <script type="module" src="http://127.0.0.1:${port}/widgets/orderpulse.js"></script>
      <op-order-tracker api="http://127.0.0.1:${port}" customer="${customer}" theme="${theme}" locale="${locale}" limit="6"></op-order-tracker></body></html>`,
    { waitUntil: 'load' },
  );
  const cards = await page
    .waitForFunction(() => document.querySelector('op-order-tracker')?.shadowRoot?.querySelectorAll('.order').length || false, { timeout: 15_000, polling: 200 })
    .catch(() => null);
  if (!cards) problems.push(`the tracker of ${customer} shows no order`);
  const path = `screenshots/tracker-${theme}-${locale}-${width}.png`;
  await page.screenshot({ path, fullPage: true });
  console.log(`${path}: ${await cards?.jsonValue()} orders of ${customer}`);
  for (const p of problems) console.log(`  ${p}`);
  failures += problems.length;
  await page.close();
}
// Print: the demo page as A4 paper lays it out (794 px at 96 dpi), in the print media type, after
// the beforeprint a browser fires (emulation does not): no toolbar, charts at the paper's width.
{
  const page = await browser.newPage();
  await page.setViewport({ width: 794, height: 1123, deviceScaleFactor: 1 });
  await page.goto(`http://127.0.0.1:${port}/?theme=light&locale=en`, { waitUntil: 'networkidle0' });
  await page.emulateMediaType('print');
  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const shown = await page.evaluate(() =>
    [...document.querySelectorAll('op-dashboard *')]
      .filter((el) => el.localName.startsWith('op-'))
      .flatMap((w) => [...(w.shadowRoot?.querySelectorAll('.toolbar') ?? [])].filter((t) => getComputedStyle(t).display !== 'none').map(() => w.id || w.localName)),
  );
  await page.screenshot({ path: 'screenshots/print-light-en.png', fullPage: true });
  console.log(`screenshots/print-light-en.png: ${shown.length ? `toolbars shown in ${shown.join(', ')}` : 'no toolbar shown'}`);
  failures += shown.length;
  await page.close();
}
await browser.close();
server.close();
await db.close();
process.exit(failures > 0 ? 1 : 0);
