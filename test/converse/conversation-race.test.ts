/**
 * A new conversation id sent many times at once (a client retrying, two tabs) through the DynamoDB front that
 * conflicts as DynamoDB does (docs/dynamodb-front.md): the session derived from it is created exactly once —
 * one request runs the turn, the others are 409s before anything is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../scripts/local/stack';
import { apiClient, ROLES, token, uid } from '../api/harness';
import { AGENT_KINDS, TEST_PRICING } from './harness';
import { agUiBody, aiSdkBody, postProtocol } from './protocol-harness';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({
    dynamoDbEndpoint: process.env.DYNAMODB_ENDPOINT!,
    tableName: process.env.TABLE_NAME!,
    // The `slow` agent answers in chunks 10× this apart (~2 s a turn): the first turn still holds the session when
    // the last of the 12 requests arrives, even on a loaded machine.
    emulator: { chunkDelayMs: 60 },
    api: {},
    seed: false,
    front: { holdMs: 15, throttling: false },
    env: { CONVERSE_RATE_LIMIT: '0', WRITE_RATE_LIMIT: '0' },
  });
});
afterAll(async () => stack?.stop());

describe.each([
  ['/converse/ai-sdk', aiSdkBody],
  ['/converse/ag-ui', agUiBody],
] as const)('%s: one new conversation id, 12 first requests at once', (path, bodyOf) => {
  it('create one session; one turn runs, the others are 409 and store nothing', async () => {
    const api = apiClient(() => stack.api!);
    const admin = await token(uid('site'), [ROLES.siteAdmin]);
    const agentId = uid('slow');
    const chatAppId = uid('race');
    expect(
      (await api.call('PUT', `/admin/agents/${agentId}`, { token: admin, body: { agent: AGENT_KINDS.classic!('slow'), pricing: TEST_PRICING } })).status,
    ).toBe(200);
    expect((await api.call('PUT', `/admin/chat-apps/${chatAppId}`, { token: admin, body: { title: 'race', enabled: true, agentId } })).status).toBe(200);
    const t = await token(uid());
    const chatId = uid('chat');
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => postProtocol(stack.api!.url, path, t, bodyOf(chatId, chatAppId, `racer ${i}`))));
    const ran = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    expect(ran).toHaveLength(1);
    expect(refused.map((r) => r.status)).toEqual(Array(11).fill(409));
    for (const r of refused) expect(['TURN_IN_PROGRESS', 'CONFLICT']).toContain(r.error.error.code);
    const sessions = (await api.call('GET', `/sessions?chatAppId=${chatAppId}`, { token: t })).body.items as any[];
    expect(sessions).toHaveLength(1);
    const messages = (await api.call('GET', `/sessions/${sessions[0].sessionId}/messages`, { token: t })).body.items as any[];
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  });
});
