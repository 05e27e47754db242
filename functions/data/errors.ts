/** What the data layer reports: its own error type and codes (functions/http/errors.ts maps them to statuses). */
import { DomainError, type ErrorCode } from '../platform/errors';

export type DataErrorCode = Extract<
  ErrorCode,
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'VALIDATION_FAILED'
  | 'INVALID_CURSOR'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'DEPENDENCY_THROTTLED'
  | 'TURN_IN_PROGRESS'
  | 'USER_ERASURE_IN_PROGRESS'
>;

export class DataError extends DomainError<DataErrorCode> {
  override readonly name = 'DataError';
}

export const notFound = (what: string) => new DataError('NOT_FOUND', `${what} not found`);
export const conflict = (message: string, details?: unknown) => new DataError('CONFLICT', message, details);
export const validationFailed = (message: string, details?: unknown) => new DataError('VALIDATION_FAILED', message, details);
export const payloadTooLarge = (message: string, details?: unknown) => new DataError('PAYLOAD_TOO_LARGE', message, details);
export const rateLimited = (message: string, details?: unknown) => new DataError('RATE_LIMITED', message, details);
export const invalidCursor = (message: string, details?: unknown) => new DataError('INVALID_CURSOR', message, details);
