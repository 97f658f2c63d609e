import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Hono } from 'hono';
import type { Database } from '../db/database.js';
import { ApiError } from '../errors.js';
import { mappingFromText, presetMapping } from '../import/presets.js';
import { runImport, type ImportFile } from '../import/run-import.js';
import { adminTenant } from '../security/access.js';
import type { TenantDirectory } from '../tenants.js';

/**
 * `POST /api/imports`: multipart upload (`file` fields, optional `preset`,
 * `mapping` (JSON text) and `onError` fields) or a raw body with
 * `?filename=…`; `preset`, `mapping`, `onError` may also be query parameters.
 * The rows go to the tenant `X-OrderPulse-Tenant` names (default: `default`).
 */
export function importRoutes(db: Database, tenants: TenantDirectory) {
  return new Hono().post('/', async (c) => {
    const tenant = await adminTenant(c, tenants);
    const dir = await mkdtemp(join(tmpdir(), 'orderpulse-import-'));
    try {
      const fields: Record<string, string> = { ...c.req.query() };
      const files: ImportFile[] = [];
      const contentType = c.req.header('content-type') ?? '';
      if (contentType.startsWith('multipart/form-data')) {
        const body = await c.req.parseBody({ all: true }).catch(() => {
          throw new ApiError(400, 'invalid_multipart', 'the multipart/form-data body cannot be read (check the boundary and the parts)');
        });
        for (const [name, value] of Object.entries(body)) {
          for (const item of Array.isArray(value) ? value : [value]) {
            if (typeof item === 'string') fields[name] = item;
            else files.push(await save(dir, files.length, item.name || `upload-${files.length}`, new Uint8Array(await item.arrayBuffer())));
          }
        }
      } else {
        const filename = fields.filename;
        if (!filename) {
          throw new ApiError(400, 'missing_filename', 'send files as multipart/form-data, or a raw body with ?filename=orders.csv', {
            parameter: 'filename',
          });
        }
        files.push(await save(dir, 0, filename, new Uint8Array(await c.req.arrayBuffer())));
      }
      if (files.length === 0) throw new ApiError(400, 'no_files', 'no file in the upload (use a field named "file")');
      const onError = fields.onError ?? 'reject';
      if (onError !== 'reject' && onError !== 'skip') {
        throw new ApiError(400, 'invalid_parameter', `onError must be 'reject' or 'skip', not '${onError}'`, { parameter: 'onError' });
      }
      const mapping = fields.mapping
        ? mappingFromText(fields.mapping, 'the mapping field')
        : presetMapping(fields.preset ?? 'canonical');
      const result = await runImport(db, { mapping, files, onError, tenant });
      return c.json(result, 201);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

async function save(dir: string, index: number, name: string, bytes: Uint8Array): Promise<ImportFile> {
  const clean = basename(name).replace(/[^\w.\-]+/g, '_');
  const path = join(dir, `${index}-${clean}`);
  await writeFile(path, bytes);
  return { path, name: clean };
}
