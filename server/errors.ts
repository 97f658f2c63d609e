import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * A caller mistake with a machine-readable code; rendered by `app.onError`
 * as `{error: {code, message, details}}` with its 4xx status.
 */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** `withoutCors`: answered without CORS headers, so a page on a refused origin cannot read it. */
    readonly options: { withoutCors?: boolean } = {},
  ) {
    super(status, { message });
  }
}

/** One problem in an input file, located as `file:line column`. */
export interface RowProblem {
  file: string;
  line: number;
  column: string;
  reason: string;
}

export function formatProblem(p: RowProblem): string {
  return `${p.file}:${p.line} ${p.column} — ${p.reason}`;
}

/** DuckDB's messages when a statement needs more memory than its limit allows. */
const OUT_OF_MEMORY = /Out of Memory Error|could not allocate block|failed to (allocate|pin) (data|block)/;

export function isOutOfMemory(error: unknown): boolean {
  return error instanceof Error && !(error instanceof ApiError) && OUT_OF_MEMORY.test(error.message);
}

/**
 * A statement that ran out of DuckDB's memory limit, as a 503 that says what to do rather than a
 * 500. Its transaction is rolled back, so nothing of it was written.
 */
export function outOfMemoryError(limit: string): ApiError {
  return new ApiError(
    503,
    'out_of_memory',
    `the request needed more memory than the store's limit (${limit}; ORDERPULSE_MEMORY_LIMIT) and was stopped; nothing was written. Import smaller files, narrow the query, or raise the limit`,
    { memoryLimit: limit },
  );
}
