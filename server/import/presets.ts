import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { ApiError } from '../errors.js';
import { mappingSchema, type Mapping } from './mapping.js';

const PRESET_DIR = join(dirname(fileURLToPath(import.meta.url)), 'presets');

/** Names of the built-in mappings (`server/import/presets/*.json`). */
export const PRESET_NAMES = readdirSync(PRESET_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

/** Formats zod issues as `path: message` lines a person can act on. */
export function describeIssues(error: z.ZodError): string[] {
  return describe(error.issues, []);
}

/**
 * Issues as `path: message`. A union's "Invalid input" is replaced by the issues of the branch
 * the value was meant for (the one that did not fail on the value's type): `{"agg": "summ"}`
 * reports the agg, not that the field is neither a string nor a valid object.
 */
function describe(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]): string[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const meant = issue.errors.find((branch) => !(branch.length === 1 && branch[0]!.code === 'invalid_type' && branch[0]!.path.length === 0));
      if (meant) return describe(meant, path);
    }
    return [`${path.length ? path.join('.') : '(root)'}: ${issue.message}`];
  });
}

/** Validates a user's mapping (already parsed JSON); 400 with every problem if it is not one. */
export function parseMapping(value: unknown, origin = 'mapping'): Mapping {
  const parsed = mappingSchema.safeParse(value);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new ApiError(400, 'invalid_mapping', `${origin} is not a valid mapping: ${issues[0]}`, { issues });
  }
  return parsed.data;
}

export function presetMapping(name: string): Mapping {
  if (!PRESET_NAMES.includes(name)) {
    throw new ApiError(400, 'unknown_preset', `unknown preset '${name}'; presets are ${PRESET_NAMES.join(', ')}`, { presets: PRESET_NAMES });
  }
  return parseMapping(JSON.parse(readFileSync(join(PRESET_DIR, `${name}.json`), 'utf8')), `preset ${name}`);
}

/** Parses mapping JSON text (a file or an upload field). */
export function mappingFromText(text: string, origin: string): Mapping {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, 'invalid_mapping', `${origin} is not JSON: ${(error as Error).message}`);
  }
  return parseMapping(value, origin);
}
