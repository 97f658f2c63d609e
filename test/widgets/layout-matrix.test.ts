/** Every widget in a 220 px card (a narrow sidebar) and at 390 px, in both locales: nothing leaves its card. */
import { expect } from '@esm-bundle/chai';
import '../../widgets/orderpulse.js';
import type { OpMetricElement } from '../../widgets/internal/op-metric-element.js';
import { API, cleanup, settle } from './helpers.js';

afterEach(cleanup);

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
  '<op-surge-alerts></op-surge-alerts>',
  '<op-order-list></op-order-list>',
  '<op-freshness></op-freshness>',
];

describe('narrow cards', () => {
  for (const width of [220, 390]) {
    for (const locale of ['en', 'zh-CN']) {
      it(`at ${width} px in ${locale}, every widget stays inside its card and its title fits in two lines`, async () => {
        const problems: string[] = [];
        for (const markup of WIDGETS) {
          const host = document.createElement('div');
          host.style.width = `${width}px`;
          host.innerHTML = markup.replace('>', ` api="${API}" locale="${locale}" from="2025-03-01" to="2025-05-01">`);
          document.body.append(host);
          const el = host.firstElementChild as OpMetricElement;
          await settle(el);
          const root = el.shadowRoot!.querySelector('.root') as HTMLElement;
          const box = root.getBoundingClientRect();
          if (root.scrollWidth > root.clientWidth + 1) problems.push(`${el.localName}: content ${root.scrollWidth} px wide in ${root.clientWidth}`);
          for (const part of el.shadowRoot!.querySelectorAll<HTMLElement>('.header, .header button, .title')) {
            const b = part.getBoundingClientRect();
            if (b.right > box.right + 1 || b.left < box.left - 1) problems.push(`${el.localName}: ${part.className || part.localName} leaves the card (${Math.round(b.left)}-${Math.round(b.right)} of ${Math.round(box.left)}-${Math.round(box.right)})`);
          }
          const title = el.shadowRoot!.querySelector('.title') as HTMLElement;
          const style = getComputedStyle(title);
          const lineHeight = style.lineHeight === 'normal' ? parseFloat(style.fontSize) * 1.25 : parseFloat(style.lineHeight);
          const lines = Math.round(title.getBoundingClientRect().height / lineHeight);
          if (lines > 2) problems.push(`${el.localName}: title on ${lines} lines`);
          host.remove();
        }
        expect(problems).to.deep.equal([]);
      });
    }
  }
});
