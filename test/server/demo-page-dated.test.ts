/**
 * The demo page in headless Chromium over a date-only export with no events beyond stages (no
 * friction, no actors, no promotions): every widget either draws what the data holds or says, in
 * words, what the data lacks; none raises a false surge or draws a zero axis.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { importPreset } from './helpers.js';
import { pagesOver } from './page-browser.js';

/** 90 orders over January-March 2025, dates only: paid the next day, shipped two days later, most delivered. */
function datedExport(dir: string): string[] {
  const orders = ['order_id,channel,created_at,promised_at,amount,currency'];
  const events = ['order_id,channel,at,type,stage'];
  const day = (offset: number) => new Date(Date.UTC(2025, 0, 1 + offset)).toISOString().slice(0, 10);
  for (let i = 0; i < 90; i++) {
    const channel = ['shop', 'market'][i % 2]!;
    orders.push(`D${i},${channel},${day(i)},${day(i + 5)},${(20 + (i % 7) * 5).toFixed(2)},CNY`);
    events.push(`D${i},${channel},${day(i + 1)},stage,paid`);
    if (i % 10 !== 9) events.push(`D${i},${channel},${day(i + 3)},stage,shipped`);
    if (i % 10 < 7 && i < 85) events.push(`D${i},${channel},${day(i + 4 + (i % 3))},stage,delivered`);
  }
  writeFileSync(join(dir, 'orders.csv'), orders.join('\n'));
  writeFileSync(join(dir, 'events.csv'), events.join('\n'));
  return [join(dir, 'orders.csv'), join(dir, 'events.csv')];
}

const pages = pagesOver((db) => importPreset(db, 'canonical', datedExport(mkdtempSync(join(tmpdir(), 'op-dated-')))));

type WidgetState = { id: string; tag: string; state: string | null; chart: boolean; rows: Record<string, unknown>[] | null; meta: Record<string, unknown> | null; attrs: Record<string, string> };

/** Each widget once it has settled: its message (if it shows one), whether it drew a chart, the rows it was given. */
async function widgetStates(locale: string): Promise<{ widgets: WidgetState[]; range: [string, string] }> {
  const page = await pages.browser.newPage();
  await page.setViewport({ width: 1440, height: 900 });
  await page.goto(`${pages.base}/?locale=${locale}`, { waitUntil: 'networkidle0' });
  await page.waitForFunction(
    () => {
      const widgets = [...document.querySelectorAll('op-dashboard *')].filter((el) => el.localName.startsWith('op-'));
      return widgets.length >= 14 && widgets.every((el) => el.shadowRoot && !el.shadowRoot.querySelector('.skeleton'));
    },
    { timeout: 30_000 },
  );
  const result = await page.evaluate(() => ({
    range: [document.getElementById('range')!.getAttribute('from')!, document.getElementById('range')!.getAttribute('to')!] as [string, string],
    widgets: [...document.querySelectorAll('op-dashboard *')]
      .filter((el) => el.localName.startsWith('op-'))
      .map((el) => {
        const data = (el as unknown as { data: { value?: { rows: Record<string, unknown>[]; meta: Record<string, unknown> } } }).data;
        return {
          id: el.id,
          tag: el.localName,
          state: el.shadowRoot!.querySelector('.state')?.textContent?.trim().replace(/\s+/g, ' ') ?? null,
          chart: !!el.shadowRoot!.querySelector('canvas'),
          rows: data.value?.rows ?? null,
          meta: data.value?.meta ?? null,
          attrs: Object.fromEntries([...el.attributes].map((a) => [a.name, a.value])),
        };
      }),
  }));
  await page.close();
  return result;
}

describe('the demo page over a date-only export with no events beyond stages', () => {
  test('fits the data and explains every widget whose input the data lacks (en and zh-CN)', async () => {
    for (const locale of ['en', 'zh-CN']) {
      const { widgets, range } = await widgetStates(locale);
      const byId = new Map(widgets.map((w) => [w.id, w]));
      const state = (id: string) => byId.get(id)!.state;
      // The data's own extent: 1 January to 31 March.
      expect(range, locale).toEqual(['2025-01-01', '2025-04-01']);
      const zh = locale === 'zh-CN';
      // No false surge: the data has no hours, and the widget says so.
      expect(state('surges'), locale).toBe(zh ? '此数据只有日期，没有具体时间：无法按小时识别订单激增。' : 'This data has dates only, without times of day: there are no hours to find surges in.');
      // No friction events: no zero axis, a message that says what to import.
      for (const id of ['friction', 'pareto', 'kpi-friction']) expect(state(id), `${locale} ${id}`).toMatch(zh ? /摩擦/ : /friction/i);
      expect(byId.get('friction')!.chart).toBe(false);
      // No actors: throughput says so; no promotions: promotion ROI says so.
      expect(state('kpi-throughput'), locale).toBe(zh ? '数据中没有记录操作人：人效需要带操作人的事件。' : 'No work by named people in this data: throughput needs events with an actor.');
      expect(state('promotions'), locale).toBe(zh ? '没有与此范围重叠的促销（促销来自促销文件）。' : 'No promotion overlaps this range (promotions come from a promotions file).');
      // What the data has is drawn: the funnel over its own stages, stuck orders in whole days, cycle times, on-time.
      expect(byId.get('funnel')!.attrs.steps).toBe('placed,paid,shipped,delivered,kept');
      for (const id of ['funnel', 'cycle-time', 'stages', 'on-time', 'stuck']) {
        expect([id, state(id), byId.get(id)!.chart], locale).toEqual([id, null, true]);
      }
      const stuck = byId.get('stuck')!;
      expect(stuck.meta!.precision).toBe('day');
      expect(new Set(stuck.rows!.map((r) => r.age_bucket))).not.toContain('<4h');
      expect(byId.get('funnel')!.rows!.some((r) => r.step === 'paid' && r.orders === 0)).toBe(false);
      // The cards that have values show them; none is blank.
      for (const id of ['kpi-first-response', 'kpi-on-time']) expect([id, state(id)], locale).toEqual([id, null]);
      // No widget claims the range is empty, none shows an untranslated or raw error.
      for (const w of widgets) {
        expect(w.state ?? '', `${locale} ${w.id}`).not.toMatch(/No orders in this range|此范围内没有订单|Could not load|数据加载失败/);
      }
    }
  }, 120_000);
});
