import { Hono } from 'hono';
import type { Database } from '../db/database.js';
import { ApiError } from '../errors.js';
import { adminTenant } from '../security/access.js';
import type { TenantDirectory } from '../tenants.js';
import { readSettings, updateSettings } from '../settings.js';

/**
 * `GET /api/settings` and `PUT /api/settings` (a partial object is merged into
 * the current settings), for the tenant `X-OrderPulse-Tenant` names.
 */
export function settingsRoutes(db: Database, tenants: TenantDirectory) {
  return new Hono()
    .get('/', async (c) => c.json(await readSettings(db, await adminTenant(c, tenants))))
    .put('/', async (c) => {
      const body: unknown = await c.req.json().catch(() => {
        throw new ApiError(400, 'invalid_json', 'the body is not JSON');
      });
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ApiError(400, 'invalid_settings', 'settings must be a JSON object');
      }
      return c.json(await updateSettings(db, await adminTenant(c, tenants), body as Record<string, unknown>));
    });
}
