/**
 * The one place where failures become HTTP answers. Everything a handler throws ends up as
 * `{ "error": { "code", "message", "details"? } }` with the status below; unknown errors become a
 * 500 INTERNAL without leaking internals, dependency failures a 5xx with a clear code.
 */

export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  INVALID_CURSOR: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 422,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  AGENT_ERROR: 502,
  DEPENDENCY_UNAVAILABLE: 503,
  DEPENDENCY_THROTTLED: 503,
  DEPENDENCY_TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }

  /** Headers the status calls for: `Allow` on a 405, `Retry-After` on a 429 or 503 that says when. */
  headers(): Record<string, string> {
    const d = (this.details ?? {}) as { allow?: unknown; retryAfterSeconds?: unknown };
    if (this.status === 405 && typeof d.allow === 'string') return { allow: d.allow };
    if ((this.status === 429 || this.status === 503) && typeof d.retryAfterSeconds === 'number') return { 'retry-after': String(Math.ceil(d.retryAfterSeconds)) };
    return {};
  }

  toBody(): { error: { code: string; message: string; details?: unknown } } {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

export const badRequest = (message: string, details?: unknown) => new AppError('BAD_REQUEST', message, details);
export const validationFailed = (message: string, details?: unknown) => new AppError('VALIDATION_FAILED', message, details);
export const unauthorized = (message = 'Missing or invalid bearer token') => new AppError('UNAUTHORIZED', message);
export const forbidden = (message = 'Not allowed') => new AppError('FORBIDDEN', message);
/** Also used for other users' data: existence is never revealed. */
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const conflict = (message: string, details?: unknown) => new AppError('CONFLICT', message, details);
export const payloadTooLarge = (message: string, details?: unknown) => new AppError('PAYLOAD_TOO_LARGE', message, details);
export const rateLimited = (message: string, details?: unknown) => new AppError('RATE_LIMITED', message, details);

const THROTTLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** Maps anything thrown to an AppError. AWS SDK errors are recognised by name, network errors by code. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } } | undefined;
  const name = e?.name ?? '';
  const message = e?.message ?? '';
  if (THROTTLE_NAMES.has(name)) return new AppError('DEPENDENCY_THROTTLED', 'The database is throttling requests; retry later');
  if (name === 'ValidationException' && /item size|size has exceeded|exceeds the maximum/i.test(message)) {
    return payloadTooLarge('The item would exceed the DynamoDB item size limit (400 KB)');
  }
  if (name === 'ItemCollectionSizeLimitExceededException') return payloadTooLarge('The collection is too large');
  if (name === 'ConditionalCheckFailedException') return conflict('The item changed or does not exist');
  if (name === 'TransactionCanceledException' || name === 'TransactionConflictException') {
    return conflict('A concurrent change conflicted with this request; retry');
  }
  if (name === 'TimeoutError' || name === 'RequestTimeout' || /timed? ?out/i.test(message)) {
    return new AppError('DEPENDENCY_TIMEOUT', 'A dependency timed out');
  }
  if (NETWORK_CODES.has(e?.code ?? '') || NETWORK_CODES.has(e?.cause?.code ?? '') || name === 'ResourceNotFoundException' || name === 'InternalServerError') {
    return new AppError('DEPENDENCY_UNAVAILABLE', 'A dependency is unavailable; retry later');
  }
  return new AppError('INTERNAL', 'Internal error');
}
