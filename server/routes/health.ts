import { Hono } from 'hono';
import type { Database } from '../db/database.js';
import { readDataVersion } from '../settings.js';

/** `GET /api/health`: liveness plus what the store holds. */
export function healthRoutes(db: Database) {
  return new Hono().get('/', async (c) => {
    const [counts, dataVersion] = await db.withReader(async (connection) => {
      const rows = (
        await connection.runAndReadAll(
          `SELECT (SELECT count(*) FROM orders)::DOUBLE AS orders, (SELECT count(*) FROM order_events)::DOUBLE AS events,
                  (SELECT count(*) FROM promotions)::DOUBLE AS promotions, (SELECT count(*) FROM imports)::DOUBLE AS imports`,
        )
      ).getRowObjectsJson()[0]!;
      return [rows, await readDataVersion(connection)] as const;
    });
    return c.json({ status: 'ok', dataVersion, rows: counts });
  });
}
