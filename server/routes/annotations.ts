import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { ApiError } from '../errors.js';
import { adminTenant, metricAccess, refuseCustomerToken } from '../security/access.js';
import type { SecurityConfig } from '../security/secrets.js';
import { annotationSchema, readSettings, updateSettings } from '../settings.js';
import type { TenantDirectory } from '../tenants.js';

const annotationsBody = z.array(annotationSchema).max(500);

/**
 * `GET /api/annotations`: what the time charts mark, under the metrics' access: the tenant's dated
 * notes (settings `annotations`) and its promotions (their local first and last day), those of a
 * locked token's channels only. `PUT /api/annotations` (admin) replaces the notes.
 */
export function annotationRoutes(db: Database, security: SecurityConfig, tenants: TenantDirectory, admin: MiddlewareHandler, limits?: Parameters<typeof metricAccess>[2]) {
  return new Hono()
    .get('/', metricAccess(security, tenants, limits), async (c) => {
      const access = c.get('access');
      if (access.kind === 'embed') refuseCustomerToken(access.claims.filters, 'the annotations');
      const locked = access.kind === 'embed' ? access.claims.filters.channel : undefined;
      const visible = (channel: string | null | undefined) => !locked || !channel || locked.includes(channel);
      const settings = await readSettings(db, access.tenant);
      const promotions = await db.query(
        `SELECT promotion_id, name, channel, strftime(timezone($tz, starts_at), '%Y-%m-%d') AS starts, strftime(timezone($tz, ends_at - INTERVAL 1 MICROSECOND), '%Y-%m-%d') AS ends
         FROM promotions WHERE tenant_id = $tenant AND starts_at IS NOT NULL AND ends_at IS NOT NULL ORDER BY starts_at, promotion_id`,
        { tenant: access.tenant, tz: settings.timeZone },
      );
      return c.json({
        timeZone: settings.timeZone,
        annotations: settings.annotations.filter((a) => visible(a.channel)),
        promotions: promotions
          .filter((p) => visible(p.channel as string | null))
          .map((p) => ({ id: p.promotion_id, label: (p.name as string | null) ?? p.promotion_id, channel: p.channel, from: p.starts, through: p.ends })),
      });
    })
    .put('/', admin, async (c) => {
      const tenant = await adminTenant(c, tenants);
      const body: unknown = await c.req.json().catch(() => {
        throw new ApiError(400, 'invalid_json', 'the body is not JSON');
      });
      const parsed = annotationsBody.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new ApiError(400, 'invalid_annotations', `${issue.path.join('.') || '(root)'}: ${issue.message}`, { path: issue.path.join('.') });
      }
      const { annotations, dataVersion } = await updateSettings(db, tenant, { annotations: parsed.data });
      return c.json({ annotations, dataVersion });
    });
}
