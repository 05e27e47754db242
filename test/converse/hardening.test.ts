/**
 * Converse under hostile and unlucky input (issue 11, items 2, 9, 14–16): each case failed before its fix.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { normalizeSessionAttributes } from 'pika-shared/util/bedrock';
import { readServerSentEvents } from 'pika-shared/client';
import { fallbackTitle } from '../../functions/converse/title';
import { costOf } from '../../functions/models/pricing';
import { titleFor } from '../../scripts/agent-emulator';
import { expectErrorShape, ROLES, token, uid } from '../api/harness';
import { converse, lastAgentRequest, useConverse } from './harness';

const { api, emulator } = useConverse();
const site = () => token(uid('site'), [ROLES.siteAdmin]);
const PRICING = { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 };

const ENV = ['CONVERSE_RATE_LIMIT', 'CONVERSE_RATE_WINDOW_SECONDS', 'HEARTBEAT_MS', 'AGENT_TIMEOUT_MS', 'CONVERSE_TIMEOUT_SECONDS'];
afterEach(() => {
  for (const name of ENV) delete process.env[name];
});

/** A chat app of its own on an agent of its own (echo unless said otherwise), open to everyone. */
async function appWith(agent: { bedrockAgentId?: string; titleModel?: string } = {}) {
  const admin = await site();
  const agentId = uid('agent');
  const chatAppId = uid('app');
  const pricing = PRICING;
  const put = await api.call('PUT', `/admin/agents/${agentId}`, {
    token: admin,
    body: {
      agent: { kind: 'bedrock-agent', bedrockAgentId: agent.bedrockAgentId ?? 'echo', bedrockAgentAliasId: 'TSTALIASID' },
      pricing,
      titleModel: { modelId: agent.titleModel ?? 'title-model', pricing },
    },
  });
  expect(put.status).toBe(200);
  expect((await api.call('PUT', `/admin/chat-apps/${chatAppId}`, { token: admin, body: { title: 'Hardening', enabled: true, agentId } })).status).toBe(200);
  return chatAppId;
}

/** The session once it has a title (titles may be stored after the stream has ended). */
const titledSession = (sessionId: string, t: string, timeout: number) =>
  vi.waitFor(
    async () => {
      const s = (await api.call('GET', `/sessions/${sessionId}`, { token: t })).body;
      if (!s.title) throw new Error('no title yet');
      return s;
    },
    { timeout, interval: 25 },
  );

const titleCalls = (sessionIdOrText: string) =>
  emulator()
    .requests()
    .filter((r) => r.operation === 'Converse' && JSON.stringify(r.body).includes(sessionIdOrText));

describe('idempotency keys', () => {
  it('a turn that ends without storing its answer (its session deleted meanwhile) frees its key at once', async () => {
    process.env.AGENT_TIMEOUT_MS = '1500'; // the hanging agent's turn ends (failed) after 1.5 s
    const t = await token(uid());
    const chatAppId = await appWith({ bedrockAgentId: 'hang' });
    const key = uid('key');
    const body = { chatAppId, message: 'never answered' };
    const res = await fetch(`${api.url}/converse`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
    });
    const events: { event: string; data: any }[] = [];
    for await (const e of readServerSentEvents(res.body!)) {
      events.push(e as { event: string; data: any });
      if (e.event === 'chunk' && events.filter((x) => x.event === 'chunk').length === 1)
        expect((await api.call('DELETE', `/sessions/${events[0]!.data.sessionId}`, { token: t })).status).toBe(202);
    }
    expect(events.at(-1)?.event).toBe('error');
    // The same request again: a new turn (a new session), not 409 "still running" until the lease ends.
    const again = await converse(api.url, t, body, { 'idempotency-key': key });
    expect(again.status).toBe(200);
    expect(again.events[0]!.data.sessionId).not.toBe(events[0]!.data.sessionId);
  });

  it('an invalid Idempotency-Key is a 400 that spends no rate-limit slot', async () => {
    // A day-long window: a fixed window that rolled over mid-test would reset the count.
    Object.assign(process.env, { CONVERSE_RATE_LIMIT: '1', CONVERSE_RATE_WINDOW_SECONDS: '86400' });
    const t = await token(uid());
    for (const key of ['x'.repeat(129), 'has space', 'a#b']) {
      const r = await converse(api.url, t, { chatAppId: 'demo', message: 'hi' }, { 'idempotency-key': key });
      expect(r.status).toBe(400);
      expect(r.error.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'header.idempotency-key' }] });
    }
    const ok = await converse(api.url, t, { chatAppId: 'demo', message: 'hi' });
    expect(ok.status, JSON.stringify(ok.error)).toBe(200);
    const limited = await fetch(`${api.url}/converse`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
      body: JSON.stringify({ chatAppId: 'demo', message: 'again' }),
    });
    expect(limited.status, await limited.clone().text()).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('a key reused with another request is a 422, never a replay of the other answer', async () => {
    const t = await token(uid());
    const key = uid('key');
    const first = await converse(api.url, t, { chatAppId: 'demo', message: 'first question' }, { 'idempotency-key': key });
    expect(first.events.at(-1)!.event).toBe('done');
    const agentCalls = () =>
      emulator()
        .requests()
        .filter((r) => r.operation !== 'Converse').length; // titles run after a turn
    const calls = agentCalls();
    const other = await converse(api.url, t, { chatAppId: 'demo', message: 'another question' }, { 'idempotency-key': key });
    expect(other.status).toBe(422);
    expect(other.error.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The same request again is still the replay, and nothing reached the agent.
    const again = await converse(api.url, t, { chatAppId: 'demo', message: 'first question' }, { 'idempotency-key': key });
    expect(again.events.at(-1)).toMatchObject({ event: 'done', data: { replayed: true, messageId: first.events.at(-1)!.data.messageId } });
    expect(agentCalls()).toBe(calls);

    // clientMessageId in a session: the same rule.
    const sessionId = first.events[0]!.data.sessionId;
    const a = await converse(api.url, t, { sessionId, message: 'one', clientMessageId: 'cm-1' });
    expect(a.events.at(-1)!.event).toBe('done');
    const b = await converse(api.url, t, { sessionId, message: 'two', clientMessageId: 'cm-1' });
    expect(b.status).toBe(422);
  });
});

describe('titles', () => {
  it('an empty title at creation is a 400, not a session that is never titled', async () => {
    const t = await token(uid());
    expectErrorShape(await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo', title: '' } }), 400, 'VALIDATION_FAILED');
  });

  it('first turns of an untitled session, each starting as the last ends (its title step still running), call and bill the title model once', async () => {
    const t = await token(uid());
    const chatAppId = await appWith();
    const created = await api.call('POST', '/sessions', { token: t, body: { chatAppId } });
    const sessionId = created.body.sessionId as string;
    const marker = uid('q');
    // One turn at a time per session: each starts once the previous answer is stored, while its title is asked for.
    const turns = [];
    for (let i = 0; i < 5; i++) turns.push(await converse(api.url, t, { sessionId, message: `${marker} question ${i}` }));
    expect(turns.every((r) => r.events.at(-1)!.event === 'done')).toBe(true);
    const session = await titledSession(sessionId, t, 5000);
    // Let any straggling title call finish before counting.
    await new Promise((r) => setTimeout(r, 200));
    expect(titleCalls(marker)).toHaveLength(1);
    const messages = (await api.call('GET', `/sessions/${sessionId}/messages?limit=100`, { token: t })).body.items as { usage?: { totalCost: number } }[];
    const answersCost = messages.reduce((sum, m) => sum + (m.usage?.totalCost ?? 0), 0);
    const final = (await api.call('GET', `/sessions/${sessionId}`, { token: t })).body;
    expect(final.title).toBe(session.title);
    // Billed once: the session's cost is its answers' plus exactly the one title call's (the emulator's usage).
    const texts: string[] = titleCalls(marker)[0]!.body.messages.flatMap((m: any) => m.content.map((c: any) => c.text));
    const joined = texts.join(' ');
    const titleUsage = costOf({ inputTokens: 10 + Math.ceil(joined.length / 4), outputTokens: Math.ceil(titleFor(joined).length / 4) }, PRICING);
    expect(final.title).toBe(titleFor(joined));
    expect(final.totalCost - answersCost).toBeCloseTo(titleUsage.totalCost, 10);
    // …and attributed: the session says what its title cost.
    expect(final.titleUsage).toEqual(titleUsage);
  });

  it("a new session's tokens are all attributable: its counters are its messages' usage plus its titleUsage", async () => {
    const t = await token(uid());
    const chatAppId = await appWith();
    const r = await converse(api.url, t, { chatAppId, message: `Attributable ${uid()}` });
    expect(r.events.at(-1)!.event).toBe('done');
    const sessionId = r.events[0]!.data.sessionId as string;
    const s = await titledSession(sessionId, t, 5000);
    expect(s.titleUsage).toMatchObject({ inputTokens: expect.any(Number), outputTokens: expect.any(Number), totalCost: expect.any(Number) });
    const messages = (await api.call('GET', `/sessions/${sessionId}/messages`, { token: t })).body.items as {
      usage?: { inputTokens: number; outputTokens: number; totalCost: number };
    }[];
    const sum = (k: 'inputTokens' | 'outputTokens' | 'totalCost') => messages.reduce((acc, m) => acc + (m.usage?.[k] ?? 0), 0) + s.titleUsage[k];
    expect([s.inputTokens, s.outputTokens]).toEqual([sum('inputTokens'), sum('outputTokens')]);
    expect(s.totalCost).toBeCloseTo(sum('totalCost'), 10);
  });

  it('a title not ready when a failed answer is stored comes after it, debited all the same', async () => {
    const t = await token(uid());
    const chatAppId = await appWith({ bedrockAgentId: 'faulty', titleModel: 'slow-title' });
    const message = `Slow title ${uid()}`;
    const r = await converse(api.url, t, { chatAppId, message });
    expect(r.events.at(-1)!.event).toBe('error');
    const sessionId = r.events[0]!.data.sessionId as string;
    // The answer was stored without the title: the title model was still working.
    expect((await api.call('GET', `/sessions/${sessionId}`, { token: t })).body.title).toBeUndefined();
    const s = await titledSession(sessionId, t, 8000);
    const prompt = `User: ${message}`;
    expect(s.title).toBe(titleFor(prompt));
    const messages = (await api.call('GET', `/sessions/${sessionId}/messages`, { token: t })).body.items as { usage?: { totalCost: number } }[];
    const answerCost = messages.reduce((sum, m) => sum + (m.usage?.totalCost ?? 0), 0);
    const titleCost = costOf({ inputTokens: 10 + Math.ceil(prompt.length / 4), outputTokens: Math.ceil(titleFor(prompt).length / 4) }, PRICING).totalCost;
    expect(s.totalCost).toBeCloseTo(answerCost + titleCost, 10);
    expect(s.titleUsage.totalCost).toBeCloseTo(titleCost, 10);
  });

  it('a title model that hangs is cut at the invocation deadline and the first message becomes the title', async () => {
    process.env.CONVERSE_TIMEOUT_SECONDS = '6';
    const t = await token(uid());
    const chatAppId = await appWith({ titleModel: 'hang-title' });
    const message = `Deadline ${uid()}`;
    const started = Date.now();
    const r = await converse(api.url, t, { chatAppId, message });
    expect(r.events.at(-1)!.event).toBe('done');
    const sessionId = r.events[0]!.data.sessionId as string;
    const s = await titledSession(sessionId, t, 8000);
    expect(s.title).toBe(fallbackTitle(message));
    expect(Date.now() - started).toBeLessThan(6000);
  });
});

describe('session attributes', () => {
  it('userType is the caller\u2019s effective one (token, else stored user); customData never supplies it', async () => {
    const svc = await token(uid('svc'), [ROLES.service]);
    const chatAppId = await appWith({ bedrockAgentId: 'echo-attributes' });
    const cases: [string, Record<string, unknown>, 'internal-user' | 'external-user' | undefined, string | undefined][] = [
      // [name, stored user, token userType, expected]
      ['token wins', { userType: 'external-user', customData: { userType: 'hacker' } }, 'internal-user', 'internal-user'],
      ['stored user next', { userType: 'external-user', customData: { userType: 'hacker' } }, undefined, 'external-user'],
      ['customData never', { customData: { userType: 'hacker', timezone: 'Mars/Base', currentDate: '1999-01-01' } }, undefined, undefined],
    ];
    for (const [name, stored, tokenType, expected] of cases) {
      const user = uid();
      expect((await api.call('PUT', `/users/${user}`, { token: svc, body: stored })).status).toBe(200);
      const t = await token(user, [], tokenType ? { userType: tokenType } : {});
      const r = await converse(api.url, t, { chatAppId, message: 'who am i' });
      expect(r.events.at(-1)!.event, name).toBe('done');
      const attrs = normalizeSessionAttributes(lastAgentRequest(emulator())!.body.sessionState.sessionAttributes) as Record<string, unknown>;
      expect(attrs.userType, name).toBe(expected);
      expect(attrs.timezone, name).not.toBe('Mars/Base');
      expect(attrs.currentDate, name).not.toBe('1999-01-01');
    }
  });
});

describe('heartbeat', () => {
  it('a silent agent gets SSE comments while it thinks, which SSE parsers ignore', async () => {
    Object.assign(process.env, { HEARTBEAT_MS: '40', AGENT_TIMEOUT_MS: '400' });
    const t = await token(uid());
    const res = await fetch(`${api.url}/converse`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
      body: JSON.stringify({ chatAppId: 'demo-faulty', agentId: 'hang', message: 'think hard' }),
    });
    const raw = await res.text();
    const pings = raw.split('\n\n').filter((block) => block === ': ping');
    expect(pings.length).toBeGreaterThanOrEqual(3);
    // Between the last chunk and the error (the agent's silence), never after the end.
    expect(raw.indexOf(': ping')).toBeGreaterThan(raw.indexOf('event: chunk'));
    expect(raw.trimEnd().endsWith(': ping')).toBe(false);
    expect(raw).toMatch(/event: error\ndata: \{"code":"DEPENDENCY_TIMEOUT"/);
  });
});
