import { Hono } from 'hono';
import { METRICS } from '../metrics/catalog.js';
import { orderListQuery } from '../orders/order-list.js';
import { describeParameters } from './metrics.js';

const errorResponse = {
  description: 'a caller mistake: {"error": {"code", "message", "details"}}',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};

/** The OpenAPI 3.1 document, built from the same zod schemas that validate requests. */
export function openApiDocument() {
  const paths: Record<string, unknown> = {};
  for (const m of METRICS) {
    paths[`/api/metrics/${m.name}`] = {
      get: {
        operationId: m.name,
        summary: m.summary,
        parameters: describeParameters(m).map((p) => ({
          name: p.name,
          in: 'query',
          required: false,
          description: p.description,
          schema: p.enum ? { type: 'string', enum: p.enum } : { type: 'string' },
        })),
        responses: {
          200: { description: 'the metric', content: { 'application/json': { schema: { $ref: '#/components/schemas/MetricResponse' } } } },
          304: { description: 'unchanged since the ETag sent in If-None-Match' },
          400: errorResponse,
        },
      },
    };
  }
  const queryParameters = (query: Parameters<typeof describeParameters>[0]['query']) =>
    describeParameters({ query }).map((p) => ({ name: p.name, in: 'query', required: false, description: p.description, schema: { type: 'string' } }));
  paths['/api/orders'] = {
    get: {
      operationId: 'orders',
      summary: "a page of the orders in a scope, or of those a stuck-orders bar counts: {params, total, orders, nextCursor, meta}",
      parameters: queryParameters(orderListQuery),
      responses: { 200: { description: 'a page of orders' }, 400: errorResponse, 403: errorResponse },
    },
  };
  paths['/api/orders/{channel}/{id}'] = {
    get: {
      operationId: 'order',
      summary: 'one order with its events: {params, order, meta}',
      parameters: [
        { name: 'channel', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
        ...queryParameters(orderListQuery.pick({ tz: true, asOf: true })),
      ],
      responses: { 200: { description: 'the order' }, 403: errorResponse, 404: errorResponse },
    },
  };
  paths['/api/metrics'] = { get: { summary: 'the metrics and their parameters', responses: { 200: { description: 'list' } } } };
  paths['/api/health'] = { get: { summary: 'status, data version, row counts', responses: { 200: { description: 'ok' } } } };
  const tenantHeader = {
    name: 'X-OrderPulse-Tenant',
    in: 'header',
    required: false,
    description: 'the tenant an admin request acts on (default: default)',
    schema: { type: 'string' },
  };
  paths['/api/settings'] = {
    get: { summary: "the tenant's settings", parameters: [tenantHeader], responses: { 200: { description: 'settings' }, 404: errorResponse } },
    put: {
      summary: "change the tenant's settings (partial object, merged)",
      parameters: [tenantHeader],
      responses: { 200: { description: 'new settings' }, 400: errorResponse, 404: errorResponse },
    },
  };
  paths['/api/imports'] = {
    post: {
      summary: "import export files into the tenant's data (multipart `file` fields or raw body with ?filename=)",
      parameters: [tenantHeader],
      responses: { 201: { description: 'import result' }, 400: errorResponse, 404: errorResponse, 413: errorResponse, 422: errorResponse },
    },
  };
  paths['/api/tenants'] = { get: { summary: 'the tenants with their allowed origins', responses: { 200: { description: 'tenants' } } } };
  paths['/api/tenants/{id}'] = {
    put: {
      summary: 'create a tenant or change its name and allowed embedding origins ({name?, allowedOrigins?})',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { 200: { description: 'updated' }, 201: { description: 'created' }, 400: errorResponse },
    },
  };
  paths['/api/embed-tokens'] = {
    post: {
      summary: 'mint an embed token ({tenant?, metrics?, filters?, orders?, orderFields?, expiresIn?})',
      responses: { 201: { description: '{token, expiresAt}' }, 400: errorResponse, 404: errorResponse },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'OrderPulse metrics service', version: '0.1.0' },
    paths,
    components: {
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } } },
          },
        },
        MetricResponse: {
          type: 'object',
          required: ['metric', 'params', 'columns', 'rows', 'meta'],
          properties: {
            metric: { type: 'string' },
            params: { type: 'object' },
            columns: {
              type: 'array',
              items: { type: 'object', properties: { name: { type: 'string' }, type: { enum: ['time', 'string', 'integer', 'number', 'boolean'] } } },
            },
            rows: { type: 'array', items: { type: 'object' } },
            meta: {
              type: 'object',
              properties: { dataVersion: { type: 'integer' }, elapsedMs: { type: 'number' }, cached: { type: 'boolean' }, rowCount: { type: 'integer' } },
            },
          },
        },
      },
    },
  };
}

export function openApiRoutes() {
  const document = openApiDocument();
  return new Hono().get('/', (c) => c.json(document));
}
