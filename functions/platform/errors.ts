/**
 * Domain errors: what went wrong, as a typed code with details and the original `cause`. Nothing here knows
 * HTTP: functions/http/errors.ts is the one place where a code becomes a status. The data and converse
 * layers have their own subclasses (functions/data/errors.ts, functions/converse/errors.ts) whose code
 * unions say what each can report.
 */

export const ERROR_CODES = [
  'BAD_REQUEST',
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'INVALID_CURSOR',
  'SEARCH_TOO_BROAD',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'CONFLICT',
  'TURN_IN_PROGRESS',
  'USER_ERASURE_IN_PROGRESS',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'IDEMPOTENCY_KEY_REUSED',
  'RATE_LIMITED',
  'BUDGET_EXCEEDED',
  'INTERNAL',
  'AGENT_ERROR',
  'DEPENDENCY_UNAVAILABLE',
  'DEPENDENCY_THROTTLED',
  'DEPENDENCY_TIMEOUT',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class DomainError<C extends ErrorCode = ErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly details?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DomainError';
  }
}

/** A search whose candidate set exceeds its read budget: the message says how to narrow it. */
export const searchTooBroad = (message: string, details?: unknown) => new DomainError('SEARCH_TOO_BROAD', message, details);
export const validationFailed = (message: string, details?: unknown) => new DomainError('VALIDATION_FAILED', message, details);
export const unauthorized = (message = 'Missing or invalid bearer token') => new DomainError('UNAUTHORIZED', message);
export const forbidden = (message = 'Not allowed') => new DomainError('FORBIDDEN', message);
/** Also used for other users' data: existence is never revealed. */
export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);

/** The value, or 404 `<what> not found`: the one not-found style of the handlers. */
export function orNotFound<T>(value: T | undefined | null | false, what: string): T {
  if (value === undefined || value === null || value === false) throw notFound(what);
  return value;
}
export const conflict = (message: string, details?: unknown) => new DomainError('CONFLICT', message, details);
export const payloadTooLarge = (message: string, details?: unknown) => new DomainError('PAYLOAD_TOO_LARGE', message, details);
export const rateLimited = (message: string, details?: unknown) => new DomainError('RATE_LIMITED', message, details);
/** A budget limit reached: details say which, the amount used, the limit and when it resets. */
export const budgetExceeded = (message: string, details?: unknown) => new DomainError('BUDGET_EXCEEDED', message, details);

const THROTTLE_NAMES = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'LimitExceededException']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/**
 * What an error thrown by an AWS SDK client (or the network under it) means for us, or undefined for an
 * error that is not a dependency's: recognised by name, network errors by code. The original is the cause.
 */
export function dependencyErrorOf(err: unknown): DomainError | undefined {
  if (err instanceof DomainError) return err;
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } } | undefined;
  const name = e?.name ?? '';
  const message = e?.message ?? '';
  const cause = { cause: err };
  if (THROTTLE_NAMES.has(name)) return new DomainError('DEPENDENCY_THROTTLED', 'A dependency is throttling requests; retry later', undefined, cause);
  if (name === 'ValidationException' && /item size|size has exceeded|exceeds the maximum/i.test(message)) {
    return new DomainError('PAYLOAD_TOO_LARGE', 'The item would exceed the DynamoDB item size limit (400 KB)', undefined, cause);
  }
  if (name === 'ItemCollectionSizeLimitExceededException') return new DomainError('PAYLOAD_TOO_LARGE', 'The collection is too large', undefined, cause);
  if (name === 'ConditionalCheckFailedException') return new DomainError('CONFLICT', 'The item changed or does not exist', undefined, cause);
  if (name === 'TransactionCanceledException' || name === 'TransactionConflictException') {
    return new DomainError('CONFLICT', 'A concurrent change conflicted with this request; retry', undefined, cause);
  }
  if (name === 'TimeoutError' || name === 'RequestTimeout' || /timed? ?out/i.test(message))
    return new DomainError('DEPENDENCY_TIMEOUT', 'A dependency timed out', undefined, cause);
  if (NETWORK_CODES.has(e?.code ?? '') || NETWORK_CODES.has(e?.cause?.code ?? '') || name === 'ResourceNotFoundException' || name === 'InternalServerError') {
    return new DomainError('DEPENDENCY_UNAVAILABLE', 'A dependency is unavailable; retry later', undefined, cause);
  }
  return undefined;
}

/** Any error as a domain error: a dependency's as classified above, anything else INTERNAL (the cause kept). */
export function toDomainError(err: unknown): DomainError {
  return dependencyErrorOf(err) ?? new DomainError('INTERNAL', 'Internal error', undefined, { cause: err });
}
