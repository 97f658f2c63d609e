import type { DrillThrough } from './op-drill-through.js';

/** What a click in one widget selects: a point (a channel, a stage) or an interval (a month). */
export interface FilterClause {
  /** The element that fired it (its id, else its tag name). */
  source: string;
  /** The dimension: `channel`, `region`, `sku_series`, `stage`, `created_at`… */
  field: string;
  kind: 'point' | 'interval';
  /** A value, a `[start, end)` pair of ISO instants for intervals, or null to clear the source's selection. */
  value: string | [string, string] | null;
  /** The orders behind what was clicked, when they can be listed (`op-dashboard` offers "List orders"). */
  drill?: Omit<DrillThrough, 'source'>;
}

/**
 * Fired (bubbling, composed) when the user selects a channel, stage or month
 * in a widget; `op-dashboard` applies it to the other widgets.
 */
export class OpFilterChangeEvent extends CustomEvent<FilterClause> {
  constructor(detail: FilterClause) {
    super('op-filter-change', { detail, bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'op-filter-change': OpFilterChangeEvent;
  }
}
