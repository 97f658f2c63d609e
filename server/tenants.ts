import { LIST, VARCHAR, listValue } from '@duckdb/node-api';
import { z } from 'zod';
import type { Database } from './db/database.js';
import { bumpDataVersion } from './db/data-version.js';
import { ApiError } from './errors.js';

/** The tenant a single-company store uses, and the one open demo mode reads. */
export const DEFAULT_TENANT = 'default';

export const tenantId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a tenant id is lower-case letters, digits, _ and - (e.g. acme-cn)');

/** A web origin as browsers send it: scheme, host and an optional port, nothing else. */
const origin = z
  .string()
  .regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$|^\*$/i, 'an origin is scheme://host[:port] with no path (e.g. https://portal.example.com), or *')
  .transform((o) => o.toLowerCase());

export const tenantUpdateSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    /** Pages on these origins may embed the tenant's widgets; `*` allows any. */
    allowedOrigins: z.array(origin).max(100).optional(),
  })
  .strict();

export interface Tenant {
  id: string;
  name: string;
  allowedOrigins: string[];
  /** The stored settings JSON (partial), or null for DOMAIN.md defaults. */
  settings: string | null;
}

async function readAll(db: Database): Promise<Map<string, Tenant>> {
  const rows = await db.query('SELECT tenant_id, name, allowed_origins, settings FROM tenants ORDER BY tenant_id');
  return new Map(
    rows.map((r) => [
      r.tenant_id as string,
      { id: r.tenant_id as string, name: r.name as string, allowedOrigins: r.allowed_origins as string[], settings: r.settings as string | null },
    ]),
  );
}

/**
 * The tenants, read once per data version (every tenant or settings change
 * bumps it), so resolving a request's tenant costs no query.
 */
export class TenantDirectory {
  private loaded?: { version: number; tenants: Promise<Map<string, Tenant>> };

  constructor(private readonly db: Database) {}

  all(): Promise<Map<string, Tenant>> {
    const version = this.db.dataVersion;
    if (this.loaded?.version !== version) {
      const tenants = readAll(this.db);
      this.loaded = { version, tenants };
      tenants.catch(() => (this.loaded = undefined));
    }
    return this.loaded!.tenants;
  }

  async get(id: string): Promise<Tenant | undefined> {
    return (await this.all()).get(id);
  }

  /** The tenant or a 404 that names the known ones. */
  async require(id: string): Promise<Tenant> {
    const tenant = await this.get(id);
    if (!tenant) {
      const known = [...(await this.all()).keys()].join(', ');
      throw new ApiError(404, 'unknown_tenant', `unknown tenant '${id}'; tenants are ${known}`, { tenant: id });
    }
    return tenant;
  }
}

/** Creates the tenant or changes its name/origins, bumping the data version; returns the stored tenant. */
export async function upsertTenant(db: Database, id: string, update: z.infer<typeof tenantUpdateSchema>): Promise<Tenant> {
  return db.transaction(async (c) => {
    await c.run(
      `INSERT INTO tenants VALUES ($id, coalesce($name, $id), coalesce($origins, []), NULL, now())
       ON CONFLICT (tenant_id) DO UPDATE SET name = coalesce($name, tenants.name), allowed_origins = coalesce($origins, tenants.allowed_origins)`,
      { id, name: update.name ?? null, origins: update.allowedOrigins ? listValue(update.allowedOrigins) : null },
      { id: VARCHAR, name: VARCHAR, origins: LIST(VARCHAR) },
    );
    await bumpDataVersion(c);
    const row = (await c.runAndReadAll('SELECT name, allowed_origins, settings FROM tenants WHERE tenant_id = $id', { id })).getRowObjectsJson()[0]!;
    return { id, name: row.name as string, allowedOrigins: row.allowed_origins as string[], settings: row.settings as string | null };
  });
}
