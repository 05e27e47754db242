/**
 * One stream contract for every agent kind (issue 10): Agents Classic (InvokeAgent, InvokeInlineAgent) and
 * AgentCore (harness, runtime), over HTTP through the local server, the real SDK clients and the emulator.
 */
import type { AgentConfig } from 'pika-shared/types/chatbot/chatbot-types';
import { normalizeSessionAttributes } from 'pika-shared/util/bedrock';
import { readServerSentEvents } from 'pika-shared/client';
import { afterEach, describe, expect, it } from 'vitest';
import { costOf } from '../../functions/models/pricing';
import { echoAnswer, inputTokensFor, outputTokensFor } from '../../scripts/agent-emulator';
import { ROLES, token, uid } from '../api/harness';
import { converse, textOf, useConverse, AGENT_KINDS, KIND_OPERATION, TEST_PRICING } from './harness';

const { api, emulator } = useConverse();
const PRICING = TEST_PRICING;

afterEach(() => {
  delete process.env.HEARTBEAT_MS;
  emulator().configure({ silentMs: 20_000 });
});

/** A chat app on an agent of `kind` played by the emulator's `name` agent. */
async function appFor(kind: string, name: string, extra: Partial<AgentConfig> = {}) {
  const admin = await token(uid('site'), [ROLES.siteAdmin]);
  const agentId = uid(`${kind}-${name}`);
  const chatAppId = uid('app');
  const put = await api.call('PUT', `/admin/agents/${agentId}`, { token: admin, body: { agent: AGENT_KINDS[kind]!(name), pricing: PRICING, ...extra } });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  expect((await api.call('PUT', `/admin/chat-apps/${chatAppId}`, { token: admin, body: { title: kind, enabled: true, agentId } })).status).toBe(200);
  return chatAppId;
}

const agentRequests = (kind: string) =>
  emulator()
    .requests()
    .filter((r) => r.operation === KIND_OPERATION[kind]);
const messagesOf = async (t: string, sessionId: string) =>
  (await api.call('GET', `/sessions/${sessionId}/messages?limit=100`, { token: t })).body.items as any[];

describe.each(Object.keys(AGENT_KINDS))('%s agents', (kind) => {
  it('stream their chunks before the end; the turn and its usage are stored and counted on the session', async () => {
    const t = await token(uid());
    const chatAppId = await appFor(kind, 'echo');
    const message = `Hello ${kind} \u00e9\u00e8 \u{1F600}`;
    const r = await converse(api.url, t, { chatAppId, message });
    expect(r.events.at(-1)!.event, JSON.stringify(r.events.at(-1))).toBe('done');
    expect(r.events.filter((e) => e.event === 'chunk').length).toBeGreaterThanOrEqual(3);
    expect(textOf(r.events)).toBe(echoAnswer(message));
    const usage = costOf({ inputTokens: inputTokensFor(message), outputTokens: outputTokensFor(echoAnswer(message)) }, PRICING);
    expect(r.events.at(-1)!.data.usage).toEqual(usage);
    const sessionId = r.events[0]!.data.sessionId;
    const stored = await messagesOf(t, sessionId);
    expect(stored.map((m) => [m.role, m.content, m.status])).toEqual([
      ['user', message, undefined],
      ['assistant', echoAnswer(message), 'complete'],
    ]);
    expect(stored[1].usage).toEqual(usage);
    const session = (await api.call('GET', `/sessions/${sessionId}`, { token: t })).body;
    expect(session.inputTokens).toBeGreaterThanOrEqual(usage.inputTokens); // the title's usage may join it
  });

  it('get the session context (private attributes removed)', async () => {
    const svc = await token(uid('svc'), [ROLES.service]);
    const user = uid();
    await api.call('PUT', `/users/${user}`, {
      token: svc,
      body: { customData: { accountId: 'acct-9', tier: 'gold', nested: { a: [1, 2] }, secret: 'hide-me' } },
    });
    const chatAppId = await appFor(kind, 'echo-attributes');
    const admin = await token(uid('site'), [ROLES.siteAdmin]);
    const app = (await api.call('GET', `/admin/chat-apps/${chatAppId}`, { token: admin })).body;
    const { chatAppId: _id, createDate: _c, lastUpdate: _l, ...config } = app;
    await api.call('PUT', `/admin/chat-apps/${chatAppId}`, { token: admin, body: { ...config, privateAttributes: ['secret'] } });
    const r = await converse(api.url, await token(user, [], { userType: 'external-user' }), { chatAppId, message: 'who am I?', timezone: 'Europe/Paris' });
    expect(r.events.at(-1)!.event).toBe('done');
    // Classic agents get session attributes; AgentCore agents answer with the context they decoded.
    const received =
      kind === 'classic' || kind === 'inline'
        ? normalizeSessionAttributes((agentRequests(kind).at(-1)!.body.sessionState ?? agentRequests(kind).at(-1)!.body.inlineSessionState).sessionAttributes)
        : JSON.parse(textOf(r.events));
    expect(received).toMatchObject({
      userId: user,
      chatAppId,
      accountId: 'acct-9',
      tier: 'gold',
      nested: { a: [1, 2] },
      userType: 'external-user',
      timezone: 'Europe/Paris',
    });
    expect(received).not.toHaveProperty('secret');
  });

  it('a failure mid-stream is stored as failed with what arrived', async () => {
    const t = await token(uid());
    const r = await converse(api.url, t, { chatAppId: await appFor(kind, 'faulty'), message: 'break' });
    expect(textOf(r.events)).toBe('Partial answer');
    expect(r.events.at(-1)!.event).toBe('error');
    const stored = await messagesOf(t, r.events[0]!.data.sessionId);
    expect(stored[1]).toMatchObject({ role: 'assistant', content: 'Partial answer', status: 'failed', error: { code: r.events.at(-1)!.data.code } });
  });

  it('an idempotent retry replays the stored answer without calling the agent again', async () => {
    const t = await token(uid());
    const chatAppId = await appFor(kind, 'echo');
    const key = uid('idem');
    const first = await converse(api.url, t, { chatAppId, message: 'once' }, { 'idempotency-key': key });
    const calls = agentRequests(kind).length;
    const again = await converse(api.url, t, { chatAppId, message: 'once' }, { 'idempotency-key': key });
    expect(textOf(again.events)).toBe(textOf(first.events));
    expect(again.events.at(-1)!.data).toMatchObject({ replayed: true, messageId: first.events.at(-1)!.data.messageId });
    expect(agentRequests(kind).length).toBe(calls);
  });

  it('a session resumed after its provider session expired gets an agent that knows the earlier turns', async () => {
    const t = await token(uid());
    // 0: the provider keeps no session as far as the backend knows, so the history goes with every turn.
    const chatAppId = await appFor(kind, 'recall', { providerSessionIdleSeconds: 0 });
    const first = await converse(api.url, t, { chatAppId, message: `remember the word ${kind}-tangerine` });
    const sessionId = first.events[0]!.data.sessionId;
    emulator().expireSessions();
    const second = await converse(api.url, t, { sessionId, message: 'what did I say?' });
    const answer = textOf(second.events);
    expect(answer).toContain(`user: remember the word ${kind}-tangerine`);
    expect(answer).toMatch(/history: [1-9]/);
  });

  it('a live provider session is not sent the history again', async () => {
    const t = await token(uid());
    const chatAppId = await appFor(kind, 'recall');
    const first = await converse(api.url, t, { chatAppId, message: 'first words' });
    const second = await converse(api.url, t, { sessionId: first.events[0]!.data.sessionId, message: 'and then?' });
    // The provider remembers the first turn itself (an inline agent is keyed by its session id too).
    expect(textOf(second.events)).toMatch(/history: 0, session: 2/);
  });

  it('stream the first chunk while the answer is still open; cancel stops it: stored as cancelled, done with cancelled', async () => {
    const t = await token(uid());
    const res = await fetch(`${api.url}/converse`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
      body: JSON.stringify({ chatAppId: await appFor(kind, 'hang'), message: 'take your time' }),
    });
    const events: { event: string; data: any }[] = [];
    const stream = readServerSentEvents(res.body!);
    // The `hang` agent sends one chunk, then nothing: the chunk can only be here because it was relayed
    // before the answer ended (the answer ends only once we stop it). Read event by event (no break, which
    // would close the stream).
    for (let next = await stream.next(); !next.done; next = next.value.event === 'chunk' ? { done: true, value: undefined } : await stream.next())
      events.push(next.value);
    expect(events.map((e) => e.event)).toEqual(['session', 'chunk']);
    const sessionId = events[0]!.data.sessionId as string;
    const stop = await api.call('POST', `/sessions/${sessionId}/cancel`, { token: t });
    expect(stop.status).toBe(202);
    expect(stop.body).toEqual({ cancelRequested: true });
    for (let next = await stream.next(); !next.done; next = await stream.next()) events.push(next.value);
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { cancelled: true } });
    const stored = await messagesOf(t, sessionId);
    expect(stored[1]).toMatchObject({ role: 'assistant', status: 'cancelled', content: textOf(events) });
    if (kind === 'runtime')
      expect(
        emulator()
          .requests()
          .some((q) => q.operation === 'StopRuntimeSession'),
      ).toBe(true);
    // Nothing runs any more.
    expect((await api.call('POST', `/sessions/${sessionId}/cancel`, { token: t })).status).toBe(409);
  }, 20_000);

  it('a silent agent gets heartbeats until it speaks', async () => {
    process.env.HEARTBEAT_MS = '40';
    emulator().configure({ silentMs: 400 });
    const res = await fetch(`${api.url}/converse`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(uid())}`, 'content-type': 'application/json' },
      body: JSON.stringify({ chatAppId: await appFor(kind, 'silent'), message: 'ping me' }),
    });
    const raw = await res.text();
    const beforeFirstChunk = raw.slice(0, raw.indexOf('event: chunk'));
    expect(beforeFirstChunk.split('\n\n').filter((b) => b === ': ping').length).toBeGreaterThanOrEqual(3);
    expect(raw).toContain('event: done');
  });
});

describe('cancel', () => {
  it('is the owner\u2019s alone: another user gets 404, and nothing running is a 409', async () => {
    const t = await token(uid());
    const created = (await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo' } })).body;
    expect((await api.call('POST', `/sessions/${created.sessionId}/cancel`, { token: await token(uid()) })).status).toBe(404);
    const idle = await api.call('POST', `/sessions/${created.sessionId}/cancel`, { token: t });
    expect(idle.status).toBe(409);
    expect(idle.body.error.code).toBe('CONFLICT');
  });
});
