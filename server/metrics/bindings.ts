import { BOOLEAN, DOUBLE, INTEGER, LIST, VARCHAR, listValue } from '@duckdb/node-api';
import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';

/** A bound SQL parameter with its type, so NULLs and empty lists bind unambiguously. */
export interface Binding {
  value: DuckDBValue;
  type: DuckDBType;
}
export type Bindings = Record<string, Binding>;

export const text = (value: string | null): Binding => ({ value, type: VARCHAR });
export const textList = (values: readonly string[]): Binding => ({ value: listValue([...values]), type: LIST(VARCHAR) });
export const number = (value: number | null): Binding => ({ value, type: DOUBLE });
export const integer = (value: number): Binding => ({ value, type: INTEGER });
export const boolean = (value: boolean): Binding => ({ value, type: BOOLEAN });
export const integerList = (values: readonly number[]): Binding => ({ value: listValue([...values]), type: LIST(INTEGER) });
/** An instant, bound as UTC ISO text; the SQL casts it with `::TIMESTAMPTZ`. */
export const instant = (ms: number | null): Binding => text(ms === null ? null : new Date(ms).toISOString());

/** The values and types of the bindings `sql` names (DuckDB rejects unused ones). */
export function bindingsFor(sql: string, bindings: Bindings): { values: Record<string, DuckDBValue>; types: Record<string, DuckDBType> } {
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  for (const [, name] of sql.matchAll(/\$([a-z_][a-z0-9_]*)/gi)) {
    const binding = bindings[name!];
    if (!binding) throw new Error(`no binding for $${name}`);
    values[name!] = binding.value;
    types[name!] = binding.type;
  }
  return { values, types };
}
