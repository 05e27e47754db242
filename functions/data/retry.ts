/**
 * Retrying DynamoDB writes that lose a race: concurrent transactions on one item are cancelled with
 * `TransactionConflict`, and some conditional writes are retried with fresh values by their caller.
 */

import { conflict, notFound } from './errors';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Full-jitter exponential backoff. */
export function backoffMs(attempt: number, baseMs = 10, capMs = 300): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

export interface CancellationReason {
  Code?: string;
  Message?: string;
  /** Raw AttributeValue map (not unmarshalled) when ReturnValuesOnConditionCheckFailure was ALL_OLD. */
  Item?: Record<string, { S?: string; N?: string }>;
}

export function cancellationReasons(err: unknown): CancellationReason[] | undefined {
  const e = err as { name?: string; CancellationReasons?: CancellationReason[] } | undefined;
  return e?.name === 'TransactionCanceledException' ? (e.CancellationReasons ?? []) : undefined;
}

/** A single write whose ConditionExpression did not hold. */
export const isConditionFailure = (err: unknown): boolean => (err as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

/** The item a failed conditional write returned (ReturnValuesOnConditionCheckFailure ALL_OLD), raw AttributeValues. */
export const conditionFailureItem = (err: unknown): Record<string, unknown> | undefined =>
  isConditionFailure(err) ? (err as { Item?: Record<string, unknown> }).Item : undefined;

/** A conditional write: true when made, false when its condition failed (any other error is thrown). */
export async function updateIf(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/** A write conditioned on its item existing: its result, or 404 `<what> not found`. */
export async function updateOr404<T>(write: () => Promise<T>, what: string): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isConditionFailure(err)) throw notFound(what);
    throw err;
  }
}

/** A cancelled transaction whose item at `index` (in TransactItems order) failed its condition. */
export const conditionFailedAt = (err: unknown, index: number): boolean => cancellationReasons(err)?.[index]?.Code === 'ConditionalCheckFailed';

const RETRYABLE_REASONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/** A cancelled transaction worth retrying as is: a conflict/throttle and no failed condition. */
export function isRetryableTransactionError(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  if (name === 'TransactionConflictException' || name === 'TransactionInProgressException') return true;
  const reasons = cancellationReasons(err);
  if (!reasons) return false;
  return reasons.some((r) => RETRYABLE_REASONS.has(r.Code ?? '')) && !reasons.some((r) => r.Code === 'ConditionalCheckFailed');
}

/** Returned by an attempt that wants to run again (e.g. with a fresher timestamp). */
export const RETRY = Symbol('retry');

export const MAX_TRANSACTION_ATTEMPTS = 25;

/**
 * Runs `attempt` until it returns a value, retrying retryable transaction cancellations and explicit
 * RETRY results with jittered backoff. Other errors propagate unchanged.
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T | typeof RETRY>, maxAttempts = MAX_TRANSACTION_ATTEMPTS): Promise<T> {
  let lastError: unknown = conflict('Concurrent changes kept conflicting with this request; retry');
  for (let n = 0; n < maxAttempts; n++) {
    if (n > 0) await sleep(backoffMs(n));
    try {
      const result = await attempt(n);
      if (result !== RETRY) return result as T;
    } catch (err) {
      if (!isRetryableTransactionError(err)) throw err;
      lastError = err;
    }
  }
  throw lastError;
}
