import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { requestId } from 'hono/request-id';
import { pino, type Logger } from 'pino';
import { requestLog } from './middleware/request-log.js';
import { HTTPException } from 'hono/http-exception';
import type { Database } from './db/database.js';
import { ApiError } from './errors.js';
import { healthRoutes } from './routes/health.js';
import { importRoutes } from './routes/imports.js';
import { settingsRoutes } from './routes/settings.js';
import { pageRoutes } from './routes/page.js';
import { extentRoutes } from './routes/extent.js';
import { annotationRoutes } from './routes/annotations.js';
import { metricRoutes } from './routes/metrics.js';
import { orderRoutes } from './routes/orders.js';
import { openApiRoutes } from './routes/openapi.js';
import { widgetRoutes } from './routes/widget-files.js';
import { METRICS } from './metrics/catalog.js';
import { MetricService } from './metrics/metric-service.js';
import { embedTokenRoutes } from './routes/embed-tokens.js';
import { requireAdmin } from './security/access.js';
import { RateLimiter, clientAddress, rateLimit } from './middleware/rate-limit.js';
import type { SecurityConfig } from './security/secrets.js';
import { TenantDirectory } from './tenants.js';
import { tenantRoutes } from './routes/tenants.js';

/** True when some tenant lets pages on `origin` embed its widgets. */
async function allowedAnywhere(tenants: TenantDirectory, origin: string): Promise<boolean> {
  const lower = origin.toLowerCase();
  for (const tenant of (await tenants.all()).values()) {
    if (tenant.allowedOrigins.includes('*') || tenant.allowedOrigins.includes(lower)) return true;
  }
  return false;
}

export interface AppDeps {
  db: Database;
  /** Structured request and error log (default: pino at LOG_LEVEL or info, to stdout). */
  logger?: Logger;
  /** Called with errors that are the service's fault (500); default: the logger. */
  logError?: (error: unknown) => void;
  /** Keep metric results in memory per data version (default true; benchmarks turn it off). */
  cacheMetrics?: boolean;
  /** Read the rollups where they answer a metric (default true); false: always the per-order facts. */
  rollups?: boolean;
  /** Admin key, embed secrets, open demo mode. */
  security: SecurityConfig;
  /** Largest import body in bytes (default 512 MiB); larger gets 413. */
  maxImportBytes?: number;
  /** A metric query running longer is interrupted with 504 (default 30 s). */
  queryTimeoutMs?: number;
  /** Metric requests per minute per embed token (or per address without one); default 600. */
  metricRequestsPerMinute?: number;
  /** Requests per minute per address carrying a token that does not verify; default 60. */
  invalidTokensPerMinute?: number;
}

/** The OrderPulse HTTP app. It never listens: main.ts serves it, tests call `app.request()`. */
export function createApp(deps: AppDeps) {
  const app = new Hono<{ Variables: { requestId: string } }>();
  const logger = deps.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info' });
  app.use('*', requestId(), requestLog(logger));
  // The widget bundle is loaded from other sites' pages: its resources must be cross-origin readable.
  app.use('*', secureHeaders({ crossOriginResourcePolicy: 'cross-origin', crossOriginOpenerPolicy: 'same-origin' }));
  const tenants = new TenantDirectory(deps.db);
  // The API answers pages on origins some tenant allows (any, in open demo mode); the token's own tenant
  // is checked per request (metricAccess), since a preflight carries no token. The bundle is public.
  app.use(
    '/api/*',
    cors({
      origin: async (origin) => (deps.security.publicMetrics || (await allowedAnywhere(tenants, origin)) ? origin : null),
      exposeHeaders: ['ETag', 'Retry-After', 'X-Request-Id'],
      allowHeaders: ['Authorization', 'Content-Type', 'If-None-Match', 'X-OrderPulse-Tenant'],
      maxAge: 600,
    }),
  );
  app.use('/widgets/*', cors({ origin: '*' }));
  app.route('/widgets', widgetRoutes());
  const perMinute = deps.metricRequestsPerMinute ?? 600;
  app.use('/api/health', rateLimit(new RateLimiter(perMinute, 60_000), (c) => `ip:${clientAddress(c)}`));
  app.route('/api/health', healthRoutes(deps.db, deps.security));
  const admin = requireAdmin(deps.security);
  const maxImportBytes = deps.maxImportBytes ?? 512 * 1024 * 1024;
  app.use(
    '/api/imports',
    admin,
    bodyLimit({
      maxSize: maxImportBytes,
      onError: () => {
        throw new ApiError(413, 'import_too_large', `the upload is larger than the ${maxImportBytes}-byte import limit`);
      },
    }),
  );
  app.use('/api/settings', admin);
  app.use('/api/embed-tokens', admin);
  app.use('/api/tenants', admin);
  app.use('/api/tenants/*', admin);
  app.route('/api/imports', importRoutes(deps.db, tenants));
  app.route('/api/settings', settingsRoutes(deps.db, tenants));
  app.route('/api/tenants', tenantRoutes(deps.db, tenants));
  app.route('/api/embed-tokens', embedTokenRoutes(deps.security, tenants));
  const metrics = new MetricService(deps.db, tenants, METRICS, { cache: deps.cacheMetrics ?? true, timeoutMs: deps.queryTimeoutMs ?? 30_000, rollups: deps.rollups ?? true });
  const limits = { requests: new RateLimiter(perMinute, 60_000), invalid: new RateLimiter(deps.invalidTokensPerMinute ?? 60, 60_000) };
  app.route('/api/metrics', metricRoutes(metrics, deps.security, tenants, limits));
  app.route('/api/extent', extentRoutes(metrics, deps.security, tenants, limits));
  app.route('/api/annotations', annotationRoutes(deps.db, deps.security, tenants, admin, limits));
  app.route('/api/orders', orderRoutes(deps.db, metrics, deps.security, tenants, { limits, timeoutMs: deps.queryTimeoutMs ?? 30_000 }));
  app.route('/api/openapi.json', openApiRoutes());
  app.route('/', pageRoutes());

  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}`, details: {} } }, 404));
  app.onError((error, c) => {
    if (error instanceof ApiError) {
      if (error.options.withoutCors) for (const name of ['Access-Control-Allow-Origin', 'Access-Control-Expose-Headers']) c.res.headers.delete(name);
      return c.json({ error: { code: error.code, message: error.message, details: error.details } }, error.status);
    }
    if (error instanceof HTTPException && error.status < 500) {
      return c.json({ error: { code: 'bad_request', message: error.message, details: {} } }, error.status);
    }
    if (deps.logError) deps.logError(error);
    else logger.error({ err: error, requestId: c.get('requestId') }, 'unhandled error');
    // Never echo the cause: it may carry SQL or paths.
    return c.json({ error: { code: 'internal', message: 'internal error; the service log has the details', details: {} } }, 500);
  });
  return app;
}
