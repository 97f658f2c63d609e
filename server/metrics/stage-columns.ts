/**
 * The standard pipeline stages whose first times order_facts keeps as plain `<stage>_at` columns
 * (schema/022) besides placed_at and delivered_at (schema/008); op_stage_at reads them by name.
 */
export const STAGE_TIME_COLUMNS = ['paid', 'credit_checked', 'stock_locked', 'dispatched', 'picked', 'shipped'] as const;
