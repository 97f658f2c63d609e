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
