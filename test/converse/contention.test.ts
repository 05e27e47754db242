/**
 * Many users' turns in ONE chat app through the DynamoDB front that conflicts as DynamoDB does
 * (docs/dynamodb-front.md): the loss of the former design reproduced on its own shape — every answer's
 * transaction ADDing to the chat app's shared total — and today's write path beside it, where no turn's
 * transaction touches an item another user's turn touches: no conflict, every answer stored, the shared totals
 * exact once the usage stream has run.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ddb, tableName } from '../../functions/data/client';
import { keys } from '../../functions/data/keys';
import { dayOf } from '../../functions/data/usage-aggregates';
import { startLocalStack, type LocalStack } from '../../scripts/local/stack';
import { apiClient, ROLES, token, uid } from '../api/harness';
import { rawPartition } from '../data/helpers';
import { settleUsage } from '../support/usage';
import { AGENT_KINDS, converse, TEST_PRICING } from './harness';

let stack: LocalStack;
beforeAll(async () => {
  const dynamoDbEndpoint = process.env.DYNAMODB_ENDPOINT!;
  stack = await startLocalStack({
    dynamoDbEndpoint,
    tableName: process.env.TABLE_NAME!,
    emulator: { chunkDelayMs: 2 },
    api: {},
    seed: false,
    // Conflicts as DynamoDB's two-phase commit holds items (~15 ms); throttling is the bench's concern.
    front: { holdMs: 15, throttling: false },
    env: { CONVERSE_RATE_LIMIT: '0', WRITE_RATE_LIMIT: '0' },
  });
});
afterAll(async () => stack?.stop());

describe('one chat app, many users, a DynamoDB that cancels overlapping transactions', () => {
  it("the former design's shared total in every answer's transaction: overlapping transactions are cancelled", async () => {
    const chatAppId = uid('shared');
    const front = stack.front!;
    front.resetStats();
    // 30 users' answers at once, each ADDing to the chat app's day item in its own transaction, no retry.
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        ddb().send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName(), Item: { pk: `SESSION#${uid('s')}`, sk: `MSG#${i}`, content: 'answer' } } },
              {
                Update: {
                  TableName: tableName(),
                  Key: keys.usageChatApp(chatAppId, `D#${dayOf(Date.now())}`),
                  UpdateExpression: 'ADD turns :one',
                  ExpressionAttributeValues: { ':one': 1 },
                },
              },
            ],
          }),
        ),
      ),
    );
    const cancelled = results.filter((r) => r.status === 'rejected');
    expect(cancelled.length).toBeGreaterThan(0);
    for (const r of cancelled) expect((r as PromiseRejectedResult).reason).toMatchObject({ name: 'TransactionCanceledException' });
    expect(front.stats().conflicts.cancelledTransactions).toBeGreaterThan(0);
  });

  it('today: 40 users × 2 turns at once in one chat app — no conflict, every answer stored, totals exact', async () => {
    const api = apiClient(() => stack.api!);
    const admin = await token(uid('site'), [ROLES.siteAdmin]);
    const agentId = uid('agent');
    const chatAppId = uid('app');
    expect(
      (await api.call('PUT', `/admin/agents/${agentId}`, { token: admin, body: { agent: AGENT_KINDS.harness!('echo'), pricing: TEST_PRICING } })).status,
    ).toBe(200);
    // With retention: a new session's retention entry joins its first transaction (docs/retention.md).
    expect(
      (await api.call('PUT', `/admin/chat-apps/${chatAppId}`, { token: admin, body: { title: 'busy', enabled: true, agentId, retentionDays: 7 } })).status,
    ).toBe(200);
    const users = await Promise.all(Array.from({ length: 40 }, async () => token(uid('busy-user'))));
    const front = stack.front!;
    front.resetStats();
    const sessions = await Promise.all(
      users.map(async (t) => {
        const first = await converse(stack.api!.url, t, { chatAppId, message: 'first' });
        const sessionId = first.events[0]?.data.sessionId as string;
        const second = await converse(stack.api!.url, t, { sessionId, message: 'second' });
        return { t, sessionId, ends: [first.events.at(-1)?.event, second.events.at(-1)?.event] };
      }),
    );
    for (const s of sessions) expect(s.ends).toEqual(['done', 'done']);
    expect((await rawPartition(keys.sessionPartition(sessions[0]!.sessionId))).map((i) => i.sk)).toContain('RETENTION');
    // Every transaction of every turn touched only its session's and its user's items: none was cancelled.
    expect(front.stats().conflicts).toMatchObject({ cancelledTransactions: 0, singleWriteConflicts: 0 });
    let spent = 0;
    for (const s of sessions) {
      const messages = (await api.call('GET', `/sessions/${s.sessionId}/messages`, { token: s.t })).body.items as Array<{
        role: string;
        usage?: { inputTokens: number; outputTokens: number };
      }>;
      expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
      for (const m of messages) spent += (m.usage?.inputTokens ?? 0) + (m.usage?.outputTokens ?? 0);
    }
    await settleUsage();
    const report = (await api.call('GET', `/admin/usage?chatAppId=${chatAppId}&groupBy=agent`, { token: admin })).body;
    expect(report.totals.turns).toBe(80);
    // Titles cost tokens too (they are in the sessions' counters, not in a message): totals ≥ the answers'.
    expect(report.totals.inputTokens + report.totals.outputTokens).toBeGreaterThanOrEqual(spent);
    expect(report.items).toEqual([expect.objectContaining({ key: agentId, turns: 80 })]);
  });
});
