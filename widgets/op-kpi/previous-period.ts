import { addYears } from '../op-date-range/presets.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The period of the same length just before [from, to): dates stay dates
 * (the service reads them in its time zone), date-times become ISO instants.
 */
export function previousPeriod(from: string, to: string): { from: string; to: string } | undefined {
  const start = Date.parse(DAY.test(from) ? `${from}T00:00:00Z` : from);
  const end = Date.parse(DAY.test(to) ? `${to}T00:00:00Z` : to);
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start) return undefined;
  const previous = new Date(start - (end - start));
  return DAY.test(from) && DAY.test(to) ? { from: previous.toISOString().slice(0, 10), to: from } : { from: previous.toISOString(), to: new Date(start).toISOString() };
}

/** [from, to) a year earlier: dates stay dates (29 February becomes 28 February), date-times move by a calendar year in UTC. */
export function samePeriodLastYear(from: string, to: string): { from: string; to: string } | undefined {
  const back = (v: string) => {
    if (DAY.test(v)) return addYears(v, -1);
    const date = new Date(v);
    if (Number.isNaN(date.getTime())) return undefined;
    date.setUTCFullYear(date.getUTCFullYear() - 1);
    return date.toISOString();
  };
  const [a, b] = [back(from), back(to)];
  return a && b && a < b ? { from: a, to: b } : undefined;
}
