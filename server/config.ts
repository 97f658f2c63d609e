import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const DEFAULT_DB_PATH = 'data/orderpulse.duckdb';

/** The store path from `--db`, else `ORDERPULSE_DB`, else data/orderpulse.duckdb; creates its folder. */
export function resolveDbPath(flag?: string): string {
  const path = flag ?? process.env.ORDERPULSE_DB ?? DEFAULT_DB_PATH;
  if (path === ':memory:') return path;
  const absolute = resolve(path);
  mkdirSync(dirname(absolute), { recursive: true });
  return absolute;
}

/** Parses a positive whole number from a flag or variable, with a clear message. */
export function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number ≥ 0, not '${value}'`);
  return n;
}
