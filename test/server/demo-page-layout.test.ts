/**
 * The demo page over the demo data in headless Chromium, as `npm start` shows it, at 1440 and
 * 390 px in both locales: no chart text overlaps another or runs off its chart, and the charts
 * rethought for reading (surges on their hourly orders, one funnel per channel) draw exactly the
 * service's rows.
 */
import { describe, expect, test } from 'vitest';
import { generateDemoData } from '../../server/demo/generate-demo-data.js';
import { pagesOver } from './page-browser.js';

const pages = pagesOver((db) => generateDemoData(db, { orders: 6000, seed: 1 }));

type Drawn = {
  problems: string[];
  skip: string[];
  surges: { scatter: [number, number][]; lines: string[] };
  funnel: { ids: string[]; data: number[][]; grids: number; height: number };
  surgeRows: Record<string, unknown>[];
  funnelRows: Record<string, unknown>[];
};

async function drawn(width: number, locale: string): Promise<Drawn> {
  const page = await pages.browser.newPage();
  await page.setViewport({ width, height: 900 });
  await page.goto(`${pages.base}/?locale=${locale}&theme=light`, { waitUntil: 'networkidle0' });
  await page.waitForFunction(
    () => {
      const widgets = [...document.querySelectorAll('op-dashboard *')].filter((el) => el.localName.startsWith('op-'));
      return widgets.length >= 14 && widgets.every((el) => el.shadowRoot && !el.shadowRoot.querySelector('.skeleton'));
    },
    { timeout: 30_000 },
  );
  // A frame for charts refitted to their final width.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  // The first Tab reaches the skip link; following it puts focus past the dashboard.
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => [document.activeElement?.className, document.activeElement?.textContent]);
  await page.keyboard.press('Enter');
  const skipped = await page.evaluate(() => document.activeElement?.id);
  await page.addScriptTag({ path: 'test/browser/chart-texts.mjs', type: 'module' });
  await page.waitForFunction(() => 'opChartTextProblems' in globalThis);
  const result = await page.evaluate(() => {
    type Chart = { getOption(): { series: { id: string; type: string; data: unknown[] }[]; grid?: unknown[] }; getHeight(): number };
    const widget = (id: string) => document.getElementById(id) as unknown as { chart: { chart?: Chart }; data: { value?: { rows: Record<string, unknown>[] } } };
    const check = (globalThis as unknown as { opChartTextProblems: (chart: unknown) => string[] }).opChartTextProblems;
    const problems = [...document.querySelectorAll('op-dashboard [id]')].flatMap((el) => {
      const chart = (el as unknown as { chart?: { chart?: unknown } }).chart?.chart;
      const root = el.shadowRoot?.querySelector('.root') as HTMLElement | null;
      const overflow = root && root.scrollWidth > root.clientWidth + 1 ? [`${el.id}: ${root.scrollWidth} px wide in ${root.clientWidth}`] : [];
      return [...overflow, ...(chart ? check(chart).map((p) => `${el.id}: ${p}`) : [])];
    });
    const surges = widget('surges').chart.chart!.getOption();
    const funnel = widget('funnel').chart.chart!;
    return {
      problems,
      surges: {
        scatter: surges.series.filter((s) => s.type === 'scatter').flatMap((s) => s.data as [number, number][]),
        lines: surges.series.filter((s) => s.type === 'line').map((s) => s.id),
      },
      funnel: {
        ids: funnel.getOption().series.map((s) => s.id),
        data: funnel.getOption().series.map((s) => (s.data as { value: number }[]).map((d) => d.value)),
        grids: funnel.getOption().grid?.length ?? 0,
        height: funnel.getHeight(),
      },
      surgeRows: widget('surges').data.value!.rows,
      funnelRows: widget('funnel').data.value!.rows,
    };
  });
  await page.close();
  return { ...result, skip: [...skip, skipped] as string[] };
}

describe('the demo page over the demo data', () => {
  test('at 1440 and 390 px, in en and zh-CN: no chart text overlaps or runs off; surges and funnels draw the rows', async () => {
    for (const [width, locale] of [[1440, 'en'], [1440, 'zh-CN'], [390, 'en'], [390, 'zh-CN']] as const) {
      const d = await drawn(width, locale);
      expect(d.problems, `${width} ${locale}`).toEqual([]);
      expect(d.skip).toEqual(['skip', locale === 'zh-CN' ? '跳过仪表盘' : 'Skip the dashboard', 'after-dashboard']);
      // Surges: the three douyin surge hours marked on douyin's hourly orders and trailing average.
      const surgeHours = d.surgeRows.filter((r) => r.surge);
      expect(surgeHours.map((r) => r.channel)).toEqual(['douyin', 'douyin', 'douyin']);
      expect(d.surges.scatter).toEqual(surgeHours.map((r) => [Date.parse(r.hour as string), r.orders]));
      expect(d.surges.lines).toEqual(['orders-douyin', 'avg-douyin']);
      expect(d.surgeRows.filter((r) => !r.surge).length).toBeGreaterThan(1000);
      // Funnels: one panel per channel with its own orders per step; five side by side on a desktop,
      // one under the other on a phone (the chart as tall as five panels).
      const channels = [...new Set(d.funnelRows.map((r) => r.group as string))];
      expect(d.funnel.ids).toEqual(channels.map((c) => `group-${c}`));
      expect(d.funnel.data).toEqual(channels.map((c) => d.funnelRows.filter((r) => r.group === c).map((r) => r.orders)));
      expect(d.funnel.grids).toBe(5);
      if (width === 390) expect(d.funnel.height).toBe(5 * 180);
      else expect(d.funnel.height).toBe(280);
    }
  }, 180_000);

  test('a month, a channel and a driver clicked: chips name them, no widget fails, and every other widget asks with them', async () => {
    const page = await pages.browser.newPage();
    await page.setViewport({ width: 1440, height: 900 });
    await page.goto(`${pages.base}/?locale=en&theme=light`, { waitUntil: 'networkidle0' });
    let asked: URL[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/metrics/')) asked.push(new URL(r.url()));
    });
    /** Clicks the middle of bar `index` of series `series` in widget `id`, as a user does, and waits for the requests it causes. */
    const click = async (id: string, series: number, index: number) => {
      const point = await page.evaluate(
        (id, series, index) => {
          type Layout = { x: number; y: number; width: number; height: number };
          const el = document.getElementById(id) as unknown as HTMLElement & { chart: { chart: any } };
          el.scrollIntoView();
          const chart = el.chart.chart;
          const bar = chart.getModel().getSeriesByIndex(series).getData().getItemLayout(index) as Layout;
          const box = chart.getDom().querySelector('canvas').getBoundingClientRect();
          return { x: box.left + bar.x + bar.width / 2, y: box.top + bar.y + bar.height / 2 };
        },
        id,
        series,
        index,
      );
      asked = [];
      await page.mouse.click(point.x, point.y);
      await page.waitForNetworkIdle({ idleTime: 400 });
      return page.evaluate(() => ({
        chips: [...document.querySelector('op-dashboard')!.shadowRoot!.querySelectorAll('.chip')].map((c) => c.textContent!.trim()),
        errors: [...document.querySelectorAll('op-dashboard [id]')].flatMap((el) => {
          const error = el.shadowRoot?.querySelector('.state.error');
          return error ? [`${el.id}: ${error.textContent!.trim()}`] : [];
        }),
      }));
    };
    const metric = (url: URL) => url.pathname.replace('/api/metrics/', '');

    // October in "Friction cost per order" (its 10th month): every other widget asks for October, in the tenant's zone.
    const month = await click('friction', 0, 9);
    expect(month).toEqual({ chips: ['Period: Oct 1, 2025 – Oct 31, 2025 ×'], errors: [] });
    expect(asked.length).toBeGreaterThanOrEqual(14);
    for (const url of asked) expect([metric(url), url.searchParams.get('from'), url.searchParams.get('to')]).toEqual([metric(url), '2025-10-01T00:00:00+08:00', '2025-11-01T00:00:00+08:00']);

    // Douyin in the funnel (its first panel): every other widget asks for douyin in October.
    const channel = await click('funnel', 0, 0);
    expect(channel).toEqual({ chips: ['Period: Oct 1, 2025 – Oct 31, 2025 ×', 'Channel: Douyin ×'], errors: [] });
    expect(asked.length).toBeGreaterThanOrEqual(14);
    expect(asked.filter((url) => metric(url) === 'channel-funnel')).toEqual([]);
    for (const url of asked) expect([metric(url), url.searchParams.get('channel')]).toEqual([metric(url), 'douyin']);

    // The first driver in the Pareto (a SKU series): every other widget that can follow it asks with it;
    // promotion ROI, whose spend belongs to the whole promotion, keeps the period and channel only.
    const driver = await click('pareto', 0, 0);
    const series = driver.chips[2]?.replace(/^SKU series: (.*) ×$/, '$1');
    expect(driver).toEqual({ chips: ['Period: Oct 1, 2025 – Oct 31, 2025 ×', 'Channel: Douyin ×', `SKU series: ${series} ×`], errors: [] });
    expect(asked.filter((url) => metric(url) === 'friction-pareto')).toEqual([]);
    const followers = asked.filter((url) => metric(url) !== 'promotion-roi');
    expect(followers.length).toBeGreaterThanOrEqual(12);
    for (const url of followers) expect([metric(url), url.searchParams.get('skuSeries')]).toEqual([metric(url), series]);
    for (const url of asked.filter((u) => metric(u) === 'promotion-roi')) expect(url.searchParams.get('skuSeries')).toBe(null);
    // The funnel (the channel's source) follows the driver but not its own channel.
    for (const url of asked.filter((u) => metric(u) === 'channel-funnel')) expect(url.searchParams.get('channel')).toBe(null);
    await page.close();
  }, 120_000);
});
