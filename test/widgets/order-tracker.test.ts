/** op-order-tracker for a customer's token on a phone, in both locales, against the fixture service. */
import { expect } from '@esm-bundle/chai';
import '../../widgets/orderpulse.js';
import type { OpMetricElement } from '../../widgets/internal/op-metric-element.js';
import { API, apiRows, cleanup, resultOf, settle, shadow } from './helpers.js';

afterEach(cleanup);

const ADMIN = { Authorization: 'Bearer widget-tests', 'Content-Type': 'application/json' };

/** A token for customer C1 (O1, O5, O6 of the fixture), usable from this page's origin. */
async function customerToken(): Promise<string> {
  await fetch(`${API}/api/tenants/default`, { method: 'PUT', headers: ADMIN, body: JSON.stringify({ allowedOrigins: [location.origin] }) });
  const res = await fetch(`${API}/api/embed-tokens`, { method: 'POST', headers: ADMIN, body: JSON.stringify({ orders: true, filters: { customer: ['C1'] } }) });
  return ((await res.json()) as { token: string }).token;
}

async function mountTracker(locale: string): Promise<OpMetricElement> {
  const host = document.createElement('div');
  host.style.width = '360px';
  const el = document.createElement('op-order-tracker') as OpMetricElement;
  el.setAttribute('api', API);
  el.setAttribute('locale', locale);
  el.token = await customerToken();
  host.append(el);
  document.body.append(host);
  await settle(el);
  return el;
}

const cards = (el: OpMetricElement) =>
  [...el.shadowRoot!.querySelectorAll('.order')].map((card) => ({
    id: card.querySelector('.order-id')!.textContent!.trim(),
    status: card.querySelector('.status')!.textContent!.trim(),
    facts: [...card.querySelectorAll('dt')].map((dt) => `${dt.textContent!.trim()}: ${dt.nextElementSibling!.textContent!.replace(/\s+/g, ' ').trim()}`),
  }));

describe('op-order-tracker', () => {
  it("shows a customer's orders only, newest first, where each is and its promise, on a 360 px phone", async () => {
    const el = await mountTracker('en');
    const shown = cards(el);
    // C1 has O1, O5 and O6; O2-O4 are C2's.
    expect(shown.map((c) => c.id)).to.deep.equal(['O6', 'O5', 'O1']);
    // As of C1's latest event (O5's credit check, 1 April 10:00): O6 has waited an hour since placement.
    expect(shown[0]!.status).to.equal('Placed · for 1 hr');
    expect(shown[0]!.facts).to.include('Promised by: Apr 4, 09:00 · in 3 days');
    expect(shown[0]!.facts).to.include('Stock: not reserved yet');
    expect(shown[2]!.status).to.equal('Delivered');
    expect(shown[2]!.facts).to.include('Promised by: Mar 6, 09:00 · delivered on time');
    // The shipped order's parcel; the open one's warehouse.
    expect(shown[2]!.facts).to.include('Parcel: SF Express · SF1234567890');
    expect(shown[0]!.facts).to.include('Ships from: WH-North');
    expect(shown[0]!.facts.some((f) => f.startsWith('Parcel'))).to.equal(false);
    const progress = el.shadowRoot!.querySelectorAll('.order')[1]!.querySelector('.progress')!;
    expect(progress.getAttribute('aria-label')).to.match(/^Stage 3 of \d+$/);
    const root = el.shadowRoot!.querySelector('.root') as HTMLElement;
    expect(root.scrollWidth).to.be.at.most(root.clientWidth + 1);
    expect(el.getBoundingClientRect().width).to.be.at.most(360);
  });

  it('reads in zh-CN, with no English left', async () => {
    const el = await mountTracker('zh-CN');
    const shown = cards(el);
    expect(shown.map((c) => c.id)).to.deep.equal(['O6', 'O5', 'O1']);
    expect(el.shadowRoot!.querySelector('.title')!.textContent).to.equal('我的订单');
    expect(shown[0]!.status).to.equal('下单 · 已 1小时');
    expect(shown[2]!.facts).to.include('承诺送达: 3月6日 09:00 · 按时送达');
    expect(shown[2]!.facts).to.include('运单: 顺丰速运 · SF1234567890');
    expect(shown[0]!.facts).to.include('发货仓: WH-North');
    const text = el.shadowRoot!.querySelector('.body')!.textContent!;
    // Order ids, waybills and warehouse codes aside (identifiers), nothing in Latin letters.
    expect(text.replace(/O\d|SF\d+|WH-\w+/g, '').match(/[A-Za-z]{2,}/g)).to.equal(null);
  });
});

describe('op-sla and op-freshness on the fixture service', () => {
  it('op-sla without targets says how to set them, translated, with no Retry', async () => {
    const host = document.createElement('div');
    host.innerHTML = `<op-sla api="${API}" locale="zh-CN"></op-sla>`;
    document.body.append(host);
    const el = host.firstElementChild as OpMetricElement;
    await settle(el);
    const state = el.shadowRoot!.querySelector('.state.error')!;
    expect(state.textContent!.trim()).to.equal('尚未设置服务水平：请在设置中添加 slaTargets（例如付款后 48 小时内发货）。');
    expect(state.querySelector('button')).to.equal(null);
  });

  it("op-sla's counts open, in a dashboard, the list of exactly the orders each counts", async () => {
    const setTargets = (slaTargets: unknown[]) => fetch(`${API}/api/settings`, { method: 'PUT', headers: ADMIN, body: JSON.stringify({ slaTargets }) });
    await setTargets([{ from: 'paid', to: 'shipped', hours: 24 }]);
    try {
      const host = document.createElement('div');
      host.innerHTML = `<op-dashboard api="${API}" from="2025-03-01" to="2025-05-01"><op-sla as-of="2025-04-02T09:00:00"></op-sla></op-dashboard>`;
      document.body.append(host);
      const dashboard = host.firstElementChild as HTMLElement & { updateComplete: Promise<boolean> };
      const sla = host.querySelector('op-sla') as unknown as OpMetricElement;
      await settle(sla);
      const whole = (await apiRows('sla', 'from=2025-03-01&to=2025-05-01&asOf=2025-04-02T09:00:00')).filter((r) => r.bucket === null);
      const breached = whole.reduce((n, r) => n + (r.breached as number), 0);
      expect(breached).to.be.greaterThan(0);
      // The breach-rate cell lists the breached orders.
      const cells = [...sla.shadowRoot!.querySelectorAll('.today tbody td')];
      const button = cells[4]!.querySelector('button.count') as HTMLButtonElement;
      expect(button.textContent!.trim()).to.match(/%$/);
      button.click();
      await dashboard.updateComplete;
      const list = dashboard.shadowRoot!.querySelector('op-order-list') as unknown as OpMetricElement;
      await settle(list);
      expect(resultOf(list)!.params).to.deep.include({ sla: 'paid→shipped', slaState: 'breached' });
      expect(list.shadowRoot!.querySelectorAll('tbody tr').length).to.equal(breached);
      expect(shadow(list, '.title')!.textContent).to.equal('Orders: Paid → Shipped · Breached');
      // A zero lists nothing: it is no button.
      const zeros = cells.filter((td) => td.textContent!.trim() === '0');
      expect(zeros.every((td) => td.querySelector('button') === null)).to.equal(true);
      host.remove();
    } finally {
      await setTargets([]);
    }
  });

  it('op-freshness lists each channel of the fixture as fresh, just imported', async () => {
    const host = document.createElement('div');
    host.innerHTML = `<op-freshness api="${API}"></op-freshness>`;
    document.body.append(host);
    const el = host.firstElementChild as OpMetricElement;
    await settle(el);
    const sources = [...el.shadowRoot!.querySelectorAll('.source')].map((s) => [s.querySelector('.name')!.textContent!.trim(), s.querySelector('.badge')!.textContent!.trim()]);
    expect(sources).to.deep.equal([
      ['Douyin · canonical', 'Fresh'],
      ['JD · canonical', 'Fresh'],
      ['Tmall · canonical', 'Fresh'],
    ]);
    expect(el.shadowRoot!.querySelector('.updated')!.textContent).to.match(/^Updated (now|\d+ minutes? ago|this minute)$/);
  });
});

/** An HS256 JWT signed in the page with the fixture service's embed secret (key id `test`), as a host backend signs one. */
async function signToken(claims: Record<string, unknown>): Promise<string> {
  const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const text = (value: unknown) => b64(new TextEncoder().encode(JSON.stringify(value)));
  const input = `${text({ alg: 'HS256', typ: 'JWT', kid: 'test' })}.${text(claims)}`;
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode('embed-secret-for-tests'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return `${input}.${b64(new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(input))))}`;
}

describe('an expired embed token', () => {
  const now = Math.floor(Date.now() / 1000);
  const expiredToken = () => signToken({ tenant: 'default', jti: 'expired-1', iat: now - 7200, exp: now - 3600 });
  async function freshToken(): Promise<string> {
    await fetch(`${API}/api/tenants/default`, { method: 'PUT', headers: ADMIN, body: JSON.stringify({ allowedOrigins: [location.origin] }) });
    const res = await fetch(`${API}/api/embed-tokens`, { method: 'POST', headers: ADMIN, body: JSON.stringify({}) });
    return ((await res.json()) as { token: string }).token;
  }

  it('fires op-token-expired and retries once with a new token from tokenProvider', async () => {
    const [expired, fresh] = [await expiredToken(), await freshToken()];
    const events: { source: string; retried: boolean }[] = [];
    const host = document.createElement('div');
    host.addEventListener('op-token-expired', (e) => events.push((e as CustomEvent).detail));
    document.body.append(host);
    const el = document.createElement('op-stuck-orders') as OpMetricElement;
    el.id = 'stuck';
    el.setAttribute('api', API);
    el.setAttribute('as-of', '2025-04-02T09:00:00');
    let calls = 0;
    // The first call hands out the token it had (now expired); asked again, it renews.
    el.tokenProvider = () => (calls++ === 0 ? expired : fresh);
    host.append(el);
    await settle(el);
    expect(events).to.deep.equal([{ source: 'stuck', retried: true }]);
    expect(resultOf(el)!.rows.reduce((n, r) => n + (r.orders as number), 0)).to.equal(2);
    expect(el.shadowRoot!.querySelector('.state.error')).to.equal(null);
    host.remove();
  });

  it('without a provider, says so in the user language; a new token attribute fetches again', async () => {
    const [expired, fresh] = [await expiredToken(), await freshToken()];
    const events: { source: string; retried: boolean }[] = [];
    const host = document.createElement('div');
    host.addEventListener('op-token-expired', (e) => events.push((e as CustomEvent).detail));
    host.innerHTML = `<op-stuck-orders api="${API}" locale="zh-CN" as-of="2025-04-02T09:00:00" token="${expired}"></op-stuck-orders>`;
    document.body.append(host);
    const el = host.firstElementChild as OpMetricElement;
    await settle(el);
    expect(events).to.deep.equal([{ source: 'op-stuck-orders', retried: false }]);
    expect(el.shadowRoot!.querySelector('.state.error')!.textContent!.trim()).to.equal('嵌入令牌已过期：宿主页面需为组件提供新令牌（token 属性，或可续期的 tokenProvider）。');
    el.token = fresh;
    await settle(el);
    expect(el.shadowRoot!.querySelector('.state.error')).to.equal(null);
    expect(resultOf(el)!.rows.length).to.be.greaterThan(0);
    host.remove();
  });
});
