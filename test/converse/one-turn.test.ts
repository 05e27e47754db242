/**
 * One turn at a time per session (docs/converse.md#one-turn-at-a-time): a turn that arrives while another
 * runs in the same session is refused with 409 TURN_IN_PROGRESS and Retry-After before anything is stored;
 * nothing interleaves; cancel stops the running turn by its id; a turn whose invocation died frees the
 * session when its lease ends, with no counter that could drift.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { readServerSentEvents } from 'pika-shared/client';
import { ddb, tableName } from '../../functions/data/client';
import { newId } from '../../functions/data/items';
import { keys } from '../../functions/data/keys';
import { storeUserMessage } from '../../functions/data/turn-writes';
import { ROLES, token, uid } from '../api/harness';
import { newSession } from '../data/helpers';
import { AGENT_KINDS, converse, TEST_PRICING, useConverse } from './harness';

const { api } = useConverse();
afterEach(() => {
  delete process.env.CONVERSE_RATE_LIMIT;
});

async function appOn(agentName: string) {
  const admin = await token(uid('site'), [ROLES.siteAdmin]);
  const agentId = uid(`one-turn-${agentName}`);
  const chatAppId = uid('app');
  expect(
    (await api.call('PUT', `/admin/agents/${agentId}`, { token: admin, body: { agent: AGENT_KINDS.harness!(agentName), pricing: TEST_PRICING } })).status,
  ).toBe(200);
  expect((await api.call('PUT', `/admin/chat-apps/${chatAppId}`, { token: admin, body: { title: 'one turn', enabled: true, agentId } })).status).toBe(200);
  return chatAppId;
}

const messagesOf = async (t: string, sessionId: string) =>
  (await api.call('GET', `/sessions/${sessionId}/messages?limit=100`, { token: t })).body.items as Array<{ role: string; content: string; status?: string }>;

/** A turn on the `hang` agent, read until its first chunk: it runs until stopped. */
async function hangingTurn(t: string, body: unknown) {
  const res = await fetch(`${api.url}/converse`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const stream = readServerSentEvents(res.body!);
  const events: Array<{ event: string; data: any }> = [];
  for (let next = await stream.next(); !next.done; next = next.value.event === 'chunk' ? { done: true, value: undefined } : await stream.next())
    events.push(next.value as { event: string; data: any });
  return {
    events,
    async rest() {
      for (let next = await stream.next(); !next.done; next = await stream.next()) events.push(next.value as { event: string; data: any });
      return events;
    },
  };
}

describe('one turn at a time per session', () => {
  it('30 turns at once on one session: each runs or is refused 409 TURN_IN_PROGRESS with Retry-After; nothing interleaves', async () => {
    process.env.CONVERSE_RATE_LIMIT = '0'; // 31 turns of one user in a second: the rate limit is not what is tested
    const t = await token(uid('u'));
    const chatAppId = await appOn('echo');
    const first = await converse(api.url, t, { chatAppId, message: 'opening' });
    const sessionId = first.events[0]!.data.sessionId as string;
    const results = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const res = await fetch(`${api.url}/converse`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
          body: JSON.stringify({ sessionId, message: `question ${i}` }),
        });
        if (res.status !== 200)
          return {
            status: res.status,
            retryAfter: res.headers.get('retry-after'),
            body: (await res.json()) as { error: { code: string } },
            events: [] as string[],
          };
        const events: string[] = [];
        for await (const e of readServerSentEvents(res.body!)) events.push(e.event);
        return { status: 200, retryAfter: null, body: { error: { code: '' } }, events };
      }),
    );
    const ran = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    expect(ran.length).toBeGreaterThanOrEqual(1);
    for (const r of ran) expect(r.events.at(-1)).toBe('done');
    for (const r of refused) {
      expect([r.status, r.body.error.code]).toEqual([409, 'TURN_IN_PROGRESS']);
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // Question, its answer, question, its answer…: every answer right after its own question.
    const messages = await messagesOf(t, sessionId);
    expect(messages).toHaveLength(2 * (1 + ran.length));
    for (let i = 0; i < messages.length; i += 2) {
      expect(messages[i]!.role).toBe('user');
      expect(messages[i + 1]).toMatchObject({ role: 'assistant', status: 'complete', content: `You said: ${messages[i]!.content}` });
    }
    // The session is free again.
    expect((await converse(api.url, t, { sessionId, message: 'after the crowd' })).events.at(-1)?.event).toBe('done');
  });

  it('a running turn holds its session: others are refused and store nothing; cancel stops it by its id; the next turn runs', async () => {
    const t = await token(uid('u'));
    const chatAppId = await appOn('hang');
    const opening = await hangingTurn(t, { chatAppId, message: 'take your time' });
    const sessionId = opening.events[0]!.data.sessionId as string;
    const refused = await Promise.all(Array.from({ length: 5 }, (_, i) => converse(api.url, t, { sessionId, message: `meanwhile ${i}` })));
    for (const r of refused) expect([r.status, r.error.error.code]).toEqual([409, 'TURN_IN_PROGRESS']);
    expect((await messagesOf(t, sessionId)).map((m) => m.content)).toEqual(['take your time']);

    expect((await api.call('POST', `/sessions/${sessionId}/cancel`, { token: t })).status).toBe(202);
    expect((await opening.rest()).at(-1)).toMatchObject({ event: 'done', data: { cancelled: true } });
    // Nothing runs now: a cancel has nothing to stop, and it cannot stop the next turn ahead of time.
    expect((await api.call('POST', `/sessions/${sessionId}/cancel`, { token: t })).status).toBe(409);
    const next = await hangingTurn(t, { sessionId, message: 'again' });
    expect(next.events.map((e) => e.event)).toEqual(['session', 'chunk']);
    expect((await api.call('POST', `/sessions/${sessionId}/cancel`, { token: t })).status).toBe(202);
    expect((await next.rest()).at(-1)).toMatchObject({ event: 'done', data: { cancelled: true } });
    expect((await messagesOf(t, sessionId)).map((m) => [m.role, m.status ?? null])).toEqual([
      ['user', null],
      ['assistant', 'cancelled'],
      ['user', null],
      ['assistant', 'cancelled'],
    ]);
  });

  it('a turn whose invocation died holds the session only until its lease ends; no counter is left behind', async () => {
    const s = await newSession();
    const s2 = await newSession();
    const question = (session: typeof s, turnId: string, leaseUntilIso: string) =>
      storeUserMessage({
        userId: session.userId,
        chatAppId: session.chatAppId,
        session: { sessionId: session.sessionId },
        message: { content: turnId },
        turnId,
        leaseUntilIso,
      });
    const inAMinute = () => new Date(Date.now() + 60_000).toISOString();
    // A turn that died mid-answer: its lease (its invocation's deadline) still runs.
    await question(s, newId(), inAMinute());
    await expect(question(s, newId(), inAMinute())).rejects.toMatchObject({
      code: 'TURN_IN_PROGRESS',
      details: { retryAfterSeconds: expect.any(Number) },
    });
    // Another dead turn whose lease has run out: the next turn takes the session.
    await question(s2, newId(), new Date(Date.now() - 1).toISOString());
    const next = newId();
    await question(s2, next, inAMinute());
    const item = (await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.session(s2.sessionId), ConsistentRead: true }))).Item!;
    expect(item.turnId).toBe(next);
    expect(item).not.toHaveProperty('runningTurns');
  });
});
