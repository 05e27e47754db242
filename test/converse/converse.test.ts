import { describe, expect, it } from 'vitest';
import { readServerSentEvents } from 'pika-shared/client';
import { normalizeSessionAttributes } from 'pika-shared/util/bedrock';
import { echoAnswer, inputTokensFor, outputTokensFor, titleFor } from '../../scripts/agent-emulator';
import { DEMO_PRICING, DEMO_TITLE_MODEL } from '../../scripts/local/seed';
import { costOf } from '../../functions/models/pricing';
import { token, uid } from '../api/harness';
import { converse, lastAgentRequest, textOf, useConverse } from './harness';

const { api, emulator } = useConverse();

/** The session's counters after a turn that titled it: the answer's usage plus the emulated title model's for `prompt`. */
function titledUsage(answer: { inputTokens: number; outputTokens: number; totalCost: number }, prompt: string) {
  const title = costOf({ inputTokens: inputTokensFor(prompt), outputTokens: outputTokensFor(titleFor(prompt)) }, DEMO_TITLE_MODEL.pricing);
  return {
    inputTokens: answer.inputTokens + title.inputTokens,
    outputTokens: answer.outputTokens + title.outputTokens,
    totalCost: Math.round((answer.totalCost + title.totalCost) * 1e6) / 1e6,
  };
}

describe('converse', () => {
  it('streams a new session id first, then the answer in several chunks, then done; stores both sides with usage', async () => {
    const user = uid();
    const t = await token(user);
    const message = 'Where is my order 42?';
    const r = await converse(api.url, t, { chatAppId: 'demo', message });
    expect(r.status).toBe(200);
    expect(r.events[0]!.event).toBe('session');
    const { sessionId, userMessageId } = r.events[0]!.data;
    const chunks = r.events.filter((e) => e.event === 'chunk');
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(textOf(r.events)).toBe(echoAnswer(message));
    const done = r.events.at(-1)!;
    expect(done.event).toBe('done');
    const usage = costOf({ inputTokens: inputTokensFor(message), outputTokens: outputTokensFor(echoAnswer(message)) }, DEMO_PRICING);
    expect(done.data).toMatchObject({ sessionId, userMessageId, usage });
    // That the chunks reach the client as they are produced, not in one buffered body: the next test.

    const msgs = await api.call('GET', `/sessions/${sessionId}/messages`, { token: t });
    expect(msgs.body.items.map((m: any) => [m.role, m.content, m.status])).toEqual([
      ['user', message, undefined],
      ['assistant', echoAnswer(message), 'complete'],
    ]);
    expect(msgs.body.items[1].usage).toEqual(usage);
    // The new session's title was asked of the title model from the first message while the agent answered,
    // and stored with the answer: it is there once `done` is. The counters hold the answer's usage plus the title's.
    const titleCall = emulator()
      .requests()
      .filter((q) => q.operation === 'Converse' && JSON.stringify(q.body).includes(message));
    expect(titleCall).toHaveLength(1);
    const prompt: string = titleCall[0]!.body.messages[0].content[0].text;
    expect(prompt).toBe(`User: ${message}`);
    const session = (await api.call('GET', `/sessions/${sessionId}`, { token: t })).body;
    expect(session.title).toBe(titleFor(prompt));
    expect(session).toMatchObject(titledUsage(usage, prompt));
  });

  it('a chunk reaches the client while the turn is still open, not in one body when it ends', async () => {
    // The `hang` agent sends one chunk, then nothing until AGENT_TIMEOUT_MS ends the turn; the answer is stored
    // (as failed) only then. A relay that buffered the body would deliver the chunk after the answer is stored.
    process.env.AGENT_TIMEOUT_MS = '10000';
    const controller = new AbortController();
    try {
      const t = await token(uid());
      const res = await fetch(`${api.url}/converse`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
        body: JSON.stringify({ chatAppId: 'demo-faulty', agentId: 'hang', message: 'take your time' }),
        signal: controller.signal,
      });
      const seen: string[] = [];
      let sessionId = '';
      let storedWhenTheChunkArrived: string[] = [];
      for await (const e of readServerSentEvents(res.body!)) {
        seen.push(e.event);
        if (e.event === 'session') sessionId = e.data.sessionId;
        if (e.event === 'chunk') {
          storedWhenTheChunkArrived = (await api.call('GET', `/sessions/${sessionId}/messages`, { token: t })).body.items.map((m: any) => m.role);
          break;
        }
        if (seen.length >= 20) break; // bounded: the turn sends far fewer events before its first chunk
      }
      expect(seen).toEqual(['session', 'chunk']);
      expect(storedWhenTheChunkArrived).toEqual(['user']);
    } finally {
      controller.abort();
      delete process.env.AGENT_TIMEOUT_MS;
    }
  });

  it('sends session attributes that normalizeSessionAttributes turns back into the user\u2019s data', async () => {
    const user = uid();
    const svc = await token(uid('svc'), ['pika:service']);
    const customData = { accountId: 'acct-1', tier: 'premium', limits: { daily: 5 }, beta: true, secret: 'hide-me' };
    await api.call('PUT', `/users/${user}`, { token: svc, body: { customData, userType: 'external-user' } });
    const site = await token(uid(), ['pika:site-admin']);
    const appId = uid('app');
    await api.call('PUT', `/admin/chat-apps/${appId}`, {
      token: site,
      body: { title: 'Attrs', enabled: true, agentId: 'echo-attributes', overrideData: { tier: 'gold' }, privateAttributes: ['secret'] },
    });
    const t = await token(user);
    const r = await converse(api.url, t, {
      chatAppId: appId,
      message: 'hi',
      timezone: 'Europe/Paris',
      features: { anything: { featureId: 'anything', enabled: true } },
    });
    const sent = lastAgentRequest(emulator())!.body.sessionState.sessionAttributes;
    const back = normalizeSessionAttributes(sent);
    const sessionId = r.events[0]!.data.sessionId;
    expect(back).toMatchObject({
      userId: user,
      sessionId,
      chatAppId: appId,
      agentId: 'echo-attributes',
      accountId: 'acct-1',
      tier: 'gold',
      limits: { daily: 5 },
      beta: true,
      timezone: 'Europe/Paris',
      userType: 'external-user',
    });
    expect(back).not.toHaveProperty('secret');
    expect(back).not.toHaveProperty('anything');
    expect(JSON.parse(textOf(r.events))).toEqual(sent);
  });

  it('unknown session ids are 404, never a new session; another user\u2019s session is 404; admins get 403', async () => {
    const t = await token(uid());
    const r = await converse(api.url, t, { sessionId: 'no-such-session', message: 'hi' });
    expect(r.status).toBe(404);
    expect(r.error.error.code).toBe('NOT_FOUND');
    const owner = await token(uid());
    const first = await converse(api.url, owner, { chatAppId: 'demo', message: 'mine' });
    const sessionId = first.events[0]!.data.sessionId;
    expect((await converse(api.url, t, { sessionId, message: 'theirs' })).status).toBe(404);
    expect((await converse(api.url, await token(uid(), ['pika:content-admin']), { sessionId, message: 'x' })).status).toBe(403);
    expect((await api.call('GET', '/sessions', { token: t })).body.items).toEqual([]);
  });

  it('a failure mid-stream keeps what arrived, marks the answer failed, records the usage and ends with error', async () => {
    const user = uid();
    const t = await token(user);
    const r = await converse(api.url, t, { chatAppId: 'demo-faulty', message: 'break please' });
    expect(r.status).toBe(200);
    expect(textOf(r.events)).toBe('Partial answer');
    expect(r.events.at(-1)).toEqual({ event: 'error', data: { code: 'AGENT_ERROR', message: expect.any(String) } });
    const sessionId = r.events[0]!.data.sessionId;
    const msgs = (await api.call('GET', `/sessions/${sessionId}/messages`, { token: t })).body.items;
    expect(msgs[1]).toMatchObject({ role: 'assistant', content: 'Partial answer', status: 'failed', error: { code: 'AGENT_ERROR' } });
    const usage = costOf({ inputTokens: inputTokensFor('break please'), outputTokens: outputTokensFor('Partial answer') }, DEMO_PRICING);
    expect(msgs[1].usage).toEqual(usage);
    // The session's title (asked while the agent answered) is stored with the failed answer, its cost too.
    const session = (await api.call('GET', `/sessions/${sessionId}`, { token: t })).body;
    expect(session.title).toBe(titleFor('User: break please'));
    expect(session).toMatchObject(titledUsage(usage, 'User: break please'));
  });

  it('a retried request with the same idempotency key neither stores nor bills the turn twice', async () => {
    const t = await token(uid());
    const first = await converse(api.url, t, { chatAppId: 'demo', message: 'once only' }, { 'idempotency-key': 'retry-1' });
    const sessionId = first.events[0]!.data.sessionId;
    const agentCalls = () =>
      emulator()
        .requests()
        .filter((r) => r.operation === 'InvokeAgent').length;
    const calls = agentCalls();
    const again = await converse(api.url, t, { chatAppId: 'demo', message: 'once only' }, { 'idempotency-key': 'retry-1' });
    expect(again.events[0]!.data.sessionId, JSON.stringify(again)).toBe(sessionId);
    expect(textOf(again.events)).toBe(echoAnswer('once only'));
    expect(again.events.at(-1)!.data.messageId, JSON.stringify(again.events)).toBe(first.events.at(-1)!.data.messageId);
    expect(agentCalls()).toBe(calls);
    expect((await api.call('GET', `/sessions/${sessionId}/messages`, { token: t })).body.items).toHaveLength(2);
    expect((await api.call('GET', '/sessions', { token: t })).body.items).toHaveLength(1);
  });

  it('component messages are stored but hidden from the history; rules on modes are 400s', async () => {
    const t = await token(uid());
    const first = await converse(api.url, t, { chatAppId: 'demo', message: 'visible' });
    const sessionId = first.events[0]!.data.sessionId;
    const hidden = await converse(api.url, t, {
      sessionId,
      message: 'widget ping',
      invocationMode: 'chat-app-component',
      chatAppComponentConfig: { componentId: 'calc' },
    });
    expect(hidden.events.at(-1)!.event).toBe('done');
    const history = (await api.call('GET', `/sessions/${sessionId}/messages`, { token: t })).body.items;
    expect(history.map((m: any) => m.content)).toEqual(['visible', echoAnswer('visible')]);
    expect((await converse(api.url, t, { sessionId, message: 'x', invocationMode: 'chat-app-component' })).status).toBe(400);
    expect((await converse(api.url, t, { sessionId, message: 'x', source: 'component' })).status).toBe(400);
  });

  it('refuses chat apps the caller may not use and agents the app does not allow', async () => {
    const site = await token(uid(), ['pika:site-admin']);
    const appId = uid('closed');
    await api.call('PUT', `/admin/chat-apps/${appId}`, { token: site, body: { title: 'Staff', enabled: true, agentId: 'echo', access: { roles: ['staff'] } } });
    const t = await token(uid());
    expect((await converse(api.url, t, { chatAppId: appId, message: 'hi' })).status).toBe(403);
    expect((await converse(api.url, t, { chatAppId: 'demo', agentId: 'faulty', message: 'hi' })).status).toBe(403);
    expect((await converse(api.url, t, { chatAppId: 'demo', message: '' })).status).toBe(400);
  });
});

describe('converse rate limit', () => {
  it('answers 429 JSON with retryAfterSeconds once a user passes the per-window limit, other users unaffected', async () => {
    const before = process.env.CONVERSE_RATE_LIMIT;
    process.env.CONVERSE_RATE_LIMIT = '2';
    process.env.CONVERSE_RATE_WINDOW_SECONDS = '3600'; // no window boundary inside the test
    try {
      const t = await token(uid());
      // Refused requests spend nothing (docs/api.md#rate-limits): an unknown session, a refused agent, a bad body.
      for (let i = 0; i < 3; i++) {
        expect((await converse(api.url, t, { sessionId: `nosuch${i}`, message: 'hi' })).status).toBe(404);
        expect((await converse(api.url, t, { chatAppId: 'demo', agentId: 'faulty', message: 'hi' })).status).toBe(403);
      }
      expect((await converse(api.url, t, { chatAppId: 'demo', message: 'one' }, { 'idempotency-key': 'rate-1' })).status).toBe(200);
      // A replay of a completed turn runs nothing, so it spends nothing either.
      expect((await converse(api.url, t, { chatAppId: 'demo', message: 'one' }, { 'idempotency-key': 'rate-1' })).status).toBe(200);
      expect((await converse(api.url, t, { chatAppId: 'demo', message: 'two' })).status).toBe(200);
      const third = await converse(api.url, t, { chatAppId: 'demo', message: 'three' });
      expect(third.status).toBe(429);
      expect(third.error.error).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });
      expect((await converse(api.url, await token(uid()), { chatAppId: 'demo', message: 'other user' })).status).toBe(200);
    } finally {
      delete process.env.CONVERSE_RATE_WINDOW_SECONDS;
      if (before === undefined) delete process.env.CONVERSE_RATE_LIMIT;
      else process.env.CONVERSE_RATE_LIMIT = before;
    }
  });
});

describe('inline agents', () => {
  it('an agent configured as an inline definition is called with InvokeInlineAgent and its session attributes', async () => {
    const site = await token(uid(), ['pika:site-admin']);
    const agentId = uid('inline');
    const chatAppId = uid('app');
    const instruction = 'You are a helpful assistant for order questions. Answer briefly.';
    await api.call('PUT', `/admin/agents/${agentId}`, {
      token: site,
      body: {
        agent: { kind: 'inline', foundationModel: 'anthropic.claude-3-haiku-20240307-v1:0', instruction },
        pricing: { inputPer1kTokens: 0.001, outputPer1kTokens: 0.002 },
      },
    });
    await api.call('PUT', `/admin/chat-apps/${chatAppId}`, { token: site, body: { title: 'Inline', enabled: true, agentId } });
    const user = uid();
    const r = await converse(api.url, await token(user), { chatAppId, message: 'inline question' });
    expect(textOf(r.events)).toBe(echoAnswer('inline question'));
    const sent = lastAgentRequest(emulator())!;
    expect(sent.operation).toBe('InvokeInlineAgent');
    expect(sent.body).toMatchObject({
      foundationModel: 'anthropic.claude-3-haiku-20240307-v1:0',
      instruction,
      enableTrace: true,
      streamingConfigurations: { streamFinalResponse: true },
    });
    expect(normalizeSessionAttributes(sent.body.inlineSessionState.sessionAttributes)).toMatchObject({ userId: user, chatAppId, agentId });
  });
});
