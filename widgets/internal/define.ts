/** Registers a custom element once, so loading the bundle and a single-widget file together is harmless. */
export function define(name: string, element: CustomElementConstructor): void {
  if (!customElements.get(name)) customElements.define(name, element);
}

/** Distinct values of a row field, in first-seen order. */
export function distinct<T>(rows: Record<string, unknown>[], field: string): T[] {
  return [...new Set(rows.map((r) => r[field] as T))];
}
