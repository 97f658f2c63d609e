import type { Formatter } from './format.js';
import type { MessageKey } from './messages.js';

export type Translate = (key: MessageKey | string, values?: Record<string, string | number>) => string;

/** How a column's values read best, from its name and type. */
export function cellKind(name: string, type: string): 'text' | 'integer' | 'decimal' | 'hours' | 'percent' | 'points' | 'money' | 'date' | 'label' | 'boolean' {
  if (type === 'time') return 'date';
  if (type === 'boolean') return 'boolean';
  if (name === 'improvement_pct') return 'points';
  if (name.endsWith('_hours')) return 'hours';
  if (/(rate|share|conversion_from_\w+)$/.test(name)) return 'percent';
  if (/(cost|revenue|spend|amount)/.test(name)) return 'money';
  if (['stage', 'current_stage', 'from_stage', 'to_stage', 'step', 'component', 'kpi'].includes(name)) return 'label';
  if (type === 'integer') return 'integer';
  if (type === 'number') return 'decimal';
  return 'text';
}

/** Label key for a coded value: stages, friction components, KPIs. */
export function labelKey(column: string, value: string): string {
  if (column === 'component') return `component.${value}`;
  if (column === 'kpi') return `kpi.${value}`;
  return `stage.${value}`;
}

/** A value as the user reads it, in the widget's locale. */
export function formatCell(name: string, type: string, value: unknown, fmt: Formatter, t: Translate, granularity: 'day' | 'week' | 'month' | 'hour' = 'day'): string {
  if (value === null || value === undefined) return '—';
  const kind = cellKind(name, type);
  switch (kind) {
    case 'date':
      return fmt.date(String(value), granularity);
    case 'boolean':
      return value ? '✓' : '';
    case 'hours':
      return fmt.hours(Number(value));
    case 'percent':
      return fmt.percent(Number(value));
    case 'points':
      return fmt.percentPoints(Number(value));
    case 'money':
      return fmt.money(Number(value));
    case 'integer':
      return fmt.integer(Number(value));
    case 'decimal':
      return fmt.decimal(Number(value), 2);
    case 'label':
      return typeof value === 'string' ? t(labelKey(name, value)) : String(value);
    default:
      return String(value);
  }
}
