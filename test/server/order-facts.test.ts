import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { generateDemoData } from '../../server/demo/generate-demo-data.js';
import { rebuildAllFacts } from '../../server/db/backfills.js';
import { ADMIN, FIXTURES, importPreset, openStore, rows, testApp } from './helpers.js';
import { metricRows } from './metrics-helpers.js';
import { DEFAULT_SETTINGS, readSettings } from '../../server/settings.js';
import { presetMapping } from '../../server/import/presets.js';
import { runImport } from '../../server/import/run-import.js';
import { rebuildTenantFacts } from '../../server/import/refresh-facts.js';

interface Facts {
  stages: Record<string, number>;
  firstResponse: number | null;
  counts: [number, number, number];
  /** Sorted `actor day` pairs. */
  touches: string[];
  dataMoves: number;
  exceptionMinutes: number;
  contactMinutes: number;
  expediteCost: number;
  /** Bits: 1 data moves, 2 exception or contact minutes, 4 expedite cost. */
  frictionKinds: number;
  /** When the order last reached a stage, and the stages reached then (sorted names). */
  last: [number, string[]];
  /** Consecutive steps among the pipeline stages reached: `from>to` and microseconds. */
  steps: [string, number][];
  /** placed_at and delivered_at (epoch ms, null: not reached). */
  placedDelivered: [number, number | null];
  /** Microseconds from placement to first response, and from placed to delivered (null: none). */
  durationsUs: [number | null, number | null];
}

/** order_facts as plain values: stage name → epoch ms, actor names (keys resolved), per `channel/order_id`. */
async function storedFacts(db: Database, pipeline = DEFAULT_SETTINGS.pipeline): Promise<Map<string, Facts & { createdLocal: string }>> {
  const stored = await rows(
    db,
    `SELECT channel || '/' || order_id AS id, strftime(created_local, '%Y-%m-%d %H:%M:%S.%f') AS created_local,
       map_from_entries(list_transform(range(1, len(stage_keys) + 1),
         i -> {'k': n.names[stage_keys[i]], 'v': epoch_ms(stage_at[i])::DOUBLE})) AS stages,
       epoch_ms(first_response_at)::DOUBLE AS first_response, data_moves, exception_minutes, contact_minutes, expedite_cost, friction_kinds,
       [exceptions, contacts, expedites] AS counts, list_transform(touches, t -> a.actors[t.actor_key] || ' ' || strftime(t.day, '%Y-%m-%d')) AS touches,
       epoch_ms(last_at)::DOUBLE AS last_at, list_sort(list_transform(last_keys, k -> n.names[k])) AS last_stages,
       step_pairs, step_us::DOUBLE[] AS step_us, [epoch_ms(placed_at)::DOUBLE, epoch_ms(delivered_at)::DOUBLE] AS placed_delivered,
       [first_response_us::DOUBLE, delivery_us::DOUBLE] AS durations_us
     FROM order_facts CROSS JOIN (SELECT list(stage ORDER BY key) AS names FROM stage_keys) n
       CROSS JOIN (SELECT list(actor ORDER BY key) AS actors FROM actor_keys) a`,
  );
  return new Map(
    stored.map((r) => [
      r.id as string,
      {
        createdLocal: r.created_local as string,
        // A MAP comes back as its entries.
        stages: Object.fromEntries((r.stages as { key: string; value: number }[]).map((e) => [e.key, e.value] as const).sort()),
        firstResponse: r.first_response as number | null,
        counts: r.counts as [number, number, number],
        touches: [...(r.touches as string[])].sort(),
        dataMoves: r.data_moves as number,
        exceptionMinutes: r.exception_minutes as number,
        contactMinutes: r.contact_minutes as number,
        expediteCost: r.expedite_cost as number,
        frictionKinds: r.friction_kinds as number,
        last: [r.last_at as number, r.last_stages as string[]],
        steps: (r.step_pairs as number[]).map((p, i) => [`${pipeline[(p >> 16) - 1]}>${pipeline[(p & 0xffff) - 1]}`, (r.step_us as number[])[i]!]),
        placedDelivered: r.placed_delivered as [number, number | null],
        durationsUs: r.durations_us as [number | null, number | null],
      },
    ]),
  );
}

/** The same facts computed in JavaScript from the raw orders and events rows. */
async function recomputed(db: Database, pipeline = DEFAULT_SETTINGS.pipeline): Promise<Map<string, Facts>> {
  // A source whose creation times carry only minutes (or days) counts an event at the placement instant as a response,
  // for an order created on a whole minute.
  const orders = await rows(
    db,
    `SELECT channel || '/' || order_id AS id, epoch_ms(created_at)::DOUBLE AS created, epoch_us(created_at)::DOUBLE AS created_us,
       epoch_us(created_at) % 60000000 = 0
         AND source IN (SELECT source FROM source_columns WHERE precision <> 'time' AND 'created_at' IN (SELECT unnest(string_split(fields, ',')))) AS coarse
     FROM orders`,
  );
  const coarse = new Set(orders.filter((o) => o.coarse === true).map((o) => o.id as string));
  const events = await rows(
    db,
    `SELECT channel || '/' || order_id AS id, epoch_ms("at")::DOUBLE AS at, epoch_us("at")::DOUBLE AS at_us, type, stage, minutes, cost::DOUBLE AS cost, actor FROM order_events`,
  );
  const facts = new Map<string, Facts & { created: number }>();
  // First time of each stage in microseconds (epoch ms drops the fraction the step durations keep).
  const stagesUs = new Map<string, Record<string, number>>();
  for (const o of orders) {
    const created = o.created as number;
    facts.set(o.id as string, {
      created, stages: { placed: created }, firstResponse: null, counts: [0, 0, 0], touches: [],
      dataMoves: 0, exceptionMinutes: 0, contactMinutes: 0, expediteCost: 0, frictionKinds: 0, last: [0, []], steps: [], placedDelivered: [created, null], durationsUs: [null, null],
    });
    stagesUs.set(o.id as string, { placed: o.created_us as number, created: o.created_us as number });
  }
  // The store's zone is Asia/Shanghai: UTC+8 all year (no daylight saving time).
  const shanghaiDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
  for (const e of events) {
    const f = facts.get(e.id as string)!;
    const at = e.at as number;
    if (e.type === 'stage') {
      f.stages[e.stage as string] = Math.min(f.stages[e.stage as string] ?? Infinity, at);
      const us = stagesUs.get(e.id as string)!;
      us[e.stage as string] = Math.min(us[e.stage as string] ?? Infinity, e.at_us as number);
    }
    const responds = !(e.type === 'stage' && e.stage === 'placed');
    if (responds && (at > f.created || (at === f.created && coarse.has(e.id as string)))) f.firstResponse = Math.min(f.firstResponse ?? Infinity, at);
    const createdUs = stagesUs.get(e.id as string)!.created!;
    if (responds && ((e.at_us as number) > createdUs || ((e.at_us as number) === createdUs && coarse.has(e.id as string)))) {
      f.durationsUs[0] = Math.min(f.durationsUs[0] ?? Infinity, (e.at_us as number) - createdUs);
    }
    if (e.type === 'data_move') f.dataMoves++;
    const counted = ['exception', 'contact', 'expedite'].indexOf(e.type as string);
    if (counted >= 0) f.counts[counted]!++;
    if (e.actor !== null) {
      const touch = `${e.actor} ${shanghaiDay(at)}`;
      if (!f.touches.includes(touch)) f.touches.push(touch);
    }
    if (e.type === 'exception') f.exceptionMinutes += (e.minutes as number | null) ?? 0;
    if (e.type === 'contact') f.contactMinutes += (e.minutes as number | null) ?? 0;
    if (e.type === 'expedite') f.expediteCost += (e.cost as number | null) ?? 0;
  }
  for (const [id, f] of facts) {
    const lastAt = Math.max(...Object.values(f.stages));
    f.last = [lastAt, Object.keys(f.stages).filter((s) => f.stages[s] === lastAt).sort()];
    f.placedDelivered = [f.stages.placed!, f.stages.delivered ?? null];
    f.frictionKinds = (f.dataMoves > 0 ? 1 : 0) + (f.exceptionMinutes + f.contactMinutes > 0 ? 2 : 0) + (f.expediteCost > 0 ? 4 : 0);
    const us = stagesUs.get(id)!;
    f.durationsUs[1] = us.delivered === undefined ? null : us.delivered - us.placed!;
    const reached = pipeline.filter((s) => us[s] !== undefined);
    f.steps = reached.slice(1).map((to, i) => [`${reached[i]}>${to}`, us[to]! - us[reached[i]!]!]);
  }
  return new Map(
    [...facts].map(([id, { created: _created, ...f }]) => [id, { ...f, touches: f.touches.sort(), stages: Object.fromEntries(Object.entries(f.stages).sort()) }]),
  );
}

/** Sums of minutes and costs compared to 1e-6: the store adds them in another order than the loop. */
const rounded = (m: Map<string, Facts>) =>
  new Map([...m].map(([id, f]) => [id, { ...f, exceptionMinutes: round(f.exceptionMinutes), contactMinutes: round(f.contactMinutes), expediteCost: round(f.expediteCost) }]));
const withoutLocal = (m: Map<string, Facts & { createdLocal: string }>) => rounded(new Map([...m].map(([id, { createdLocal: _local, ...f }]) => [id, f])));
const round = (x: number) => Math.round(x * 1e6) / 1e6;

describe('order_facts kept at import', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openStore();
    await generateDemoData(db, { orders: 3000, seed: 7 });
    const metrics = ['orders.csv', 'events.csv', 'promotions.csv'].map((f) => join(FIXTURES, 'metrics', f));
    await importPreset(db, 'canonical', metrics);
    await importPreset(db, 'canonical', [join(FIXTURES, 'import', 'orders-semicolon-bom-crlf.csv')]);
    await importPreset(db, 'canonical', [join(FIXTURES, 'import', 'events.ndjson')]);
    await importPreset(db, 'canonical', metrics); // a re-import changes nothing
    // A custom node no earlier import had: it needs a new stage key, assigned by this import.
    const dir = mkdtempSync(join(tmpdir(), 'op-facts-'));
    writeFileSync(join(dir, 'events.csv'), 'order_id,channel,at,type,stage\nO1,tmall,2025-03-03 10:00:00,stage,bom_kitted\n');
    const canonical = presetMapping('canonical');
    await runImport(db, { mapping: { ...canonical, customStages: ['bom_kitted'] }, files: [{ path: join(dir, 'events.csv') }] });
  });

  test('equal, order by order, to the same facts computed in JavaScript from the raw rows', async () => {
    const stored = await storedFacts(db);
    expect(stored.size).toBe(3000 + 6 + 3);
    expect(Object.keys(stored.get('tmall/O1')!.stages)).toContain('bom_kitted');
    const expected = rounded(await recomputed(db));
    const actual = withoutLocal(stored);
    const differing = [...expected].filter(([id, f]) => JSON.stringify(actual.get(id)) !== JSON.stringify(f));
    expect(differing.slice(0, 3).map(([id, f]) => ({ id, expected: f, actual: actual.get(id) }))).toEqual([]);
  });

  test('a rebuild from scratch (the migration backfill) gives the same facts', async () => {
    const before = await storedFacts(db);
    await db.transaction(async (c) => {
      await c.run('DELETE FROM order_facts');
      await rebuildAllFacts(c);
    });
    expect(await storedFacts(db)).toEqual(before);
  });

  test('a rebuild in slices (as a large tenant is rebuilt) gives the same facts', async () => {
    const before = await storedFacts(db);
    const [{ n }] = (await rows(db, `SELECT count(*)::INT AS n FROM orders WHERE tenant_id = 'default'`)) as { n: number }[];
    expect(n).toBeGreaterThan(100);
    await db.transaction(async (c) => {
      await c.run('DELETE FROM order_facts');
      // Five slices.
      await rebuildTenantFacts(c, 'default', await readSettings(db, 'default'), Math.ceil(n / 5));
    });
    expect(await storedFacts(db)).toEqual(before);
  });

  test('stuck-orders equals a second query over the raw events, as of a time before and after most stages', async () => {
    const app = testApp(db);
    for (const asOf of ['2025-03-15T12:00:00', '2025-06-15T12:00:00', '2026-01-15T00:00:00']) {
      const api = await metricRows(app, `/api/metrics/stuck-orders?asOf=${asOf}`);
      const byStage = new Map<string, [number, number]>();
      for (const r of api) {
        const [n, hours] = byStage.get(r.stage) ?? [0, 0];
        byStage.set(r.stage, [n + r.orders, hours + r.orders * r.mean_age_hours]);
      }
      // Not settled by asOf (no terminal stage reached by then): waiting in the furthest pipeline stage reached, since then.
      const list = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
      const expected = await rows(
        db,
        `WITH reached AS (
           SELECT s.channel, s.order_id, s.stage, s."at" FROM (
             SELECT tenant_id, channel, order_id, stage, min("at") AS "at" FROM (
               SELECT tenant_id, channel, order_id, stage, "at" FROM order_events WHERE type = 'stage'
               UNION ALL SELECT tenant_id, channel, order_id, 'placed', created_at FROM orders) GROUP BY ALL
           ) s JOIN orders o ON o.tenant_id = s.tenant_id AND o.channel = s.channel AND o.order_id = s.order_id
           WHERE s."at" <= timezone('Asia/Shanghai', $as_of::TIMESTAMP) AND o.created_at <= timezone('Asia/Shanghai', $as_of::TIMESTAMP)
         ), open AS (
           SELECT channel, order_id FROM reached GROUP BY ALL HAVING NOT bool_or(list_contains($terminal, stage))
         ), latest AS (
           SELECT r.channel, r.order_id, arg_max(r.stage, list_position($pipeline, r.stage)) AS stage, arg_max(r."at", list_position($pipeline, r.stage)) AS since
           FROM reached r SEMI JOIN open USING (channel, order_id)
           WHERE list_contains($pipeline, r.stage)
           GROUP BY ALL
         )
         SELECT stage, count(*)::INTEGER AS orders, round(sum(epoch(timezone('Asia/Shanghai', $as_of::TIMESTAMP) - since) / 3600), 6) AS hours
         FROM latest GROUP BY stage ORDER BY stage`
          .replaceAll('$terminal', list(DEFAULT_SETTINGS.terminalStages))
          .replaceAll('$pipeline', list(DEFAULT_SETTINGS.pipeline))
          .replaceAll('$as_of', `'${asOf}'`),
      );
      expect(expected.length).toBeGreaterThan(0);
      expect([...byStage].sort().map(([stage, [n, hours]]) => ({ stage, orders: n, hours: round(hours) }))).toEqual(expected);
    }
  });

  test('the default funnel kept per order equals the funnel computed at query time', async () => {
    const app = testApp(db);
    // A window of 100 years holds every order, and any window takes the query-time path.
    for (const query of ['', 'groupBy=region', 'channel=tmall,jd&from=2025-03-01']) {
      const kept = await metricRows(app, `/api/metrics/channel-funnel?${query}`);
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.some((r) => r.median_hours_from_previous > 0)).toBe(true);
      expect(await metricRows(app, `/api/metrics/channel-funnel?${query}&window=36500d`)).toEqual(kept);
    }
  });

  test('pipeline steps follow a change of the pipeline in the settings', async () => {
    const app = testApp(db);
    const before = await metricRows(app, '/api/metrics/stage-breakdown');
    const pipeline = ['placed', 'paid', 'shipped', 'picked', 'delivered', 'bom_kitted'];
    const res = await app.request('/api/settings', { method: 'PUT', headers: { ...ADMIN, 'Content-Type': 'application/json' }, body: JSON.stringify({ pipeline }) });
    expect(res.status).toBe(200);
    const stored = await storedFacts(db, pipeline);
    const expected = await recomputed(db, pipeline);
    const differing = [...expected].filter(([id, f]) => JSON.stringify(stored.get(id)!.steps) !== JSON.stringify(f.steps));
    expect(differing.slice(0, 3).map(([id, f]) => ({ id, expected: f.steps, actual: stored.get(id)!.steps }))).toEqual([]);
    // shipped before picked is a negative gap in this order of the pipeline.
    const after = await metricRows(app, '/api/metrics/stage-breakdown');
    expect(after.map((r) => `${r.from_stage}>${r.to_stage}`)).toContain('shipped>picked');
    expect(after).not.toEqual(before);
    const back = await app.request('/api/settings', { method: 'PUT', headers: { ...ADMIN, 'Content-Type': 'application/json' }, body: JSON.stringify({ pipeline: DEFAULT_SETTINGS.pipeline }) });
    expect(back.status).toBe(200);
    expect(await metricRows(app, '/api/metrics/stage-breakdown')).toEqual(before);
  });

  test('created_local follows the tenant time zone, and buckets agree with an explicit tz either way', async () => {
    const app = testApp(db);
    const berlinByParam = await metricRows(app, '/api/metrics/friction-cost?interval=day&tz=Europe/Berlin&from=2025-03-01&to=2025-03-15');
    const shanghai = await metricRows(app, '/api/metrics/friction-cost?interval=day&from=2025-03-01&to=2025-03-15');
    // throughput reads order_facts.touches in the tenant's zone and the events in another.
    const touchesBerlin = await metricRows(app, '/api/metrics/throughput?interval=week&groupBy=actor&tz=Europe/Berlin');
    const touchesShanghai = await metricRows(app, '/api/metrics/throughput?interval=week&groupBy=actor');
    expect(touchesBerlin).not.toEqual(touchesShanghai);
    const roi = '/api/metrics/roi-compare?baselineFrom=2025-01-01&baselineTo=2025-07-01&to=2026-01-01';
    const roiBerlin = await metricRows(app, `${roi}&tz=Europe/Berlin`);
    const surgeBerlin = await metricRows(app, '/api/metrics/surge-alerts?factor=2&minOrders=3&tz=Europe/Berlin');
    expect(surgeBerlin.length).toBeGreaterThan(0);
    const res = await app.request('/api/settings', { method: 'PUT', headers: { ...ADMIN, 'Content-Type': 'application/json' }, body: '{"timeZone":"Europe/Berlin"}' });
    expect(res.status).toBe(200);
    const [{ stale }] = await rows(db, `SELECT count(*) FILTER (created_local <> timezone('Europe/Berlin', created_at))::INT AS stale FROM order_facts`);
    // (order_facts.touches follow too: the throughput checks below read them.)
    expect(stale).toBe(0);
    expect(await metricRows(app, '/api/metrics/friction-cost?interval=day&from=2025-03-01&to=2025-03-15')).toEqual(berlinByParam);
    expect(await metricRows(app, '/api/metrics/friction-cost?interval=day&tz=Asia/Shanghai&from=2025-03-01&to=2025-03-15')).toEqual(shanghai);
    expect(await metricRows(app, '/api/metrics/throughput?interval=week&groupBy=actor')).toEqual(touchesBerlin);
    expect(await metricRows(app, '/api/metrics/throughput?interval=week&groupBy=actor&tz=Asia/Shanghai')).toEqual(touchesShanghai);
    expect(await metricRows(app, roi)).toEqual(roiBerlin);
    expect(await metricRows(app, '/api/metrics/surge-alerts?factor=2&minOrders=3')).toEqual(surgeBerlin);
    expect(berlinByParam[0].bucket).toBe('2025-03-01T00:00:00+01:00');
    expect(shanghai[0].bucket).toBe('2025-03-01T00:00:00+08:00');
  });
});

describe('the facts of an order without events', () => {
  // The import computes them once for all such orders (refresh-facts.ts, LONE_PLACED_AT): they must be
  // what the per-order path gives an order whose one event is its placement, at its created_at.
  test('equal those of the same order with only its placement as an event, in a file of either kind or both', async () => {
    const orders = join(FIXTURES, 'metrics', 'orders.csv');
    const dir = mkdtempSync(join(tmpdir(), 'op-lone-'));
    const lines = (await rows(await openStore(), `SELECT order_id, channel, created_at FROM read_csv('${orders}', all_varchar = true)`)) as Record<string, string>[];
    const placed = (some: typeof lines) => `order_id,channel,at,type,stage\n${some.map((o) => `${o.order_id},${o.channel},${o.created_at},stage,placed`).join('\n')}\n`;
    writeFileSync(join(dir, 'all-events.csv'), placed(lines));
    writeFileSync(join(dir, 'some-events.csv'), placed(lines.slice(0, 3)));
    const facts = async (files: string[]) => {
      const db = await openStore();
      await importPreset(db, 'canonical', files);
      return rows(db, 'SELECT * FROM order_facts ORDER BY order_key');
    };
    const lone = await facts([orders]);
    expect(lone).toHaveLength(6);
    expect(lone.map((f) => [f.last_count, f.funnel_depth, (f.stage_at as string[]).length])).toEqual(Array(6).fill([1, 1, 1]));
    expect(await facts([orders, join(dir, 'all-events.csv')])).toEqual(lone);
    expect(await facts([orders, join(dir, 'some-events.csv')])).toEqual(lone);
  });
});
