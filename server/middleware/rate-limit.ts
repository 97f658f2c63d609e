import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { ApiError } from '../errors.js';

/** The caller's address, or `unknown` when the request did not come over a socket (tests). */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Keys a limiter remembers at most; past it, the oldest windows are forgotten first. */
const MAX_KEYS = 100_000;

/**
 * A fixed-window rate limit kept in memory: past `max` hits in a window a key is refused with
 * 429 and `Retry-After` (seconds to the window's end).
 */
export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  /** Counts a hit against `key`; throws 429 past the allowance. */
  hit(c: Context, key: string): void {
    const now = Date.now();
    if (this.windows.size >= MAX_KEYS) {
      for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
      for (const k of this.windows.keys()) {
        if (this.windows.size < MAX_KEYS) break;
        this.windows.delete(k);
      }
    }
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      this.windows.delete(key);
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    if (window.count > this.max) {
      const seconds = Math.max(1, Math.ceil((window.resetAt - now) / 1000));
      c.header('Retry-After', String(seconds));
      throw new ApiError(429, 'rate_limited', `too many requests: at most ${this.max} per ${this.windowMs / 1000} s; retry in ${seconds} s`);
    }
  }
}

/** A middleware counting each request against `keyOf(c)`. */
export function rateLimit(limiter: RateLimiter, keyOf: (c: Context) => string): MiddlewareHandler {
  return async function limitRate(c, next) {
    limiter.hit(c, keyOf(c));
    await next();
  };
}
