import { Hono } from 'hono';
import type { MetricService } from '../metrics/metric-service.js';
import { metricAccess } from '../security/access.js';
import type { SecurityConfig } from '../security/secrets.js';
import type { TenantDirectory } from '../tenants.js';

/** `GET /api/extent`: what the caller's data holds, under the same access (and token lock) as the metrics. */
export function extentRoutes(service: MetricService, security: SecurityConfig, tenants: TenantDirectory, limits?: Parameters<typeof metricAccess>[2]) {
  return new Hono().get('/', metricAccess(security, tenants, limits), async (c) => {
    const access = c.get('access');
    return c.json(await service.extent(access.tenant, access.kind === 'embed' ? access.claims.filters : undefined));
  });
}
