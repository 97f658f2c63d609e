import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { ApiError } from '../errors.js';
import { bearer } from '../security/access.js';

export interface RateLimitOptions {
  /** Requests allowed per window and key. */
  max: number;
  windowMs: number;
  /** What a request counts against. */
  keyOf: (c: Context) => string;
}

/** The caller's address, or `unknown` when the request did not come over a socket (tests). */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Counts per embed token when there is one, else per address. */
export const tokenOrAddress = (c: Context) => {
  const token = bearer(c);
  return token ? `token:${token}` : `ip:${clientAddress(c)}`;
};

/**
 * Fixed-window rate limit kept in memory: past `max` requests in a window a key
 * gets 429 with `Retry-After` (seconds to the window's end).
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return async function limitRate(c, next) {
    const now = Date.now();
    if (windows.size > 10_000) for (const [key, w] of windows) if (w.resetAt <= now) windows.delete(key);
    const key = options.keyOf(c);
    let window = windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + options.windowMs };
      windows.set(key, window);
    }
    window.count++;
    if (window.count > options.max) {
      const seconds = Math.max(1, Math.ceil((window.resetAt - now) / 1000));
      c.header('Retry-After', String(seconds));
      throw new ApiError(429, 'rate_limited', `too many requests: at most ${options.max} per ${options.windowMs / 1000} s; retry in ${seconds} s`);
    }
    await next();
  };
}
