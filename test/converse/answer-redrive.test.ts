/**
 * An answer is never lost (docs/converse.md#an-answer-is-never-lost): while the table refuses every write (the
 * DynamoDB front's outage switch, docs/dynamodb-front.md), a turn's answer goes to the redrive queue, the stream
 * ends with `done` and `deferred`, and once the table is back the answer is stored exactly once with its usage —
 * a redelivered record changes nothing — and the session is free again.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readServerSentEvents } from 'pika-shared/client';
import { handler } from '../../functions/handlers/answer-redrive';
import { sqsRecord } from '../../scripts/local/answer-queue';
import { startLocalStack, type LocalStack } from '../../scripts/local/stack';
import { apiClient, ROLES, token, uid } from '../api/harness';
import { AGENT_KINDS, converse, TEST_PRICING, textOf, type SseEvent } from './harness';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({
    dynamoDbEndpoint: process.env.DYNAMODB_ENDPOINT!,
    tableName: process.env.TABLE_NAME!,
    // The `slow` agent takes about two seconds to answer: long enough to turn the table off meanwhile.
    emulator: { chunkDelayMs: 50 },
    api: {},
    seed: false,
    front: { conflicts: false, throttling: false },
    env: { CONVERSE_RATE_LIMIT: '0', WRITE_RATE_LIMIT: '0' },
  });
});
afterAll(async () => stack?.stop());

describe('an answer is never lost', () => {
  it('the table refusing every write while the answer is stored: done (deferred), then stored once with its usage', async () => {
    const api = apiClient(() => stack.api!);
    const admin = await token(uid('site'), [ROLES.siteAdmin]);
    const agentId = uid('agent');
    const chatAppId = uid('app');
    expect(
      (await api.call('PUT', `/admin/agents/${agentId}`, { token: admin, body: { agent: AGENT_KINDS.harness!('slow'), pricing: TEST_PRICING } })).status,
    ).toBe(200);
    expect((await api.call('PUT', `/admin/chat-apps/${chatAppId}`, { token: admin, body: { title: 'outage', enabled: true, agentId } })).status).toBe(200);
    const t = await token(uid('u'));
    const sessionId = (await api.call('POST', '/sessions', { token: t, body: { chatAppId, title: 'fixed' } })).body.sessionId as string;

    const res = await fetch(`${stack.api!.url}/converse`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, message: 'during the outage' }),
    });
    const events: SseEvent[] = [];
    for await (const e of readServerSentEvents(res.body!)) {
      events.push(e as SseEvent);
      // The question is stored; the answer is streaming: now the table refuses every write for 4 s.
      if (e.event === 'chunk' && events.filter((x) => x.event === 'chunk').length === 1) stack.front!.refuseWrites(4000);
    }
    const done = events.at(-1)!;
    expect(done).toMatchObject({ event: 'done', data: { deferred: true, messageId: expect.any(String) } });
    expect(stack.front!.stats().refusedWrites).toBeGreaterThan(0);
    const messages = async () => (await api.call('GET', `/sessions/${sessionId}/messages`, { token: t })).body.items as any[];
    // Reads go on during the outage: only the question is there.
    expect((await messages()).map((m) => m.role)).toEqual(['user']);

    // The table is back: the queue's retries store the answer, under the id `done` gave.
    const stored = await vi.waitFor(
      async () => {
        const items = await messages();
        if (items.length < 2) throw new Error('not stored yet');
        return items;
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(stored[1]).toMatchObject({ role: 'assistant', messageId: done.data.messageId, content: textOf(events), status: 'complete', usage: done.data.usage });
    const counters = async () => (await api.call('GET', `/sessions/${sessionId}`, { token: t })).body;
    const session = await counters();
    expect([session.inputTokens, session.outputTokens]).toEqual([done.data.usage.inputTokens, done.data.usage.outputTokens]);
    const usage = async () => (await api.call('GET', `/users/me/usage?chatAppId=${chatAppId}`, { token: t })).body.totals;
    expect(await usage()).toMatchObject({ turns: 1, inputTokens: done.data.usage.inputTokens });

    // A redelivery (SQS is at-least-once) stores nothing twice.
    const [record] = stack.answerQueue!.sent().filter((r) => r.messageId === done.data.messageId);
    expect(await handler({ Records: [sqsRecord(record!)] })).toEqual({ batchItemFailures: [] });
    expect(await messages()).toHaveLength(2);
    expect(await counters()).toMatchObject({ inputTokens: session.inputTokens, outputTokens: session.outputTokens, totalCost: session.totalCost });
    expect(await usage()).toMatchObject({ turns: 1 });

    // The session is free again: the next turn runs and is stored at once.
    const next = await converse(stack.api!.url, t, { sessionId, message: 'after the outage' });
    expect(next.events.at(-1)).toMatchObject({ event: 'done' });
    expect(next.events.at(-1)!.data.deferred).toBeUndefined();
    expect((await messages()).map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });
});
