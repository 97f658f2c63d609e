/** Each chart draws exactly the numbers the service returns. */
import { expect } from '@esm-bundle/chai';
import '../../widgets/orderpulse.js';
import type { OpMetricElement } from '../../widgets/internal/op-metric-element.js';
import { API, apiRows, cleanup, mount, seriesData } from './helpers.js';

afterEach(cleanup);

describe('rendered series equal the API rows', () => {
  it('op-channel-funnel: one series per channel, orders per step', async () => {
    const el = await mount<OpMetricElement>(`<op-channel-funnel api="${API}"></op-channel-funnel>`);
    const rows = await apiRows('channel-funnel');
    const data = seriesData(el);
    for (const channel of ['douyin', 'jd', 'tmall']) {
      expect(data[`group-${channel}`], channel).to.deep.equal(rows.filter((r) => r.group === channel).map((r) => r.orders));
    }
    expect(data['group-tmall']).to.deep.equal([2, 2, 2, 2, 1]);
  });

  it('op-cycle-time: p50 and p90 per month', async () => {
    const el = await mount<OpMetricElement>(`<op-cycle-time api="${API}" interval="month" to-stage="paid"></op-cycle-time>`);
    const rows = await apiRows('cycle-time', 'interval=month&toStage=paid');
    expect(seriesData(el)).to.deep.equal({ p50_hours: rows.map((r) => r.p50_hours), p90_hours: rows.map((r) => r.p90_hours) });
    expect(seriesData(el).p50_hours).to.deep.equal([0.375, 1]);
  });

  it('op-cycle-time by channel: one median line per channel, each point its own month and channel', async () => {
    const el = await mount<OpMetricElement>(`<op-cycle-time api="${API}" interval="month" to-stage="paid" group-by="channel"></op-cycle-time>`);
    const rows = await apiRows('cycle-time', 'interval=month&toStage=paid&groupBy=channel');
    const months = [...new Set(rows.map((r) => r.bucket))];
    const channels = [...new Set(rows.map((r) => r.group))];
    const expected = Object.fromEntries(
      channels.map((g) => [`group-${g}`, months.map((b) => rows.find((r) => r.bucket === b && r.group === g)?.p50_hours ?? null)]),
    );
    expect(seriesData(el)).to.deep.equal(expected);
    // Not every channel has a paid order every month: the gaps must stay gaps, not shift the line.
    expect(Object.values(expected).flat()).to.include(null);
  });

  it('op-stage-breakdown: medians, the bottleneck in the accent colour', async () => {
    const el = await mount<OpMetricElement>(`<op-stage-breakdown api="${API}" theme="light"></op-stage-breakdown>`);
    const rows = await apiRows('stage-breakdown');
    expect(seriesData(el).p50).to.deep.equal(rows.map((r) => r.p50_hours));
    const option = (await import('./helpers.js')).chartOf(el)!.getOption() as { series: { data: { itemStyle?: { color?: string } }[] }[] };
    expect(option.series[0]!.data[4]!.itemStyle?.color).to.equal('#cf222e');
  });

  it('op-stuck-orders: counts per stage and age bucket', async () => {
    const el = await mount<OpMetricElement>(`<op-stuck-orders api="${API}" as-of="2025-04-02T09:00:00"></op-stuck-orders>`);
    expect(seriesData(el)).to.deep.equal({ '<4h': [0, 0], '4-24h': [0, 1], '1-3d': [1, 0], '>3d': [0, 0] });
  });

  it('op-on-time, op-friction-cost, op-friction-pareto, op-promotion-roi, op-surge-alerts', async () => {
    const onTime = await mount<OpMetricElement>(`<op-on-time api="${API}" interval="month"></op-on-time>`);
    expect(seriesData(onTime).on_time_rate).to.deep.equal((await apiRows('on-time', 'interval=month')).map((r) => r.on_time_rate));

    const friction = await mount<OpMetricElement>(`<op-friction-cost api="${API}" interval="month"></op-friction-cost>`);
    const frictionRows = await apiRows('friction-cost', 'interval=month');
    expect(seriesData(friction).expedite).to.deep.equal(frictionRows.map((r) => (r.expedite_cost as number) / (r.orders as number)));
    expect(seriesData(friction).data_move).to.deep.equal([33 / 4, 0]);

    const pareto = await mount<OpMetricElement>(`<op-friction-pareto api="${API}"></op-friction-pareto>`);
    expect(seriesData(pareto).cost).to.deep.equal([150, 33, 30, 18]);

    const promotions = await mount<OpMetricElement>(`<op-promotion-roi api="${API}"></op-promotion-roi>`);
    expect(seriesData(promotions).roi).to.deep.equal([-0.7, -1]);

    // The fixture has at most one order an hour: no hour passes the floor of more than `factor` orders.
    const surges = await mount<OpMetricElement>(`<op-surge-alerts api="${API}" min-orders="1" factor="1.5"></op-surge-alerts>`);
    expect(await apiRows('surge-alerts', 'minOrders=1&factor=1.5')).to.deep.equal([]);
    expect(surges.shadowRoot!.querySelector('.state')!.textContent!.trim()).to.equal('No surges in this range: no hour above 1.5× its trailing 24-hour average (minimum orders an hour: 1)');
  });
});
