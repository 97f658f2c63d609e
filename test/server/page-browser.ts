/** A store served over HTTP with the widget bundle, and headless Chromium to open its demo page. */
import { execFileSync } from 'node:child_process';
import { serve } from '@hono/node-server';
import puppeteer, { type Browser } from 'puppeteer-core';
import type { Database } from '../../server/db/database.js';
import { widgetBundleBuilt } from '../../server/routes/widget-files.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.js';
import { afterAll, beforeAll } from 'vitest';
import { openStore, testApp } from './helpers.js';

export interface PageBrowser {
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function servePages(db: Database): Promise<PageBrowser> {
  if (!widgetBundleBuilt()) execFileSync(process.execPath, ['node_modules/rollup/dist/bin/rollup', '-c', '--silent'], { stdio: 'inherit' });
  const server = serve({ fetch: testApp(db).fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const browser = await puppeteer.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  return {
    base,
    browser,
    async close() {
      await browser.close();
      server.close();
    },
  };
}

/** Registers the hooks of a test file that opens pages over one store: filled by `fill`, closed after. */
export function pagesOver(fill: (db: Database) => Promise<unknown>): { readonly base: string; readonly browser: Browser } {
  let db: Database | undefined;
  let pages: PageBrowser | undefined;
  beforeAll(async () => {
    db = await openStore();
    await fill(db);
    pages = await servePages(db);
  }, 120_000);
  afterAll(async () => {
    await pages?.close();
    await db?.close();
  });
  return {
    get base() {
      return pages!.base;
    },
    get browser() {
      return pages!.browser;
    },
  };
}
