import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';

/**
 * One structured line per request: id (also sent back as X-Request-Id), method,
 * path, status and duration. Query strings and headers are left out: they may
 * carry filters of an embedding page or credentials.
 */
export function requestLog(logger: Logger): MiddlewareHandler<{ Variables: { requestId: string } }> {
  return async function logRequest(c, next) {
    const started = performance.now();
    await next();
    logger.info(
      { requestId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 },
      'request',
    );
  };
}
