/**
 * The gateway's JSON errors: `{errors: [message], code, position?: {line, column}}`, with a stable
 * `code` a client can match and an HTTP status chosen from what went wrong: 400 for a bad request or
 * a SQL error (with its position), 401 for a missing or wrong token, 404 for an unknown session or
 * operation, 409 for a result of a canceled operation, 413 for a body over the limit, 500 for a job
 * that failed while running or a bug.
 */

import { RivuletError } from '../common/errors.ts';

export interface ErrorBody {
  readonly errors: readonly string[];
  readonly code: string;
  readonly position?: { readonly line: number; readonly column: number };
}

/** An error that already knows its HTTP status. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
  }
}

/** Phases whose errors are the user's SQL or options, not the server. */
const CLIENT_PHASES = new Set(['parse', 'plan', 'catalog', 'config', 'connector', 'cli']);

const STATUS_BY_CODE: Record<string, number> = {
  RESULT_TOKEN_INVALID: 400,
  OPERATION_CANCELED: 409,
};

interface FastifyLikeError {
  readonly statusCode?: number;
  readonly code?: string;
  readonly validation?: unknown;
}

/** The HTTP status and JSON body for any error thrown while serving a request. */
export function errorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof HttpError)
    return { status: err.status, body: { errors: [err.message], code: err.code } };
  if (err instanceof RivuletError) {
    const status = STATUS_BY_CODE[err.code] ?? (CLIENT_PHASES.has(err.phase) ? 400 : 500);
    return {
      status,
      body: {
        errors: [err.message],
        code: err.code,
        ...(err.span ? { position: { line: err.span.line, column: err.span.column } } : {}),
      },
    };
  }
  const e = err as Error & FastifyLikeError;
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, body: { errors: [e.message], code: 'REQUEST_TOO_LARGE' } };
  }
  if (e.validation !== undefined) {
    return { status: 400, body: { errors: [e.message], code: 'BAD_REQUEST' } };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: { errors: [e.message], code: 'BAD_REQUEST' } };
  }
  return {
    status: 500,
    body: { errors: [e instanceof Error ? e.message : String(err)], code: 'INTERNAL' },
  };
}
