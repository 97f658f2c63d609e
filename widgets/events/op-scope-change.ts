/** A new scope a control chose: the range, the channels, the comparison (each only when it changed). */
export interface ScopeChange {
  /** The control that fired it (its id, else its tag name). */
  source: string;
  /** Start of the range, inclusive (`YYYY-MM-DD`). */
  from?: string;
  /** End of the range, exclusive (`YYYY-MM-DD`): the day after the last one shown. */
  to?: string;
  /** Comma-separated channel codes; empty for every channel. */
  channel?: string;
  /** What KPI cards compare with: the period just before, or the same period a year earlier. */
  compare?: 'previous' | 'year';
}

/**
 * Fired (bubbling, composed) by `op-date-range` and `op-filter`. `op-dashboard` applies it to its
 * widgets (its `from`, `to`, `channel`, `compare`); a host page without one sets them itself.
 */
export class OpScopeChangeEvent extends CustomEvent<ScopeChange> {
  constructor(detail: ScopeChange) {
    super('op-scope-change', { detail, bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'op-scope-change': OpScopeChangeEvent;
  }
}
