import { ApiError } from '../errors.js';
import { COHORT_DIMENSIONS } from '../metrics/catalog.js';
import { splitList } from '../metrics/scope.js';
import { parseApiTime } from '../metrics/zoned-time.js';
import type { LockedFilters } from './embed-token.js';

const LISTS = ['channel', 'region', 'skuSeries', 'customerTier', 'promotion'] as const;
const outside = (parameter: string, value: string) =>
  new ApiError(403, 'outside_token_filters', `${parameter}: '${value}' is outside this token's filters`, { parameter });

/**
 * Narrows a metric query to a token's locked filters. A list the request leaves
 * out becomes the locked one; a value outside it is refused (403). Ranges are
 * intersected, so no parameter combination reaches data the token may not see.
 */
export function applyLockedFilters(query: Record<string, string | undefined>, locked: LockedFilters, timeZone: string): Record<string, string | undefined> {
  const narrowed = { ...query };
  for (const list of LISTS) {
    const allowed = locked[list];
    if (!allowed) continue;
    const requested = splitList(query[list]);
    for (const value of requested) if (!allowed.includes(list === 'channel' ? value.toLowerCase() : value)) throw outside(list, value);
    if (requested.length === 0) narrowed[list] = allowed.join(',');
  }
  if (query.compare) {
    for (const cohort of query.compare.split(',')) {
      const [dimension = '', value = ''] = cohort.split(':', 2).map((s) => s.trim());
      const list = COHORT_DIMENSIONS[dimension];
      const allowed = list ? locked[list] : undefined;
      if (allowed && !allowed.includes(list === 'channel' ? value.toLowerCase() : value)) throw outside('compare', cohort);
    }
  }
  const lockFrom = locked.from === undefined ? undefined : parseApiTime(locked.from, timeZone);
  const lockTo = locked.to === undefined ? undefined : parseApiTime(locked.to, timeZone);
  for (const [fromName, toName] of [['from', 'to'], ['baselineFrom', 'baselineTo']] as const) {
    if (fromName === 'baselineFrom' && query.baselineFrom === undefined && query.baselineTo === undefined) continue;
    const from = query[fromName] === undefined ? undefined : parseApiTime(query[fromName]!, timeZone);
    const to = query[toName] === undefined ? undefined : parseApiTime(query[toName]!, timeZone);
    // A value that does not parse is left for the validator to reject with its own message.
    if (lockFrom !== undefined && (query[fromName] === undefined || (from !== undefined && from < lockFrom))) {
      narrowed[fromName] = new Date(lockFrom).toISOString();
    }
    if (lockTo !== undefined && (query[toName] === undefined || (to !== undefined && to > lockTo))) {
      narrowed[toName] = new Date(lockTo).toISOString();
    }
  }
  return narrowed;
}
