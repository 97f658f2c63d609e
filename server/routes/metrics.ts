import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import { METRICS, METRIC_NAMES, type MetricDefinition } from '../metrics/catalog.js';
import type { MetricService } from '../metrics/metric-service.js';
import { metricAccess, refuseCustomerToken } from '../security/access.js';
import { queryValidator } from './query.js';
import type { SecurityConfig } from '../security/secrets.js';
import type { TenantDirectory } from '../tenants.js';

/** Parameter list of a metric for `GET /api/metrics` and the OpenAPI document. */
export function describeParameters(definition: Pick<MetricDefinition, 'query'>) {
  const schema = z.toJSONSchema(definition.query, { io: 'input' }) as { properties: Record<string, { description?: string; enum?: string[] }> };
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    description: property.description ?? '',
    ...(property.enum ? { enum: property.enum } : {}),
  }));
}

/** `GET /api/metrics` and `GET /api/metrics/{name}`. */
export function metricRoutes(service: MetricService, security: SecurityConfig, tenants: TenantDirectory, limits?: Parameters<typeof metricAccess>[2]) {
  const app = new Hono();
  app.get('/', (c) =>
    c.json({
      metrics: METRICS.map((m) => ({ name: m.name, summary: m.summary, path: `/api/metrics/${m.name}`, parameters: describeParameters(m) })),
    }),
  );
  for (const definition of METRICS) {
    app.get(
      `/${definition.name}`,
      metricAccess(security, tenants, limits),
      queryValidator(definition.name, definition.query),
      async (c) => {
        const access = c.get('access');
        if (access.kind === 'embed') refuseCustomerToken(access.claims.filters, definition.name);
        if (access.kind === 'embed' && access.claims.metrics && !access.claims.metrics.includes(definition.name)) {
          throw new ApiError(403, 'metric_not_allowed', `this token does not allow the metric '${definition.name}'`);
        }
        const { body, etag } = await service.run(definition, c.req.valid('query'), access.tenant, access.kind === 'embed' ? access.claims.filters : undefined);
        c.header('ETag', etag);
        c.header('Cache-Control', 'no-cache');
        const ifNoneMatch = c.req.header('if-none-match');
        if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) return c.body(null, 304);
        return c.json(body);
      },
    );
  }
  app.get('/:name', (c) => {
    throw new ApiError(404, 'unknown_metric', `unknown metric '${c.req.param('name')}'; metrics are ${METRIC_NAMES.join(', ')}`, {
      metrics: METRIC_NAMES,
    });
  });
  return app;
}
