import { ApiError } from '../errors.js';
import type { LockedListName, TokenFilters } from './embed-token.js';

/**
 * An embed token's locked filters as the metrics apply them: lists as lists (never joined into
 * text and split again, which let `[" "]` read everything and `["north,east"]` read north and
 * east), the range as the instants fixed when the token was minted (never re-read in a request's
 * `tz`).
 */
export interface MetricLock {
  lists: Partial<Record<LockedListName, readonly string[]>>;
  fromMs: number | null;
  toMs: number | null;
}

export function lockOf(filters: TokenFilters): MetricLock | undefined {
  const { from, to, tz: _zone, ...lists } = filters;
  if (Object.keys(lists).length === 0 && from === undefined && to === undefined) return undefined;
  return { lists, fromMs: from === undefined ? null : Date.parse(from), toMs: to === undefined ? null : Date.parse(to) };
}

export function outsideLock(parameter: string, message: string): ApiError {
  return new ApiError(403, 'outside_token_filters', `${parameter}: ${message}`, { parameter });
}

/**
 * A requested list narrowed to the lock: left out, it becomes the locked list; otherwise every
 * value must be in it (403). Channel codes are compared lower-cased, as stored.
 */
export function narrowList(name: LockedListName, parameter: string, requested: string[], lock: MetricLock | undefined): string[] {
  const allowed = lock?.lists[name];
  if (!allowed) return requested;
  if (requested.length === 0) return [...allowed];
  for (const value of requested) if (!allowed.includes(value)) throw outsideLock(parameter, `'${value}' is outside this token's filters`);
  return requested;
}

/**
 * A requested range [fromMs, toMs) intersected with the lock's; a range wholly outside it is a
 * 403 rather than an empty answer with the lock's dates in it.
 */
export function narrowRange(
  fromName: string,
  fromMs: number | null,
  toMs: number | null,
  lock: MetricLock | undefined,
): { fromMs: number | null; toMs: number | null } {
  if (!lock) return { fromMs, toMs };
  const from = lock.fromMs === null ? fromMs : fromMs === null ? lock.fromMs : Math.max(fromMs, lock.fromMs);
  const to = lock.toMs === null ? toMs : toMs === null ? lock.toMs : Math.min(toMs, lock.toMs);
  if (from !== null && to !== null && from >= to) throw outsideLock(fromName, "the range lies outside this token's dates");
  return { fromMs: from, toMs: to };
}
