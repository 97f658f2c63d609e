import { Hono } from 'hono';
import type { Database } from '../db/database.js';
import { ApiError } from '../errors.js';
import { describeIssues } from '../import/presets.js';
import { readSettings, settingsSchema, writeSettings } from '../settings.js';

/** `GET /api/settings` and `PUT /api/settings` (a partial object is merged into the current settings). */
export function settingsRoutes(db: Database) {
  return new Hono()
    .get('/', async (c) => c.json(await readSettings(db)))
    .put('/', async (c) => {
      const body: unknown = await c.req.json().catch(() => {
        throw new ApiError(400, 'invalid_json', 'the body is not JSON');
      });
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ApiError(400, 'invalid_settings', 'settings must be a JSON object');
      }
      const parsed = settingsSchema.safeParse({ ...(await readSettings(db)), ...body });
      if (!parsed.success) {
        const issues = describeIssues(parsed.error);
        throw new ApiError(400, 'invalid_settings', `invalid settings: ${issues[0]}`, { issues });
      }
      const dataVersion = await writeSettings(db, parsed.data);
      return c.json({ ...parsed.data, dataVersion });
    });
}
