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
  it('claims a key once, stores the result, can be released, and ignores expired records', async () => {
    const s = await newSession();
    const first = await claimIdempotencyKey(s.sessionId, 'turn-1', 600);
    expect(first).toMatchObject({ isNew: true, record: { status: 'in_progress', key: 'turn-1' } });
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => claimIdempotencyKey(s.sessionId, 'turn-2', 600)));
    expect(concurrent.filter((c) => c.isNew)).toHaveLength(1);

    const again = await claimIdempotencyKey(s.sessionId, 'turn-1', 600);
    expect(again).toMatchObject({ isNew: false, record: { status: 'in_progress', createDate: first.record.createDate } });
    await completeIdempotencyKey(s.sessionId, 'turn-1', { messageIds: ['m1', 'm2'] });
    expect(await claimIdempotencyKey(s.sessionId, 'turn-1', 600)).toMatchObject({ isNew: false, record: { status: 'completed', result: { messageIds: ['m1', 'm2'] } } });

    await releaseIdempotencyKey(s.sessionId, 'turn-1');
    expect((await claimIdempotencyKey(s.sessionId, 'turn-1', 600)).isNew).toBe(true);

    await claimIdempotencyKey(s.sessionId, 'expired', -10);
    expect((await claimIdempotencyKey(s.sessionId, 'expired', 600)).isNew).toBe(true);
    await expect(completeIdempotencyKey(s.sessionId, 'never-claimed', { messageIds: [] })).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });
});
