import { Hono } from 'hono';
import { ApiError } from '../errors.js';
import { describeIssues } from '../import/presets.js';
import { METRIC_NAMES } from '../metrics/catalog.js';
import { mintEmbedToken, mintRequestSchema, tokenFilters } from '../security/embed-token.js';
import type { SecurityConfig } from '../security/secrets.js';
import { settingsFromJson } from '../settings.js';
import type { TenantDirectory } from '../tenants.js';

/**
 * `POST /api/embed-tokens` (admin): a short-lived signed token with allowed metrics and locked
 * filters, validated as strictly as a query's parameters (400 naming the filter); the range is
 * fixed to instants here, in the filters' `tz` or the tenant's zone.
 */
export function embedTokenRoutes(security: SecurityConfig, tenants: TenantDirectory) {
  return new Hono().post('/', async (c) => {
    const body: unknown = await c.req.json().catch(() => {
      throw new ApiError(400, 'invalid_json', 'the body is not JSON');
    });
    const parsed = mintRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error);
      throw new ApiError(400, 'invalid_token_request', `invalid token request: ${issues[0]}`, { issues });
    }
    const unknown = (parsed.data.metrics ?? []).find((m) => !METRIC_NAMES.includes(m));
    if (unknown) throw new ApiError(400, 'unknown_metric', `unknown metric '${unknown}'; metrics are ${METRIC_NAMES.join(', ')}`);
    const tenant = await tenants.require(parsed.data.tenant);
    const filters = tokenFilters(parsed.data.filters, settingsFromJson(tenant.settings).timeZone);
    return c.json(await mintEmbedToken(security.embedSecrets, { ...parsed.data, filters }), 201);
  });
}
