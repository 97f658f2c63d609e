import { distinct } from './define.js';
import type { RenderContext } from './op-metric-element.js';

/**
 * Categories and lookup for rows keyed by (bucket, group): the x-axis is the
 * buckets when there is an interval, otherwise the groups.
 */
export function bucketAxis(rows: Record<string, unknown>[], ctx: RenderContext, groupBy?: string | null) {
  const byBucket = !(rows.length > 0 && rows.every((r) => r.bucket === null));
  const keys = byBucket ? distinct<string | null>(rows, 'bucket') : distinct<string | null>(rows, 'group');
  // Groups as people read them (a channel by its display name), under the dimension the rows are grouped by.
  const field = groupBy;
  const labels = keys.map((k) => (k === null ? ctx.t('all') : byBucket ? ctx.fmt.date(k, ctx.granularity) : ctx.label(field, k)));
  // Indexed once: a lookup per point by scanning the rows took a year of days × 5 channels into
  // millions of comparisons before the chart could draw.
  const index = rowIndex(rows);
  const rowAt = (i: number, group: string | null = null) => (byBucket ? index.get(keys[i] ?? null, group) : index.get(null, keys[i] ?? null));
  return { byBucket, keys, labels, rowAt };
}

/** Rows by (bucket, group); the first row wins when a pair repeats. */
export function rowIndex(rows: Record<string, unknown>[]) {
  // Nested maps: no key string built per row or per lookup (Map keeps null apart from 'null').
  const byBucket = new Map<unknown, Map<unknown, Record<string, unknown>>>();
  for (const row of rows) {
    const bucket = row.bucket ?? null;
    let groups = byBucket.get(bucket);
    if (!groups) byBucket.set(bucket, (groups = new Map()));
    const group = row.group ?? null;
    if (!groups.has(group)) groups.set(group, row);
  }
  return { get: (bucket: string | null, group: string | null) => byBucket.get(bucket)?.get(group) };
}
