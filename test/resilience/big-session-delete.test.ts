/**
 * Big deletions finish (issue 27 item 5): a session of 100,000 messages (written with BatchWriteItem directly,
 * as a long-lived session would hold them) and a file is deleted with DELETE /sessions/{id}: 202 at once, gone
 * from the list and every read immediately, and the lifecycle job deletes every item and the object in the
 * background, page by page, one queue message after another. The wait is bounded by the test's timeout, nothing is timed.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ddb, tableName } from '../../functions/data/client';
import { newId } from '../../functions/data/items';
import { keys } from '../../functions/data/keys';
import { filesBucket, s3Client } from '../../functions/files/storage';
import { uploadFile } from '../api/files-harness';
import { apiClient, token, uid } from '../api/harness';
import { useOwnDynamoDbLocal } from '../support/own-dynamodb';
import { useLocalStack } from '../support/stack';

// 200,000 stream records (the writes, then the deletes): a DynamoDB Local of this file's own (test/support/own-dynamodb.ts).
useOwnDynamoDbLocal(uid('pika-test-big'));
const stack = useLocalStack({ emulator: false });
const api = apiClient(stack.api);
const MESSAGES = 100_000;

async function seedMessages(sessionId: string, userId: string, count: number): Promise<void> {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < count; i += 25) {
    batches.push(
      Array.from({ length: Math.min(25, count - i) }, (_, j) => {
        const messageId = newId();
        return {
          ...keys.message(sessionId, messageId),
          messageId,
          sessionId,
          userId,
          role: j % 2 ? 'assistant' : 'user',
          content: `message ${i + j}`,
          source: 'user',
        };
      }),
    );
  }
  // A few writers at once; unprocessed items are written again.
  const next = { i: 0 };
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next.i < batches.length) {
        let items = batches[next.i++]!.map((Item) => ({ PutRequest: { Item } }));
        while (items.length) {
          const out = await ddb().send(new BatchWriteCommand({ RequestItems: { [tableName()]: items } }));
          items = (out.UnprocessedItems?.[tableName()] ?? []) as typeof items;
        }
      }
    }),
  );
}

async function itemsLeft(sessionId: string): Promise<number> {
  const out = await ddb().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.sessionPartition(sessionId) },
      Select: 'COUNT',
      ConsistentRead: true,
      Limit: 1000,
    }),
  );
  return out.Count ?? 0;
}

const objectExists = (key: string) =>
  s3Client()
    .send(new HeadObjectCommand({ Bucket: filesBucket(), Key: key }))
    .then(
      () => true,
      () => false,
    );

describe('deleting a large session', () => {
  it('a 100,000-message session: 202 at once, gone from lists and reads, every item and object deleted in the background', async () => {
    const user = uid('big');
    const t = await token(user);
    const session = (await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo', title: 'big' } })).body;
    const file = await uploadFile(api, t, session.sessionId, 'big.txt', 'text/plain', 'big');
    await seedMessages(session.sessionId, user, MESSAGES);
    expect(await itemsLeft(session.sessionId)).toBe(1000);
    expect(await objectExists(file.s3Key)).toBe(true);

    const r = await api.call('DELETE', `/sessions/${session.sessionId}`, { token: t });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ deleted: true });
    // Gone at once, while most of its items are still there.
    expect((await api.call('GET', `/sessions/${session.sessionId}`, { token: t })).status).toBe(404);
    expect((await api.call('GET', `/sessions/${session.sessionId}/messages`, { token: t })).status).toBe(404);
    expect((await api.call('GET', '/sessions', { token: t })).body.items).toEqual([]);
    expect(await itemsLeft(session.sessionId)).toBeGreaterThan(0);

    // The background job runs to its end (the test's timeout bounds the wait) and leaves nothing.
    await stack.lifecycleQueue().idle();
    expect(await itemsLeft(session.sessionId)).toBe(0);
    expect(await objectExists(file.s3Key)).toBe(false);
    // Deleting again: the session is unknown.
    expect((await api.call('DELETE', `/sessions/${session.sessionId}`, { token: t })).status).toBe(404);
  }, 1_200_000);
});
