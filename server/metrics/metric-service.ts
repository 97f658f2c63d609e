import { createHash } from 'node:crypto';
import type { Database } from '../db/database.js';
import { settingsFromJson } from '../settings.js';
import type { TenantDirectory } from '../tenants.js';
import { bindingsFor, boolean, text, textList, type Bindings } from './bindings.js';
import { precisionOf, type MetricDefinition, type Resolved } from './catalog.js';
import { extentOf, type Extent } from './extent.js';
import { LruCache } from './lru-cache.js';
import { contextBindings, dataUpdatedAt, scopeBindings, visibleChannelNames, type MetricContext } from './scope.js';
import { lockOf, type MetricLock } from '../security/locked-filters.js';
import type { TokenFilters } from '../security/embed-token.js';
import { SqlMetric } from './sql-metric.js';
import type { MetricEnvelope } from '../../widgets/internal/envelope.js';

/** A metric's answer (widgets/internal/envelope.ts, by which the widgets read it too). */
export type MetricResponse = MetricEnvelope;

interface Computed {
  body: Omit<MetricResponse, 'meta'> & { meta: Omit<MetricResponse['meta'], 'cached'> };
  etag: string;
}

/** The channels a metric's scope reads (none: all); a cohort comparison's two sides are in their own params. */
function scopeChannels(params: Record<string, unknown>): string[] {
  return Array.isArray(params.channel) ? (params.channel as string[]) : [];
}

/**
 * Resolves, runs and caches metrics. A result is cached under its resolved
 * parameters and the data version, so any import or settings change (which
 * bumps the version) makes every older entry unreachable. Identical requests
 * in flight at the same time share one query.
 */
export class MetricService {
  private readonly sql = new Map<string, SqlMetric>();
  private readonly cache = new LruCache<string, Computed>(500);
  private readonly inFlight = new Map<string, Promise<Computed>>();
  private readonly contexts = new Map<string, { version: number; value: Promise<MetricContext> }>();
  /** The latest event of a lock's own orders, by tenant, data version and lock. */
  private readonly lockedLatest = new LruCache<string, Promise<number | null>>(200);
  private readonly extents = new LruCache<string, Promise<Extent>>(200);

  constructor(
    private readonly db: Database,
    private readonly tenants: TenantDirectory,
    metrics: readonly MetricDefinition[],
    private readonly options: { cache?: boolean; timeoutMs?: number; rollups?: boolean } = {},
  ) {
    for (const m of metrics) this.sql.set(m.name, new SqlMetric(m.name));
  }

  sqlOf(name: string): SqlMetric {
    return this.sql.get(name)!;
  }

  /** A tenant's settings, known channels and latest event time: read once per data version. */
  metricContext(tenant: string): Promise<MetricContext> {
    const version = this.db.dataVersion;
    let context = this.contexts.get(tenant);
    if (context?.version !== version) {
      const value = (async () => {
        const settings = settingsFromJson((await this.tenants.require(tenant)).settings);
        const channels = await this.db.query('SELECT DISTINCT channel FROM orders WHERE tenant_id = $tenant', { tenant });
        const [latest] = await this.db.query('SELECT op_epoch_ms_up(max("at"))::DOUBLE AS ms FROM order_events WHERE tenant_id = $tenant', { tenant });
        const stages = await this.db.query('SELECT stage FROM stage_keys ORDER BY key');
        const [sla] = await this.db.query('SELECT targets, epoch_us(watermark)::DOUBLE AS us FROM sla_state WHERE tenant_id = $tenant', { tenant });
        // One pass for the five cohort dimensions' values.
        const [values] = await this.db.query(
          `SELECT list(DISTINCT region) AS region, list(DISTINCT sku_series) AS "skuSeries", list(DISTINCT customer_tier) AS "customerTier",
             list(DISTINCT promotion_id) AS promotion, list(DISTINCT warehouse) AS warehouse FROM orders WHERE tenant_id = $tenant`,
          { tenant },
        );
        const valuesOf = (key: string) => new Set(((values?.[key] as (string | null)[] | null) ?? []).filter((v): v is string => v !== null));
        const dateSources = await this.db.query(
          `SELECT source, any_value(time_zone) AS zone FROM source_columns
           WHERE tenant_id = $tenant AND precision = 'date' AND list_contains(string_split(fields, ','), 'promised_at') GROUP BY source ORDER BY source`,
          { tenant },
        );
        const dayOnly = await this.db.query(
          `SELECT DISTINCT field FROM (SELECT unnest(string_split(fields, ',')) AS field FROM source_columns WHERE tenant_id = $tenant AND precision = 'date')`,
          { tenant },
        );
        const currencies = await this.db.query(
          'SELECT DISTINCT currency FROM orders WHERE tenant_id = $tenant AND currency IS NOT NULL ORDER BY currency',
          { tenant },
        );
        const imported = await this.db.query(
          `SELECT channel, epoch_ms(max(imported_at))::DOUBLE AS ms FROM op_import_sources($tenant) GROUP BY channel
           UNION ALL SELECT NULL, epoch_ms(max(finished_at))::DOUBLE FROM imports WHERE tenant_id = $tenant`,
          { tenant },
        );
        const byChannel = new Map(imported.filter((r) => r.channel !== null && r.ms !== null).map((r) => [r.channel as string, r.ms as number]));
        const lastImport = (imported.find((r) => r.channel === null)?.ms as number | null | undefined) ?? null;
        const allTimes = [...byChannel.values(), ...(lastImport === null ? [] : [lastImport])];
        return {
          settings,
          importedAt: { all: allTimes.length > 0 ? Math.max(...allTimes) : null, byChannel },
          currencies: currencies.map((r) => r.currency as string),
          dayOnlyFields: new Set(dayOnly.map((r) => r.field as string)),
          channels: new Set(channels.map((r) => r.channel as string)),
          latestEventMs: (latest?.ms as number | null) ?? null,
          slaRollups: sla ? { targets: sla.targets as string, watermarkUs: (sla.us as number | null) ?? null } : null,
          stageNames: stages.map((r) => r.stage as string),
          dimensionValues: { region: valuesOf('region'), skuSeries: valuesOf('skuSeries'), customerTier: valuesOf('customerTier'), promotion: valuesOf('promotion'), warehouse: valuesOf('warehouse') },
          promiseDateSources: dateSources.map((r) => ({ source: r.source as string, zone: (r.zone as string | null) ?? settings.timeZone })),
        };
      })();
      context = { version, value };
      this.contexts.set(tenant, context);
      value.catch(() => this.contexts.delete(tenant));
    }
    return context.value;
  }

  /**
   * A resolved metric's bindings with the tenant's. With `rollups: false` every metric reads the
   * per-order facts (the tests compare the two sources; the bench times both).
   */
  bindings(resolved: Resolved, tenant: string, ctx: MetricContext): Bindings {
    const bindings = { ...resolved.bindings, ...contextBindings(tenant, ctx) };
    if (this.options.rollups === false && bindings.rollup) bindings.rollup = boolean(false);
    return bindings;
  }

  /**
   * The latest event time of the orders a lock lets a token see: what a default "as of" may show
   * it, rather than the tenant's latest event (which may belong to orders outside the lock).
   */
  private latestEventIn(tenant: string, lock: MetricLock): Promise<number | null> {
    const key = `${tenant}\n${this.db.dataVersion}\n${JSON.stringify(lock)}`;
    let latest = this.lockedLatest.get(key);
    if (!latest) {
      const list = (name: keyof MetricLock['lists']) => [...(lock.lists[name] ?? [])];
      const lists = { channel: list('channel'), region: list('region'), skuSeries: list('skuSeries'), customerTier: list('customerTier'), promotion: list('promotion'), warehouse: list('warehouse') };
      const bindings = { tenant: text(tenant), ...scopeBindings('', lock.fromMs, lock.toMs, lists), customers: textList(list('customer')) };
      const sql = `SELECT op_epoch_ms_up(max(e."at"))::DOUBLE AS ms FROM op_events($tenant) e
        SEMI JOIN (
          SELECT order_key FROM op_scoped_orders($tenant, $from_ts::TIMESTAMPTZ, $to_ts::TIMESTAMPTZ, $channels, $regions, $series, $tiers, $promotions, $warehouses)
          WHERE len($customers) = 0 OR list_contains($customers, customer_id)
        ) o ON o.order_key = e.order_key`;
      const { values, types } = bindingsFor(sql, bindings);
      latest = this.db.query(sql, values, types, this.options.timeoutMs, tenant).then(([row]) => (row?.ms as number | null) ?? null);
      this.lockedLatest.set(key, latest);
      // A failure (a timeout) is not kept: the next request asks again.
      latest.catch(() => this.lockedLatest.delete(key));
    }
    return latest;
  }

  /** What `tenant`'s data holds (GET /api/extent), within a token's lock. */
  async extent(tenant: string, filters?: TokenFilters): Promise<Extent> {
    const shared = await this.metricContext(tenant);
    const lock = filters && lockOf(filters);
    // Once per data version and lock: every page load asks (154 ms at 1M demo orders).
    const key = `${tenant}\n${this.db.dataVersion}\n${JSON.stringify(lock ?? null)}`;
    let extent = this.extents.get(key);
    if (!extent) {
      extent = extentOf(this.db, tenant, lock ? { ...shared, lock } : shared, this.options.timeoutMs);
      this.extents.set(key, extent);
      extent.catch(() => this.extents.delete(key));
    }
    return extent;
  }

  /**
   * The context of a request under a token's `filters`: its lock, and (when `latestEvent`) the
   * latest event of the lock's own orders as the default "as of".
   */
  async lockedContext(tenant: string, filters: TokenFilters | undefined, latestEvent: boolean): Promise<{ ctx: MetricContext; lock: MetricLock | undefined }> {
    const shared = await this.metricContext(tenant);
    const lock = filters && lockOf(filters);
    if (!lock) return { ctx: shared, lock };
    return { ctx: { ...shared, lock, latestEventMs: latestEvent ? await this.latestEventIn(tenant, lock) : null }, lock };
  }

  /** Runs a metric over `tenant`'s data; `filters` (an embed token's) narrow every scope it resolves. */
  async run(
    definition: MetricDefinition,
    query: Record<string, string | undefined>,
    tenant: string,
    filters?: TokenFilters,
  ): Promise<{ body: MetricResponse; etag: string }> {
    const { ctx, lock } = await this.lockedContext(tenant, filters, definition.usesLatestEvent ?? false);
    const resolved = definition.resolve(query, ctx);
    const precision = definition.times && precisionOf(definition.times(resolved.params, ctx), ctx);
    const version = this.db.dataVersion;
    // The lock too: a locked range bounds what some metrics count (throughput's and promotion-roi's
    // orders by creation) without showing in their parameters.
    const key = `${tenant}\n${definition.name}\n${version}\n${JSON.stringify(resolved.params)}\n${JSON.stringify(lock ?? null)}`;
    const cacheOn = this.options.cache ?? true;

    const hit = cacheOn ? this.cache.get(key) : undefined;
    if (hit) return { body: { ...hit.body, meta: { ...hit.body.meta, cached: true } }, etag: hit.etag };

    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = (async (): Promise<Computed> => {
        const started = performance.now();
        const sql = this.sqlOf(definition.name);
        const rows = await sql.run(this.db, this.bindings(resolved, tenant, ctx), resolved.tz, this.options.timeoutMs, tenant);
        const elapsedMs = Math.round((performance.now() - started) * 10) / 10;
        return {
          body: {
            metric: definition.name,
            params: resolved.params,
            columns: sql.columns,
            rows,
            meta: {
              dataVersion: version,
              elapsedMs,
              rowCount: rows.length,
              ...(precision ? { precision } : {}),
              dataUpdatedAt: dataUpdatedAt(scopeChannels(resolved.params), ctx),
              ...visibleChannelNames(ctx),
            },
          },
          etag: `W/"${version}-${createHash('sha1').update(key).digest('hex').slice(0, 20)}"`,
        };
      })();
      this.inFlight.set(key, pending);
      pending.finally(() => this.inFlight.delete(key)).catch(() => undefined);
    }
    const computed = await pending;
    // An import that committed while the query ran leaves a result of the old version: don't keep it.
    if (cacheOn && this.db.dataVersion === version) this.cache.set(key, computed);
    return { body: { ...computed.body, meta: { ...computed.body.meta, cached: false } }, etag: computed.etag };
  }
}
