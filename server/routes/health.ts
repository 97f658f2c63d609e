import { Hono } from 'hono';
import type { Database } from '../db/database.js';
import { adminKeyOf } from '../security/access.js';
import { matchesKey, type SecurityConfig } from '../security/secrets.js';

/**
 * `GET /api/health`: liveness for anyone (it never waits for the store); with the admin key also
 * the data version and what the store holds, which are no viewer's business.
 */
export function healthRoutes(db: Database, security: SecurityConfig) {
  return new Hono().get('/', async (c) => {
    if (!matchesKey(adminKeyOf(c), security.adminKeyHash)) return c.json({ status: 'ok' });
    const [counts] = await db.query(
      `SELECT (SELECT count(*) FROM orders)::DOUBLE AS orders, (SELECT count(*) FROM order_events)::DOUBLE AS events,
              (SELECT count(*) FROM promotions)::DOUBLE AS promotions, (SELECT count(*) FROM imports)::DOUBLE AS imports`,
    );
    return c.json({ status: 'ok', dataVersion: db.dataVersion, rows: counts });
  });
}
