/**
 * channel-funnel's default steps. Every order's place in this funnel (with no window) is kept in
 * order_facts at import (schema/007), so the funnel most dashboards show skips the per-order work.
 */
export const DEFAULT_FUNNEL_STEPS: readonly string[] = ['placed', 'paid', 'shipped', 'delivered', 'kept'];
