import { Hono } from 'hono';
import type { Database } from '../db/database.js';

/** `GET /api/health`: liveness plus what the store holds. */
export function healthRoutes(db: Database) {
  return new Hono().get('/', async (c) => {
    const [counts] = await db.query(
      `SELECT (SELECT count(*) FROM orders)::DOUBLE AS orders, (SELECT count(*) FROM order_events)::DOUBLE AS events,
              (SELECT count(*) FROM promotions)::DOUBLE AS promotions, (SELECT count(*) FROM imports)::DOUBLE AS imports`,
    );
    return c.json({ status: 'ok', dataVersion: db.dataVersion, rows: counts });
  });
}
