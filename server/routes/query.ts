import { validator } from 'hono/validator';
import type { z } from 'zod';
import { ApiError } from '../errors.js';

/** A zod failure on query parameters as a 400 that names the parameter (`what` takes `schema`'s). */
export function queryError(what: string, schema: z.ZodObject, error: z.ZodError): ApiError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const takes = Object.keys(schema.shape).join(', ');
    return new ApiError(400, 'unknown_parameter', `unknown parameter '${issue.keys[0]}'; ${what} takes ${takes}`, {
      parameter: issue.keys[0],
    });
  }
  const parameter = String(issue.path[0] ?? '');
  return new ApiError(400, 'invalid_parameter', `${parameter}: ${issue.message}`, { parameter });
}

/** Validates a query against `schema`: an empty value means "not given"; a repeated key (channel=a&channel=b) is a list. */
export function queryValidator(what: string, schema: z.ZodObject) {
  return validator('query', (query) => {
    const given = Object.entries(query)
      .map(([key, value]) => [key, Array.isArray(value) ? value.join(',') : value] as const)
      .filter(([, value]) => value !== '');
    const parsed = schema.safeParse(Object.fromEntries(given));
    if (!parsed.success) throw queryError(what, schema, parsed.error);
    return parsed.data as Record<string, string | undefined>;
  });
}
