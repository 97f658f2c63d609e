/**
 * The standard pipeline stages whose first times order_facts keeps as plain `<stage>_at` columns
 * (schema/022) besides placed_at and delivered_at (schema/008); op_stage_at reads them by name.
 */
export const STAGE_TIME_COLUMNS = ['paid', 'credit_checked', 'stock_locked', 'dispatched', 'picked', 'shipped'] as const;

/** Whether every one of `stages` has a plain time column (placed_at, …, delivered_at): a statement then reads no stage list. */
export function allStageColumns(stages: readonly string[]): boolean {
  return stages.every((s) => s === 'placed' || s === 'delivered' || (STAGE_TIME_COLUMNS as readonly string[]).includes(s));
}
