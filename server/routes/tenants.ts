import { Hono } from 'hono';
import type { Database } from '../db/database.js';
import { ApiError } from '../errors.js';
import { describeIssues } from '../import/presets.js';
import { tenantId, tenantUpdateSchema, upsertTenant, type Tenant, type TenantDirectory } from '../tenants.js';

const publicView = (t: Tenant) => ({ id: t.id, name: t.name, allowedOrigins: t.allowedOrigins });

/** `GET /api/tenants` and `PUT /api/tenants/{id}` (admin): create a tenant or change its name and allowed origins. */
export function tenantRoutes(db: Database, tenants: TenantDirectory) {
  return new Hono()
    .get('/', async (c) => c.json({ tenants: [...(await tenants.all()).values()].map(publicView) }))
    .put('/:id', async (c) => {
      const id = tenantId.safeParse(c.req.param('id'));
      if (!id.success) throw new ApiError(400, 'invalid_tenant', `tenant id: ${id.error.issues[0]!.message}`);
      const body: unknown = await c.req.json().catch(() => {
        throw new ApiError(400, 'invalid_json', 'the body is not JSON');
      });
      const parsed = tenantUpdateSchema.safeParse(body);
      if (!parsed.success) {
        const issues = describeIssues(parsed.error);
        throw new ApiError(400, 'invalid_tenant', `invalid tenant: ${issues[0]}`, { issues });
      }
      const existed = (await tenants.get(id.data)) !== undefined;
      return c.json(publicView(await upsertTenant(db, id.data, parsed.data)), existed ? 200 : 201);
    });
}
