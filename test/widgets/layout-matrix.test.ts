/**
 * Every widget at 220 px (a narrow sidebar), 342 and 390 px (a phone), 1024 and 1440 px, in both locales:
 * nothing leaves its card, titles fit in two lines, no two texts of a chart overlap (axis labels,
 * bar labels, titles, legends, marks), and under zh-CN nothing reads in English or as a raw key.
 */
import { expect } from '@esm-bundle/chai';
import '../../widgets/orderpulse.js';
import { catalogues } from '../../widgets/internal/messages.js';
import type { OpMetricElement } from '../../widgets/internal/op-metric-element.js';
import { API, chartOf, cleanup, settle } from './helpers.js';
import { chartTextProblems, chartTexts } from '../browser/chart-texts.mjs';
import { echarts } from '../../widgets/echarts/echarts.js';

afterEach(cleanup);

// op-sla draws targets: two, one of them missed in the fixture.
const ADMIN = { Authorization: 'Bearer widget-tests', 'Content-Type': 'application/json' };
const setTargets = (slaTargets: unknown[]) => fetch(`${API}/api/settings`, { method: 'PUT', headers: ADMIN, body: JSON.stringify({ slaTargets }) });
before(() => setTargets([{ from: 'paid', to: 'shipped', hours: 24 }, { from: 'placed', to: 'delivered', hours: 96 }]));
after(() => setTargets([]));

const WIDGETS = [
  '<op-cycle-time interval="month" group-by="channel"></op-cycle-time>',
  '<op-stage-breakdown></op-stage-breakdown>',
  '<op-stuck-orders as-of="2025-04-02T09:00:00"></op-stuck-orders>',
  '<op-on-time interval="month"></op-on-time>',
  '<op-kpi kpi="first_response_hours"></op-kpi>',
  '<op-friction-cost interval="month"></op-friction-cost>',
  '<op-friction-pareto></op-friction-pareto>',
  '<op-channel-funnel></op-channel-funnel>',
  '<op-roi-compare baseline-from="2025-03-01" baseline-to="2025-03-15"></op-roi-compare>',
  '<op-promotion-roi></op-promotion-roi>',
  '<op-surge-alerts min-orders="2" factor="2"></op-surge-alerts>',
  '<op-sla interval="month"></op-sla>',
  '<op-order-list></op-order-list>',
  '<op-freshness></op-freshness>',
];

/** English catalogue texts a zh-CN widget must not show: those zh-CN translates differently, of a word or more. */
const ENGLISH = Object.entries(catalogues.en!)
  .filter(([key, text]) => catalogues['zh-CN']![key as keyof typeof catalogues.en] !== text && /[A-Za-z]{3}/.test(text) && !text.includes('{'))
  .map(([, text]) => text)
  .filter((text) => text.length >= 4)
  .map((text) => ({ text, pattern: new RegExp(`\\b${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`) }));
const RAW_KEY = /\b(col|stage|title|component|info|empty|kpi|error|filter|drill)\.[a-z_]+/;

describe('the chart text check', () => {
  it('finds two texts drawn over each other and one running off the chart, and nothing in a clean chart', async () => {
    const host = document.createElement('div');
    host.style.cssText = 'width: 300px; height: 200px';
    document.body.append(host);
    const chart = echarts.init(host);
    chart.setOption({ animation: false, title: [{ text: 'Revenue', left: 10, top: 10 }, { text: 'Refunds', left: 14, top: 12 }, { text: 'A long title past the edge', left: 240, top: 100 }] });
    const found = chartTextProblems(chart);
    expect(found).to.have.length(2);
    expect(found[0]).to.equal('"Revenue" and "Refunds" overlap');
    expect(found[1]).to.match(/^"A long title past the edge" runs off the chart \(245-\d{3} of 300\)$/);
    chart.setOption({ title: [{ text: 'Revenue', left: 10, top: 10 }, { text: 'Refunds', left: 10, top: 60 }] }, { notMerge: true });
    expect(chartTextProblems(chart)).to.deep.equal([]);
    chart.dispose();
    host.remove();
  });
});

describe('layout matrix', () => {
  // 342 px: a card on a 390 px phone, inside the page's padding.
  for (const width of [220, 342, 390, 1024, 1440]) {
    for (const locale of ['en', 'zh-CN']) {
      it(`at ${width} px in ${locale}: inside the card, titles in two lines, no overlapping chart texts${locale === 'zh-CN' ? ', nothing in English' : ''}`, async () => {
        const problems: string[] = [];
        for (const markup of WIDGETS) {
          const host = document.createElement('div');
          host.style.width = `${width}px`;
          host.innerHTML = markup.replace('>', ` api="${API}" locale="${locale}" from="2025-03-01" to="2025-05-01">`);
          document.body.append(host);
          const el = host.firstElementChild as OpMetricElement;
          await settle(el);
          const name = el.localName;
          const root = el.shadowRoot!.querySelector('.root') as HTMLElement;
          const box = root.getBoundingClientRect();
          if (root.scrollWidth > root.clientWidth + 1) problems.push(`${name}: content ${root.scrollWidth} px wide in ${root.clientWidth}`);
          for (const part of el.shadowRoot!.querySelectorAll<HTMLElement>('.header, .header button, .title')) {
            const b = part.getBoundingClientRect();
            if (b.right > box.right + 1 || b.left < box.left - 1) problems.push(`${name}: ${part.className || part.localName} leaves the card (${Math.round(b.left)}-${Math.round(b.right)} of ${Math.round(box.left)}-${Math.round(box.right)})`);
          }
          const title = el.shadowRoot!.querySelector('.title') as HTMLElement;
          const style = getComputedStyle(title);
          const lineHeight = style.lineHeight === 'normal' ? parseFloat(style.fontSize) * 1.25 : parseFloat(style.lineHeight);
          const lines = Math.round(title.getBoundingClientRect().height / lineHeight);
          if (lines > 2) problems.push(`${name}: title on ${lines} lines`);
          const error = el.shadowRoot!.querySelector('.state.error');
          if (error) problems.push(`${name}: error "${error.textContent?.trim()}"`);
          const chart = chartOf(el);
          const texts = chart ? chartTexts(chart) : [];
          // A chart whose texts the check cannot read would pass it: every chart but a KPI's sparkline has some.
          if (chart && texts.length === 0 && name !== 'op-kpi') problems.push(`${name}: no chart text read`);
          if (chart) for (const problem of chartTextProblems(chart)) problems.push(`${name}: ${problem}`);
          const shown = `${root.textContent ?? ''}\n${texts.map((t) => t.text).join('\n')}`;
          const raw = RAW_KEY.exec(shown);
          if (raw) problems.push(`${name}: raw key ${raw[0]}`);
          if (locale === 'zh-CN') for (const english of ENGLISH) if (english.pattern.test(shown)) problems.push(`${name}: English "${english.text}"`);
          host.remove();
        }
        expect(problems).to.deep.equal([]);
      });
    }
  }
});
