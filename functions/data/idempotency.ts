/**
 * Idempotency records of converse turns: SESSION#s / IDEMP#<key>, always expiring (TTL). A retried request
 * with the same key finds the record instead of starting a second turn.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, tableName } from './client';
import { entity, fromAttributeValues, nowIso } from './items';
import { keys } from './keys';
import { conditionFailureItem, isConditionFailure } from './retry';
import { updateExpression } from './expressions';
import { expiresInSeconds } from './ttl';
import { TTL_ATTRIBUTE } from './table-definition';

/** What a completed request stored: each caller's own outcome (converse: TurnOutcome). */
export type IdempotencyResult = object;

export interface IdempotencyRecord<R extends IdempotencyResult = IdempotencyResult> {
  sessionId: string;
  key: string;
  status: 'in_progress' | 'completed';
  createDate: string;
  /** A hash of the request the key was first used with. */
  requestHash?: string;
  /** Epoch seconds until which a running turn holds the key; after it, the same request may run again. */
  leaseExpiresAt?: number;
  result?: R;
}

export interface ClaimOptions {
  ttlSeconds: number;
  leaseSeconds: number;
  requestHash: string;
}

export type ClaimOutcome<R extends IdempotencyResult = IdempotencyResult> =
  | { outcome: 'claimed'; record: IdempotencyRecord<R> }
  | { outcome: 'completed'; record: IdempotencyRecord<R> }
  | { outcome: 'running'; record: IdempotencyRecord<R>; retryAfterSeconds: number }
  /** The key was first used with another request. */
  | { outcome: 'reused'; record: IdempotencyRecord<R> };

/**
 * Claims `key` in `scope` for one request. The claim succeeds when no record exists, the record expired
 * (TTL deletion lags), or the same request's earlier turn died holding the key (its lease ran out).
 */
export async function claimIdempotencyKey<R extends IdempotencyResult = IdempotencyResult>(
  scope: string,
  key: string,
  opts: ClaimOptions,
  nowMs = Date.now(),
): Promise<ClaimOutcome<R>> {
  const now = Math.floor(nowMs / 1000);
  const record: IdempotencyRecord<R> = {
    sessionId: scope,
    key,
    status: 'in_progress',
    createDate: nowIso(nowMs),
    requestHash: opts.requestHash,
    leaseExpiresAt: now + opts.leaseSeconds,
  };
  try {
    await ddb().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.idempotency(scope, key), ...record, [TTL_ATTRIBUTE]: expiresInSeconds(opts.ttlSeconds, nowMs) },
        ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now OR (#status = :running AND leaseExpiresAt < :now AND requestHash = :hash)',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':now': now, ':running': 'in_progress', ':hash': opts.requestHash },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { outcome: 'claimed', record };
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    const existing = entity<IdempotencyRecord<R>>().record(fromAttributeValues(conditionFailureItem(err) ?? {}));
    if (existing.requestHash !== undefined && existing.requestHash !== opts.requestHash) return { outcome: 'reused', record: existing };
    if (existing.status === 'completed') return { outcome: 'completed', record: existing };
    return { outcome: 'running', record: existing, retryAfterSeconds: Math.max(1, (existing.leaseExpiresAt ?? now + 1) - now) };
  }
}

/** Stores the outcome of the turn on its record. */
export async function completeIdempotencyKey<R extends IdempotencyResult>(sessionId: string, key: string, result: R): Promise<void> {
  await ddb().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.idempotency(sessionId, key),
      ...updateExpression({ set: { status: 'completed', result } }),
      ConditionExpression: 'attribute_exists(pk)',
    }),
  );
}

/** Frees the key after a failed turn so that a retry can run it again. */
export async function releaseIdempotencyKey(sessionId: string, key: string): Promise<void> {
  await ddb().send(new DeleteCommand({ TableName: tableName(), Key: keys.idempotency(sessionId, key) }));
}
