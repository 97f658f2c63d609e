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
  const rowAt = (index: number, group: string | null = null) =>
    rows.find((r) => (byBucket ? r.bucket === keys[index] && r.group === group : r.group === keys[index]));
  return { byBucket, keys, labels, rowAt };
}
