/** What a click asks to see the orders of: the metric, and the `GET /api/orders` parameters that list them. */
export interface DrillThrough {
  /** The element that fired it (its id, else its tag name). */
  source: string;
  metric: string;
  /** The list's parameters: the widget's scope and the clicked element's (e.g. `stage`, `ageBucket`, `asOf`). */
  params: Record<string, string>;
  /** What was clicked, in the user's language (the panel's heading). */
  label: string;
}

/**
 * Fired (bubbling, composed) when the user clicks an element of a chart whose orders can be
 * listed; `op-dashboard` opens an `op-order-list` with `params`, a host page may open its own.
 */
export class OpDrillThroughEvent extends CustomEvent<DrillThrough> {
  constructor(detail: DrillThrough) {
    super('op-drill-through', { detail, bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'op-drill-through': OpDrillThroughEvent;
  }
}
