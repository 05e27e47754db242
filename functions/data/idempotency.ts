/**
 * Idempotency records of converse turns: SESSION#s / IDEMP#<key>, always expiring (TTL). A retried request
 * with the same key finds the record instead of starting a second turn.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, tableName } from './client';
import { fromAttributeValues, fromItem, nowIso } from './items';
import { keys } from './keys';
import { expiresInSeconds } from './ttl';

export interface IdempotencyResult {
  messageIds: string[];
  [extra: string]: unknown;
}

export interface IdempotencyRecord {
  sessionId: string;
  key: string;
  status: 'in_progress' | 'completed';
  createDate: string;
  result?: IdempotencyResult;
}

/**
 * Claims `key` for this session. `isNew` is false when an unexpired record exists; `record` is then the
 * existing one (with the stored result once completed).
 */
export async function claimIdempotencyKey(sessionId: string, key: string, ttlSeconds: number): Promise<{ isNew: boolean; record: IdempotencyRecord }> {
  const nowMs = Date.now();
  const record: IdempotencyRecord = { sessionId, key, status: 'in_progress', createDate: nowIso(nowMs) };
  try {
    await ddb().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.idempotency(sessionId, key), ...record, expiresAt: expiresInSeconds(ttlSeconds, nowMs) },
        // TTL deletion lags: an expired record that still exists counts as absent.
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowSeconds',
        ExpressionAttributeValues: { ':nowSeconds': Math.floor(nowMs / 1000) },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { isNew: true, record };
  } catch (err) {
    const e = err as { name?: string; Item?: Record<string, unknown> };
    if (e.name !== 'ConditionalCheckFailedException') throw err;
    return { isNew: false, record: fromItem<IdempotencyRecord>(fromAttributeValues(e.Item ?? {})) };
  }
}

/** Stores the outcome of the turn on its record. */
export async function completeIdempotencyKey(sessionId: string, key: string, result: IdempotencyResult): Promise<void> {
  await ddb().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.idempotency(sessionId, key),
      UpdateExpression: 'SET #status = :completed, #result = :result',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status', '#result': 'result' },
      ExpressionAttributeValues: { ':completed': 'completed', ':result': result },
    }),
  );
}

/** Frees the key after a failed turn so that a retry can run it again. */
export async function releaseIdempotencyKey(sessionId: string, key: string): Promise<void> {
  await ddb().send(new DeleteCommand({ TableName: tableName(), Key: keys.idempotency(sessionId, key) }));
}
