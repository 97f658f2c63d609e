import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.js';
import { verifyEmbedToken, type EmbedClaims } from './embed-token.js';
import { matchesKey, type SecurityConfig } from './secrets.js';

/** The credential a request carries: `Authorization: Bearer …`. */
export function bearer(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/** Requests that change the store or mint tokens must carry the admin key. */
export function requireAdmin(security: SecurityConfig): MiddlewareHandler {
  return async function requireAdminKey(c, next) {
    const key = bearer(c) ?? c.req.header('x-orderpulse-admin-key');
    if (!key) throw new ApiError(401, 'admin_key_required', 'this endpoint needs the admin key (Authorization: Bearer <ORDERPULSE_ADMIN_KEY>)');
    if (!matchesKey(key, security.adminKeyHash)) throw new ApiError(401, 'invalid_admin_key', 'the admin key is not valid');
    await next();
  };
}

export type MetricAccess = { kind: 'open' } | { kind: 'admin' } | { kind: 'embed'; claims: EmbedClaims };

/**
 * Who may read metrics: anyone in open demo mode, the admin key, or a valid
 * embed token (whose claims then narrow every query).
 */
export function metricAccess(security: SecurityConfig): MiddlewareHandler<{ Variables: { access: MetricAccess } }> {
  return async function resolveMetricAccess(c, next) {
    const token = bearer(c);
    if (!token) {
      if (!security.publicMetrics) throw new ApiError(401, 'token_required', 'metrics need an embed token (Authorization: Bearer <token>)');
      c.set('access', { kind: 'open' });
    } else if (matchesKey(token, security.adminKeyHash)) {
      c.set('access', { kind: 'admin' });
    } else {
      c.set('access', { kind: 'embed', claims: await verifyEmbedToken(security.embedSecrets, token) });
    }
    await next();
  };
}
