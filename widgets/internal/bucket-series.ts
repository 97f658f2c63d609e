import { distinct } from './define.js';
import type { RenderContext } from './op-metric-element.js';

/**
 * Categories and lookup for rows keyed by (bucket, group): the x-axis is the
 * buckets when there is an interval, otherwise the groups.
 */
export function bucketAxis(rows: Record<string, unknown>[], ctx: RenderContext) {
  const byBucket = !(rows.length > 0 && rows.every((r) => r.bucket === null));
  const keys = byBucket ? distinct<string | null>(rows, 'bucket') : distinct<string | null>(rows, 'group');
  const labels = keys.map((k) => (k === null ? ctx.t('all') : byBucket ? ctx.fmt.date(k, ctx.granularity) : k));
  // Indexed once: a lookup per point by scanning the rows took a year of days × 5 channels into
  // millions of comparisons before the chart could draw.
  const index = rowIndex(rows);
  const rowAt = (i: number, group: string | null = null) => (byBucket ? index.get(keys[i] ?? null, group) : index.get(null, keys[i] ?? null));
  return { byBucket, keys, labels, rowAt };
}

/** Rows by (bucket, group); the first row wins when a pair repeats. */
export function rowIndex(rows: Record<string, unknown>[]) {
  const byKey = new Map<string, Record<string, unknown>>();
  const key = (bucket: unknown, group: unknown) => JSON.stringify([bucket ?? null, group ?? null]);
  for (const row of rows) {
    const k = key(row.bucket, row.group);
    if (!byKey.has(k)) byKey.set(k, row);
  }
  return { get: (bucket: string | null, group: string | null) => byKey.get(key(bucket, group)) };
}
