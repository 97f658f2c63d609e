import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.js';
import { DEFAULT_TENANT, tenantId, type TenantDirectory } from '../tenants.js';
import { verifyEmbedToken, type EmbedClaims, type TokenFilters } from './embed-token.js';
import { matchesKey, type SecurityConfig } from './secrets.js';
import { clientAddress, type RateLimiter } from '../middleware/rate-limit.js';

/** The credential a request carries: `Authorization: Bearer …`. */
export function bearer(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/** The header an admin names the tenant with (default: the default tenant). */
export const TENANT_HEADER = 'x-orderpulse-tenant';

/** The admin key a request carries: `Authorization: Bearer …` or `X-OrderPulse-Admin-Key`. */
export function adminKeyOf(c: Context): string | undefined {
  return bearer(c) ?? c.req.header('x-orderpulse-admin-key');
}

/** Requests that change the store or mint tokens must carry the admin key. */
export function requireAdmin(security: SecurityConfig): MiddlewareHandler {
  return async function requireAdminKey(c, next) {
    const key = adminKeyOf(c);
    if (!key) throw new ApiError(401, 'admin_key_required', 'this endpoint needs the admin key (Authorization: Bearer <ORDERPULSE_ADMIN_KEY>)');
    if (!matchesKey(key, security.adminKeyHash)) throw new ApiError(401, 'invalid_admin_key', 'the admin key is not valid');
    await next();
  };
}

/** The tenant an admin request acts on: the `X-OrderPulse-Tenant` header, which must name a tenant. */
export async function adminTenant(c: Context, tenants: TenantDirectory): Promise<string> {
  const header = c.req.header(TENANT_HEADER);
  if (header === undefined) return DEFAULT_TENANT;
  const parsed = tenantId.safeParse(header);
  if (!parsed.success) throw new ApiError(400, 'invalid_tenant', `${TENANT_HEADER}: ${parsed.error.issues[0]!.message}`);
  return (await tenants.require(parsed.data)).id;
}

export type MetricAccess =
  | { kind: 'open'; tenant: string }
  | { kind: 'admin'; tenant: string }
  | { kind: 'embed'; tenant: string; claims: EmbedClaims };

/**
 * Who may read metrics and for which tenant: anyone in open demo mode (the
 * default tenant), the admin key (the tenant it names), or a valid embed token
 * (its tenant; its claims then narrow every query). The tenant never comes
 * from a query parameter.
 */
export function metricAccess(
  security: SecurityConfig,
  tenants: TenantDirectory,
  limits?: { requests: RateLimiter; invalid: RateLimiter },
): MiddlewareHandler<{ Variables: { access: MetricAccess } }> {
  return async function resolveMetricAccess(c, next) {
    const token = bearer(c);
    let access: MetricAccess;
    if (!token) {
      if (!security.publicMetrics) throw new ApiError(401, 'token_required', 'metrics need an embed token (Authorization: Bearer <token>)');
      access = { kind: 'open', tenant: DEFAULT_TENANT };
    } else if (matchesKey(token, security.adminKeyHash)) {
      access = { kind: 'admin', tenant: await adminTenant(c, tenants) };
    } else {
      let claims: EmbedClaims;
      try {
        claims = await verifyEmbedToken(security.embedSecrets, token);
      } catch (error) {
        // Tokens that do not verify count against the caller's address: a flood of unique garbage is limited too.
        limits?.invalid.hit(c, `ip:${clientAddress(c)}`);
        throw error;
      }
      const tenant = await tenants.get(claims.tenant);
      if (!tenant) throw new ApiError(401, 'invalid_token', `the token belongs to tenant '${claims.tenant}', which this service does not know`);
      // A browser always sends Origin on cross-origin reads: a token copied into another site's page is refused.
      const origin = c.req.header('origin');
      if (origin !== undefined && !originAllowed(tenant.allowedOrigins, origin, c.req.url)) {
        throw new ApiError(403, 'origin_not_allowed', `pages on ${origin} may not embed tenant '${tenant.id}' (its allowed origins: ${tenant.allowedOrigins.join(', ') || 'none'})`, {}, { withoutCors: true });
      }
      access = { kind: 'embed', tenant: tenant.id, claims };
    }
    // Counted by who the caller is once verified: every spelling of a token is the same token.
    limits?.requests.hit(c, access.kind === 'embed' ? `token:${access.claims.identity}` : access.kind === 'admin' ? 'admin' : `ip:${clientAddress(c)}`);
    c.set('access', access);
    await next();
  };
}

/**
 * A token locked to customers reads their orders only: a metric or the extent counts the tenant's
 * other orders (their number, channels, times), which the customer must not learn.
 */
export function refuseCustomerToken(filters: TokenFilters, what: string): void {
  if (filters.customer) {
    throw new ApiError(403, 'customer_token', `a token locked to customers reads their orders only (GET /api/orders), not ${what}`);
  }
}

/** Same-origin requests are always allowed; others when the tenant lists the origin (or `*`). */
export function originAllowed(allowed: readonly string[], origin: string, requestUrl: string): boolean {
  const lower = origin.toLowerCase();
  return lower === new URL(requestUrl).origin || allowed.includes('*') || allowed.includes(lower);
}
