import { Hono } from 'hono';
import type { Context } from 'hono';
import { ApiError } from '../errors.js';
import type { MetricService } from '../metrics/metric-service.js';
import type { Database } from '../db/database.js';
import { DEFAULT_TOKEN_FIELDS, ORDER_ROW_FIELDS, type OrderRowField } from '../orders/fields.js';
import { listOrders, orderEvents, orderListQuery, orderNotFound, type OrderListQuery } from '../orders/order-list.js';
import { metricAccess, type MetricAccess } from '../security/access.js';
import type { SecurityConfig } from '../security/secrets.js';
import type { TenantDirectory } from '../tenants.js';
import { queryValidator } from './query.js';

/** The order fields a caller may see: all for the admin key and the open demo; a token's allow-list, and only with its `orders` capability. */
function fieldsFor(access: MetricAccess): ReadonlySet<OrderRowField> {
  if (access.kind !== 'embed') return new Set(ORDER_ROW_FIELDS);
  if (!access.claims.orders) {
    throw new ApiError(403, 'orders_not_allowed', 'this token may not list orders: mint it with "orders": true (and "orderFields" for what it may show)');
  }
  return new Set(access.claims.orderFields ?? DEFAULT_TOKEN_FIELDS);
}

/** `GET /api/orders` (a page of the orders behind a scope) and `GET /api/orders/{channel}/{id}` (one, with its events). */
export function orderRoutes(db: Database, service: MetricService, security: SecurityConfig, tenants: TenantDirectory, options: { limits?: Parameters<typeof metricAccess>[2]; timeoutMs?: number } = {}) {
  const app = new Hono<{ Variables: { access: MetricAccess } }>();
  const access = metricAccess(security, tenants, options.limits);
  const context = (c: Context<{ Variables: { access: MetricAccess } }>) => {
    const who = c.get('access');
    return service.lockedContext(who.tenant, who.kind === 'embed' ? who.claims.filters : undefined, true);
  };
  app.get('/', access, queryValidator('orders', orderListQuery), async (c) => {
    const fields = fieldsFor(c.get('access'));
    const { ctx } = await context(c);
    const { orderKeys: _keys, ...page } = await listOrders(db, c.get('access').tenant, c.req.valid('query') as OrderListQuery, ctx, fields, { timeoutMs: options.timeoutMs });
    c.header('Cache-Control', 'no-store');
    return c.json(page);
  });
  app.get('/:channel/:id', access, queryValidator('orders/{channel}/{id}', orderListQuery.pick({ tz: true, asOf: true })), async (c) => {
    const fields = fieldsFor(c.get('access'));
    const { ctx } = await context(c);
    const channel = c.req.param('channel').toLowerCase();
    const id = c.req.param('id');
    const tenant = c.get('access').tenant;
    const page = await listOrders(db, tenant, c.req.valid('query') as OrderListQuery, ctx, fields, { timeoutMs: options.timeoutMs, only: { channel, orderId: id } });
    // Outside a token's lock is the same answer as no such order: a token learns nothing of other orders.
    if (page.orders.length === 0) throw orderNotFound(channel, id);
    const order = page.orders[0]!;
    if (fields.has('events')) order.events = await orderEvents(db, tenant, page.orderKeys[0]!, page.params.tz as string, options.timeoutMs);
    c.header('Cache-Control', 'no-store');
    return c.json({ params: { tz: page.params.tz, asOf: page.params.asOf }, order, meta: page.meta });
  });
  return app;
}
