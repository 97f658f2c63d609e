import type { MetricResult } from './api-client.js';
import { cellKind } from './cell-format.js';

/**
 * A number as a CSV holds it: money to the cent, hours to a hundredth of an hour (36 s), shares
 * to a hundredth of a percent (0.0001), other decimals to 4 places; no float noise
 * (0.30000000000000004) in a file people open in a spreadsheet.
 */
function csvNumber(name: string, type: string, value: number): string {
  const kind = cellKind(name, type);
  const places = kind === 'money' || kind === 'hours' ? 2 : kind === 'percent' || kind === 'points' || kind === 'decimal' ? 4 : null;
  return places === null ? String(value) : String(Number(value.toFixed(places)));
}

/** RFC 4180 CSV of a metric's rows, with its column names as the header and numbers rounded (csvNumber). */
export function toCsv(result: MetricResult): string {
  const types = new Map(result.columns.map((c) => [c.name, c.type]));
  const quote = (value: unknown, name = '') => {
    if (value === null || value === undefined) return '';
    const text = typeof value === 'number' ? csvNumber(name, types.get(name) ?? 'number', value) : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const names = result.columns.map((c) => c.name);
  return [names.join(','), ...result.rows.map((row) => names.map((n) => quote(row[n], n)).join(','))].join('\r\n') + '\r\n';
}

/** Saves a Blob or data URL under a file name through a temporary link. */
export function download(filename: string, content: Blob | string): void {
  const url = typeof content === 'string' ? content : URL.createObjectURL(content);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  if (typeof content !== 'string') setTimeout(() => URL.revokeObjectURL(url), 0);
}
