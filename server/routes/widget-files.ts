import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';

/** Where `npm run build` writes the widget bundle. */
export const WIDGET_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'widgets');

export function widgetBundleBuilt(): boolean {
  return existsSync(join(WIDGET_DIR, 'orderpulse.js'));
}

/**
 * `GET /widgets/…`: the built bundle. Hashed chunks never change, so they are
 * cached for a year; entry files keep their names across releases, so an hour.
 */
export function widgetRoutes() {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    if (c.res.status !== 200) return;
    c.header('Cache-Control', c.req.path.includes('/chunks/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
  });
  app.use('*', serveStatic({ root: WIDGET_DIR, rewriteRequestPath: (path) => path.replace(/^\/widgets/, '') }));
  return app;
}
