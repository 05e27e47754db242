import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ddb, tableName } from '../../functions/data/client';
import { createFeedback } from '../../functions/data/feedback';
import { claimIdempotencyKey } from '../../functions/data/idempotency';
import { putInsights } from '../../functions/data/insights';
import { keys, userAppSessionsPartition, userSessionsPartition } from '../../functions/data/keys';
import { appendMessage, listMessages } from '../../functions/data/messages';
import { deleteSession, getSession, listUserSessions } from '../../functions/data/sessions';
import { sampleInsights } from './fixtures';
import { newSession, rawIndexPartition, rawPartition, uid } from './helpers';

describe('session delete', () => {
  it('removes the session and everything in its partition, in batches, leaving nothing behind', async () => {
    const s = await newSession();
    const other = await newSession({ userId: s.userId, chatAppId: s.chatAppId });
    for (let i = 0; i < 60; i++) {
      await appendMessage({
        userId: s.userId,
        sessionId: s.sessionId,
        role: i % 2 ? 'assistant' : 'user',
        content: `m${i}`,
        ...(i % 10 === 0 ? { source: 'component' as const } : {}),
      });
    }
    await createFeedback({
      sessionId: s.sessionId,
      userId: s.userId,
      type: 'other',
      severity: 'low',
      title: 't',
      description: 'd',
      reportedByHuman: true,
      createdByCustomer: true,
    });
    await putInsights(s.sessionId, sampleInsights());
    await claimIdempotencyKey(s.sessionId, 'turn-1', { ttlSeconds: 3600, leaseSeconds: 300, requestHash: 'h' });
    expect((await rawPartition(keys.sessionPartition(s.sessionId))).length).toBe(1 + 60 + 1 + 1 + 1);

    await deleteSession(s.sessionId);

    expect(await rawPartition(keys.sessionPartition(s.sessionId))).toEqual([]);
    expect(await getSession(s.sessionId)).toBeUndefined();
    const gsi1 = await rawIndexPartition('gsi1', userSessionsPartition(s.userId));
    expect(gsi1.map((i) => i.sessionId)).toEqual([other.sessionId]);
    const gsi2 = await rawIndexPartition('gsi2', userAppSessionsPartition(s.userId, s.chatAppId));
    expect(gsi2.map((i) => i.sessionId)).toEqual([other.sessionId]);
    const listed = await listUserSessions({ userId: s.userId, limit: 10, caller: s.userId });
    expect(listed.items.map((x) => x.sessionId)).toEqual([other.sessionId]);
    // The other session is untouched.
    expect(await getSession(other.sessionId)).toEqual(other);

    await expect(deleteSession(s.sessionId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a message append on a deleted or unknown session is NOT_FOUND and writes nothing', async () => {
    const s = await newSession();
    await appendMessage({ userId: s.userId, sessionId: s.sessionId, role: 'user', content: 'before' });
    await deleteSession(s.sessionId);
    await expect(appendMessage({ userId: s.userId, sessionId: s.sessionId, role: 'user', content: 'after' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await rawPartition(keys.sessionPartition(s.sessionId))).toEqual([]);
    expect((await listMessages({ sessionId: s.sessionId, caller: s.userId })).items).toEqual([]);

    const unknown = uid('nosession');
    await expect(
      appendMessage({
        userId: 'u',
        sessionId: unknown,
        role: 'user',
        content: 'x',
        usage: { inputTokens: 1, outputTokens: 1, inputCost: 0, outputCost: 0, totalCost: 0.1 },
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await rawPartition(keys.sessionPartition(unknown))).toEqual([]);
  });

  it('finishes an interrupted delete (children without META)', async () => {
    const s = await newSession();
    await appendMessage({ userId: s.userId, sessionId: s.sessionId, role: 'user', content: 'x' });
    // Simulate a delete that stopped right after removing META.
    await ddb().send(new DeleteCommand({ TableName: tableName(), Key: keys.session(s.sessionId) }));
    await deleteSession(s.sessionId);
    expect(await rawPartition(keys.sessionPartition(s.sessionId))).toEqual([]);
  });
});
