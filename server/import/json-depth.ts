import { createReadStream } from 'node:fs';

/** Deepest nesting of arrays and objects an import file may have: DuckDB's JSON reader recurses per level. */
export const MAX_JSON_DEPTH = 64;

/**
 * The first place where a JSON or NDJSON file nests arrays and objects deeper than `limit`
 * ({line, depth}), or null. A byte scan that skips strings: DuckDB's reader recurses once per
 * level, and '[' × 10,000 overflowed the native stack and killed the process.
 */
export async function tooDeep(path: string, limit = MAX_JSON_DEPTH): Promise<{ line: number } | null> {
  let depth = 0;
  let line = 1;
  let inString = false;
  let escaped = false;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === 0x0a) line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === 0x5c) escaped = true;
        else if (byte === 0x22) inString = false;
      } else if (byte === 0x22) {
        inString = true;
      } else if (byte === 0x5b || byte === 0x7b) {
        if (++depth > limit) return { line };
      } else if (byte === 0x5d || byte === 0x7d) {
        depth--;
      }
    }
  }
  return null;
}
