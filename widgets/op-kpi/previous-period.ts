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
