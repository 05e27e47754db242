import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ddb, tableName } from '../../functions/data/client';
import { clearConfigCache, getAgent, getChatApp, putAgent, putChatApp } from '../../functions/data/config';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '../../functions/data/idempotency';
import { getInsights, putInsights } from '../../functions/data/insights';
import { keys } from '../../functions/data/keys';
import { sampleInsights } from './fixtures';
import { newSession, rawPartition, uid } from './helpers';

describe('insights', () => {
  it('are written only for an existing session and read back', async () => {
    const missing = uid('nosession');
    await expect(putInsights(missing, sampleInsights())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await rawPartition(keys.sessionPartition(missing))).toEqual([]);

    const s = await newSession();
    expect(await getInsights(s.sessionId)).toBeUndefined();
    await putInsights(s.sessionId, sampleInsights('first'));
    await putInsights(s.sessionId, sampleInsights('second'));
    expect(await getInsights(s.sessionId)).toEqual(sampleInsights('second'));
  });
});

describe('chat-app and agent config', () => {
  it('stores configs and serves reads from a per-container cache invalidated by put', async () => {
    const chatAppId = uid('app');
    expect(await getChatApp(chatAppId)).toBeUndefined();
    const v1 = { chatAppId, title: 'Support', enabled: true } as never;
    await putChatApp(v1);
    expect(await getChatApp(chatAppId)).toEqual(v1);

    // A write from elsewhere (another container) is not seen until the cache entry expires or is cleared.
    await ddb().send(new PutCommand({ TableName: tableName(), Item: { ...keys.chatApp(chatAppId), chatAppId, title: 'Changed elsewhere', enabled: false } }));
    expect(await getChatApp(chatAppId)).toEqual(v1);
    clearConfigCache();
    expect(await getChatApp(chatAppId)).toMatchObject({ title: 'Changed elsewhere', enabled: false });

    const agentId = uid('agent');
    const agent = { agentId, bedrockAgentId: 'ABC', bedrockAgentAliasId: 'TST' } as never;
    expect(await getAgent(agentId)).toBeUndefined();
    await putAgent(agent);
    expect(await getAgent(agentId)).toEqual(agent);
  });
});

describe('idempotency records', () => {
  const opts = (ttlSeconds: number, requestHash = 'h1', leaseSeconds = 300) => ({ ttlSeconds, leaseSeconds, requestHash });

  it('claims a key once, stores the result, can be released, and ignores expired records', async () => {
    const s = await newSession();
    const first = await claimIdempotencyKey(s.sessionId, 'turn-1', opts(600));
    expect(first).toMatchObject({ outcome: 'claimed', record: { status: 'in_progress', key: 'turn-1' } });
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => claimIdempotencyKey(s.sessionId, 'turn-2', opts(600))));
    expect(concurrent.filter((c) => c.outcome === 'claimed')).toHaveLength(1);

    const again = await claimIdempotencyKey(s.sessionId, 'turn-1', opts(600));
    expect(again).toMatchObject({ outcome: 'running', record: { status: 'in_progress', createDate: first.record.createDate } });
    await completeIdempotencyKey(s.sessionId, 'turn-1', { messageId: 'm2' });
    expect(await claimIdempotencyKey(s.sessionId, 'turn-1', opts(600))).toMatchObject({
      outcome: 'completed',
      record: { status: 'completed', result: { messageId: 'm2' } },
    });

    await releaseIdempotencyKey(s.sessionId, 'turn-1');
    expect((await claimIdempotencyKey(s.sessionId, 'turn-1', opts(600))).outcome).toBe('claimed');

    await claimIdempotencyKey(s.sessionId, 'expired', opts(-10));
    expect((await claimIdempotencyKey(s.sessionId, 'expired', opts(600))).outcome).toBe('claimed');
    await expect(completeIdempotencyKey(s.sessionId, 'never-claimed', { messageId: 'none' })).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
  });

  it('binds a key to its request, and lets a running claim go when its lease ends', async () => {
    const s = await newSession();
    await claimIdempotencyKey(s.sessionId, 'k', opts(600, 'h1', 300));
    // Another request under the same key: refused, whatever the record's state.
    expect((await claimIdempotencyKey(s.sessionId, 'k', opts(600, 'h2'))).outcome).toBe('reused');
    const running = await claimIdempotencyKey(s.sessionId, 'k', opts(600, 'h1'));
    expect(running).toMatchObject({ outcome: 'running' });
    expect(running.outcome === 'running' && running.retryAfterSeconds).toBeGreaterThan(200);

    // A turn that died: its lease (already over here) no longer holds the key for the same request...
    await claimIdempotencyKey(s.sessionId, 'dead', opts(600, 'h1', -5));
    expect((await claimIdempotencyKey(s.sessionId, 'dead', opts(600, 'h2'))).outcome).toBe('reused');
    expect((await claimIdempotencyKey(s.sessionId, 'dead', opts(600, 'h1'))).outcome).toBe('claimed');
    // ...and a completed turn is replayed, never run again, even after its lease.
    await claimIdempotencyKey(s.sessionId, 'done', opts(600, 'h1', -5));
    await completeIdempotencyKey(s.sessionId, 'done', { messageId: 'm' });
    expect((await claimIdempotencyKey(s.sessionId, 'done', opts(600, 'h1'))).outcome).toBe('completed');
  });
});
