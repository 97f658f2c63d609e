import type { MetricResult } from './api-client.js';

/** RFC 4180 CSV of a metric's rows, with its column names as the header. */
export function toCsv(result: MetricResult): string {
  const quote = (value: unknown) => {
    if (value === null || value === undefined) return '';
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const names = result.columns.map((c) => c.name);
  return [names.join(','), ...result.rows.map((row) => names.map((n) => quote(row[n])).join(','))].join('\r\n') + '\r\n';
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
