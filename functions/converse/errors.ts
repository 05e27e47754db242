/** What a converse turn reports: its own error type and codes (functions/http/errors.ts maps them to statuses). */
import { DomainError, dependencyErrorOf, type ErrorCode } from '../platform/errors';

export type ConverseErrorCode = Extract<
  ErrorCode,
  | 'AGENT_ERROR'
  | 'DEPENDENCY_TIMEOUT'
  | 'DEPENDENCY_THROTTLED'
  | 'DEPENDENCY_UNAVAILABLE'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'CONFLICT'
  | 'TURN_IN_PROGRESS'
  | 'USER_ERASURE_IN_PROGRESS'
  | 'BUDGET_EXCEEDED'
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'INTERNAL'
>;

export class ConverseError extends DomainError<ConverseErrorCode> {
  override readonly name = 'ConverseError';
}

/** A provider's failure as the client sees it: a code, never a stack or an internal message. */
export function agentError(err: unknown, timedOut: boolean): DomainError {
  if (timedOut) return new ConverseError('DEPENDENCY_TIMEOUT', 'The agent did not answer in time', undefined, { cause: err });
  const name = (err as { name?: string })?.name ?? '';
  if (name === 'ThrottlingException' || name === 'ServiceQuotaExceededException') {
    return new ConverseError('DEPENDENCY_THROTTLED', 'The agent is throttling requests; retry later', undefined, { cause: err });
  }
  if (err instanceof DomainError) return err;
  const known = dependencyErrorOf(err);
  if (!known || known.code === 'CONFLICT') return new ConverseError('AGENT_ERROR', 'The agent failed while answering', undefined, { cause: err });
  return known;
}
