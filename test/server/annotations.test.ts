/** GET/PUT /api/annotations: the dated notes and promotions the time charts mark, under the metrics' access. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { DEMO_GO_LIVE_NOTE, DEMO_GO_LIVE_NOTE_ZH, generateDemoData } from '../../server/demo/generate-demo-data.js';
import { ADMIN, openStore, testApp } from './helpers.js';
import { fixtureApp } from './metrics-helpers.js';

let db: Database;
let app: ReturnType<typeof testApp>;
beforeAll(async () => {
  ({ db, app } = await fixtureApp());
});
afterAll(() => db.close());

const json = async (res: Response) => ({ status: res.status, body: await res.json() });
const put = (body: unknown) => app.request('/api/annotations', { method: 'PUT', headers: { ...ADMIN, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
async function mint(body: Record<string, unknown>): Promise<RequestInit> {
  const res = await app.request('/api/embed-tokens', { method: 'POST', headers: { ...ADMIN, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { headers: { Authorization: `Bearer ${((await res.json()) as { token: string }).token}` } };
}

test('notes are replaced by the admin, checked, and read with the promotions as local days', async () => {
  for (const [body, message] of [
    [[{ date: '2025-02-30', label: 'x' }], '0.date: not a real day'],
    [[{ date: '2025-03-01', label: ' ' }], '0.label: Too small: expected string to have >=1 characters'],
    [{ date: '2025-03-01' }, '(root): Invalid input: expected array, received object'],
  ] as const) {
    const res = await json(await put(body));
    expect([res.status, res.body.error.code, res.body.error.message], JSON.stringify(body)).toEqual([400, 'invalid_annotations', message]);
  }
  expect((await json(await put([{ date: '2025-03-01', label: 'x', colour: 'red' }]))).status).toBe(400);
  expect((await json(await app.request('/api/annotations', { method: 'PUT', body: '[]' }))).status).toBe(401);
  const notes = [{ date: '2025-03-15', label: 'Go-live' }, { date: '2025-04-01', label: 'jd warehouse move', channel: 'jd' }];
  expect((await put(notes)).status).toBe(200);
  const all = await json(await app.request('/api/annotations'));
  expect(all.body.annotations).toEqual(notes);
  expect(all.body.promotions.map((p: any) => [p.id, p.channel, p.from, p.through])).toEqual([
    // Ends are exclusive in the file: the last day is the one before.
    ['P1', 'tmall', '2025-03-01', '2025-03-07'],
    ['P2', 'douyin', '2025-03-09', '2025-03-11'],
  ]);
  // A token locked to tmall: the notes for every channel and its own, its promotions.
  const tmall = await json(await app.request('/api/annotations', await mint({ filters: { channel: ['tmall'] } })));
  expect([tmall.body.annotations, tmall.body.promotions.map((p: any) => p.id)]).toEqual([[notes[0]], ['P1']]);
  const customer = await json(await app.request('/api/annotations', await mint({ orders: true, filters: { customer: ['C1'] } })));
  expect([customer.status, customer.body.error.code]).toEqual([403, 'customer_token']);
  expect((await put([])).status).toBe(200);
});

test('the demo data notes its go-live', async () => {
  const demo = await openStore();
  await generateDemoData(demo, { orders: 300, seed: 2 });
  const body = await (await testApp(demo).request('/api/annotations')).json();
  expect(body.annotations).toEqual([{ date: '2025-07-01', label: DEMO_GO_LIVE_NOTE, labels: { 'zh-CN': DEMO_GO_LIVE_NOTE_ZH } }]);
  expect(body.promotions.length).toBe(6);
  await demo.close();
});
