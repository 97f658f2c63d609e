/** op-date-range and op-filter, alone and inside op-dashboard, against the fixture service. */
import { expect } from '@esm-bundle/chai';
import '../../widgets/orderpulse.js';
import type { ScopeChange } from '../../widgets/events/op-scope-change.js';
import type { OpMetricElement } from '../../widgets/internal/op-metric-element.js';
import { API, chartOf, cleanup, resultOf, settle } from './helpers.js';

afterEach(cleanup);

async function place<T extends HTMLElement>(markup: string): Promise<{ host: HTMLElement; el: T; events: ScopeChange[] }> {
  const host = document.createElement('div');
  host.innerHTML = markup;
  const events: ScopeChange[] = [];
  host.addEventListener('op-scope-change', (e) => events.push((e as CustomEvent).detail));
  document.body.append(host);
  const el = host.firstElementChild as T & { updateComplete: Promise<boolean> };
  await el.updateComplete;
  return { host, el, events };
}

const choose = (select: HTMLSelectElement, value: string) => {
  select.value = value;
  select.dispatchEvent(new Event('change'));
};

describe('op-date-range', () => {
  it('presets end on its today, this week starts as the locale counts weeks, and the end day shown is included', async () => {
    // Wednesday 16 April 2025.
    const { el, events } = await place<HTMLElement>('<op-date-range id="range" today="2025-04-16"></op-date-range>');
    const [period] = [...el.shadowRoot!.querySelectorAll('select')] as HTMLSelectElement[];
    expect([...period!.options].map((o) => o.textContent)).to.deep.equal([
      'Last 7 days', 'Last 30 days', 'Last 90 days', 'This week', 'This month', 'Last month', 'This quarter', 'This year', 'Last year', 'Custom',
    ]);
    for (const preset of ['last30', 'thisWeek', 'lastMonth', 'thisQuarter', 'lastYear']) choose(period!, preset);
    expect(events.map((e) => [e.from, e.to])).to.deep.equal([
      ['2025-03-18', '2025-04-17'],
      ['2025-04-13', '2025-04-17'], // en: weeks start on Sunday
      ['2025-03-01', '2025-04-01'],
      ['2025-04-01', '2025-04-17'],
      ['2024-01-01', '2025-01-01'],
    ]);
    expect(events.every((e) => e.source === 'range')).to.equal(true);
    await (el as unknown as { updateComplete: Promise<boolean> }).updateComplete;
    const [from, through] = [...el.shadowRoot!.querySelectorAll('input')] as HTMLInputElement[];
    expect([from!.value, through!.value]).to.deep.equal(['2024-01-01', '2024-12-31']);
    // A custom end day: the event's `to` is the day after it.
    through!.value = '2024-06-30';
    through!.dispatchEvent(new Event('change'));
    expect(events.at(-1)).to.deep.include({ from: '2024-01-01', to: '2024-07-01' });
    await (el as unknown as { updateComplete: Promise<boolean> }).updateComplete;
    expect(period!.value).to.equal('custom');
  });

  it('in zh-CN weeks start on Monday, and the labels are Chinese', async () => {
    const { el, events } = await place<HTMLElement>('<op-date-range today="2025-04-16" locale="zh-CN"></op-date-range>');
    const [period, compare] = [...el.shadowRoot!.querySelectorAll('select')] as HTMLSelectElement[];
    choose(period!, 'thisWeek');
    expect(events[0]).to.deep.include({ from: '2025-04-14', to: '2025-04-17' });
    expect([...compare!.options].map((o) => o.textContent)).to.deep.equal(['上一周期', '去年同期']);
    choose(compare!, 'year');
    expect(events[1]).to.deep.include({ compare: 'year' });
    expect(el.shadowRoot!.textContent!.match(/[A-Za-z]{2,}/g)).to.equal(null);
  });
});

describe('op-filter', () => {
  it("lists the data's channels by name with their orders; checking two fires them as one channel list", async () => {
    const { el, events } = await place<HTMLElement>(`<op-filter api="${API}"></op-filter>`);
    const task = (el as unknown as { extent: { taskComplete: Promise<unknown> } }).extent;
    await task.taskComplete;
    await (el as unknown as { updateComplete: Promise<boolean> }).updateComplete;
    const options = () => [...el.shadowRoot!.querySelectorAll('.option')].map((o) => o.textContent!.replace(/\s+/g, ' ').trim());
    expect(options()).to.deep.equal(['Douyin2', 'JD2', 'Tmall2']);
    expect(el.shadowRoot!.querySelector('summary')!.textContent).to.equal('All');
    const boxes = [...el.shadowRoot!.querySelectorAll('input[type=checkbox]')] as HTMLInputElement[];
    boxes[1]!.click();
    await (el as unknown as { updateComplete: Promise<boolean> }).updateComplete;
    (el.shadowRoot!.querySelectorAll('input[type=checkbox]')[2] as HTMLInputElement).click();
    await (el as unknown as { updateComplete: Promise<boolean> }).updateComplete;
    expect(events.map((e) => e.channel)).to.deep.equal(['jd', 'jd,tmall']);
    expect(el.shadowRoot!.querySelector('summary')!.textContent).to.equal('JD, Tmall');
    (el.shadowRoot!.querySelector('.reset') as HTMLButtonElement).click();
    expect(events.at(-1)!.channel).to.equal('');
  });
});

describe('controls inside op-dashboard', () => {
  it('the range, the channels and the comparison reach every widget that does not set its own', async () => {
    const host = document.createElement('div');
    host.innerHTML = `<op-dashboard api="${API}" from="2025-03-01" to="2025-05-01">
      <op-date-range today="2025-04-16"></op-date-range><op-filter></op-filter>
      <op-on-time id="on-time" group-by="channel"></op-on-time><op-kpi id="kpi" kpi="orders"></op-kpi></op-dashboard>`;
    document.body.append(host);
    const onTime = host.querySelector('op-on-time') as unknown as OpMetricElement;
    const kpi = host.querySelector('op-kpi') as unknown as OpMetricElement;
    await Promise.all([settle(onTime), settle(kpi)]);
    const range = host.querySelector('op-date-range')!;
    // The dashboard's range is shown (1 March through 30 April: a custom range here).
    await (range as unknown as { updateComplete: Promise<boolean> }).updateComplete;
    expect([...range.shadowRoot!.querySelectorAll('input')].map((i) => i.value)).to.deep.equal(['2025-03-01', '2025-04-30']);
    choose(range.shadowRoot!.querySelector('select')!, 'lastMonth');
    await new Promise((resolve) => setTimeout(resolve, 0));
    await Promise.all([settle(onTime), settle(kpi)]);
    expect([resultOf(onTime)!.params.from, resultOf(onTime)!.params.to]).to.deep.equal(['2025-03-01T00:00:00+08:00', '2025-04-01T00:00:00+08:00']);
    // The period before, of the same length: 31 days.
    expect(resultOf(kpi)!.params.baselineFrom).to.equal('2025-01-29T00:00:00+08:00');
    choose(range.shadowRoot!.querySelectorAll('select')[1]!, 'year');
    await new Promise((resolve) => setTimeout(resolve, 0));
    await settle(kpi);
    expect([resultOf(kpi)!.params.baselineFrom, resultOf(kpi)!.params.baselineTo]).to.deep.equal(['2024-03-01T00:00:00+08:00', '2024-04-01T00:00:00+08:00']);
    const filter = host.querySelector('op-filter')!;
    await (filter as unknown as { extent: { taskComplete: Promise<unknown> } }).extent.taskComplete;
    await (filter as unknown as { updateComplete: Promise<boolean> }).updateComplete;
    (filter.shadowRoot!.querySelectorAll('input[type=checkbox]')[2] as HTMLInputElement).click(); // tmall
    await new Promise((resolve) => setTimeout(resolve, 0));
    await settle(onTime);
    expect(resultOf(onTime)!.params.channel).to.deep.equal(['tmall']);
    expect(resultOf(onTime)!.rows.map((r) => r.group)).to.deep.equal(['tmall']);
    host.remove();
  });
});

describe('annotations on the time charts', () => {
  it("the tenant's notes are marked lines and its promotions shaded bands, in the bucket they fall in", async () => {
    const admin = { Authorization: 'Bearer widget-tests', 'Content-Type': 'application/json' };
    await fetch(`${API}/api/annotations`, { method: 'PUT', headers: admin, body: JSON.stringify([{ date: '2025-03-15', label: 'Go-live', labels: { 'zh-CN': '上线' } }, { date: '2026-01-01', label: 'Out of range' }]) });
    try {
      const host = document.createElement('div');
      host.style.width = '800px';
      // Another service URL spelling than other tests' widgets: the minute's cached answer is this one's.
      host.innerHTML = `<op-friction-cost api="${API}/" interval="month" from="2025-03-01" to="2025-05-01"></op-friction-cost>`;
      document.body.append(host);
      const el = host.firstElementChild as OpMetricElement;
      await settle(el);
      let option: any;
      for (let i = 0; i < 40; i++) {
        option = chartOf(el)!.getOption();
        if (option.series[0].markLine?.data?.length) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const labels = option.xAxis[0].data as string[];
      expect(option.series[0].markLine.data.map((d: any) => [d.name, d.xAxis])).to.deep.equal([['Go-live', labels[0]]]);
      // Spring sale (1-7 March) and Live stream (9-11 March), both in March.
      expect(option.series[0].markArea.data.map((d: any) => [d[0].name, d[0].xAxis, d[1].xAxis])).to.deep.equal([
        ['Spring sale', labels[0], labels[0]],
        ['Live stream', labels[0], labels[0]],
      ]);
      host.remove();
      // In zh-CN, the note's Chinese label.
      const zh = document.createElement('div');
      zh.style.width = '800px';
      zh.innerHTML = `<op-friction-cost api="${API}/" interval="month" from="2025-03-01" to="2025-05-01" locale="zh-CN"></op-friction-cost>`;
      document.body.append(zh);
      const zhEl = zh.firstElementChild as OpMetricElement;
      await settle(zhEl);
      expect((chartOf(zhEl)!.getOption() as any).series[0].markLine.data.map((d: any) => d.name)).to.deep.equal(['上线']);
      zh.remove();
    } finally {
      await fetch(`${API}/api/annotations`, { method: 'PUT', headers: admin, body: '[]' });
    }
  });
});
