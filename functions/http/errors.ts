/**
 * The one place where a failure becomes an HTTP answer: `{ "error": { "code", "message", "details"? } }` with
 * the status of its code. Unknown errors become a 500 INTERNAL without leaking internals.
 */
import { toDomainError, type DomainError, type ErrorCode } from '../platform/errors';

export const ERROR_STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  INVALID_CURSOR: 400,
  SEARCH_TOO_BROAD: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  TURN_IN_PROGRESS: 409,
  USER_ERASURE_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  BUDGET_EXCEEDED: 429,
  INTERNAL: 500,
  AGENT_ERROR: 502,
  DEPENDENCY_UNAVAILABLE: 503,
  DEPENDENCY_THROTTLED: 503,
  DEPENDENCY_TIMEOUT: 504,
};

export interface HttpError {
  status: number;
  body: { error: { code: ErrorCode; message: string; details?: unknown } };
  /** `Allow` on a 405, `Retry-After` on a 409/429/503 that says when. */
  headers: Record<string, string>;
  /** The domain error it came from (for logging its code and cause's name). */
  error: DomainError;
}

export function httpErrorOf(err: unknown): HttpError {
  const error = toDomainError(err);
  const status = ERROR_STATUS[error.code];
  const d = (error.details ?? {}) as { allow?: unknown; retryAfterSeconds?: unknown };
  const headers: Record<string, string> = {};
  if (status === 405 && typeof d.allow === 'string') headers.allow = d.allow;
  if ((status === 409 || status === 429 || status === 503) && typeof d.retryAfterSeconds === 'number')
    headers['retry-after'] = String(Math.ceil(d.retryAfterSeconds));
  return {
    status,
    headers,
    error,
    body: { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } },
  };
}
