import { Hono } from 'hono';
import type { MetricService } from '../metrics/metric-service.js';
import { metricAccess, refuseCustomerToken } from '../security/access.js';
import type { SecurityConfig } from '../security/secrets.js';
import type { TenantDirectory } from '../tenants.js';

/** `GET /api/extent`: what the caller's data holds, under the same access (and token lock) as the metrics. */
export function extentRoutes(service: MetricService, security: SecurityConfig, tenants: TenantDirectory, limits?: Parameters<typeof metricAccess>[2]) {
  return new Hono().get('/', metricAccess(security, tenants, limits), async (c) => {
    const access = c.get('access');
    if (access.kind === 'embed') refuseCustomerToken(access.claims.filters, 'the extent');
    return c.json(await service.extent(access.tenant, access.kind === 'embed' ? access.claims.filters : undefined));
  });
}
