/**
 * Fault injection: the agent failing before and during the answer, hanging past the timeout, a client that
 * goes away mid-stream, and DynamoDB unreachable. Always a clear code, never a 500, never a half-written turn.
 */
import { readServerSentEvents } from 'pika-shared/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearConfigCache } from '../../functions/data/config';
import { ROLES, token, uid } from '../api/harness';
import { converse, textOf, useConverse } from '../converse/harness';
import { restoreEnv } from '../support/env';

const { api } = useConverse();
const site = () => token(uid('site'), [ROLES.siteAdmin]);

async function chatAppWithAgent(agent: { kind: 'bedrock-agent'; bedrockAgentId: string; bedrockAgentAliasId: string }) {
  const admin = await site();
  const agentId = uid('agent');
  const chatAppId = uid('app');
  await api.call('PUT', `/admin/agents/${agentId}`, { token: admin, body: { agent, pricing: { inputPer1kTokens: 0.001, outputPer1kTokens: 0.002 } } });
  await api.call('PUT', `/admin/chat-apps/${chatAppId}`, { token: admin, body: { title: 'Faults', enabled: true, agentId } });
  return chatAppId;
}

async function messagesOf(t: string, sessionId: string) {
  return (await api.call('GET', `/sessions/${sessionId}/messages?limit=100`, { token: t })).body.items as any[];
}

afterEach(() => {
  delete process.env.AGENT_TIMEOUT_MS;
});

describe('faults', () => {
  it('an agent that fails before answering: error event, the user message kept, a failed answer with no text', async () => {
    const chatAppId = await chatAppWithAgent({ kind: 'bedrock-agent', bedrockAgentId: 'no-such-agent', bedrockAgentAliasId: 'A' });
    const t = await token(uid());
    const r = await converse(api.url, t, { chatAppId, message: 'anyone there?' });
    expect(r.status).toBe(200);
    expect(r.events.at(-1)!.event).toBe('error');
    expect(r.events.at(-1)!.data.code).toMatch(/^(AGENT_ERROR|DEPENDENCY_UNAVAILABLE)$/);
    const msgs = await messagesOf(t, r.events[0]!.data.sessionId);
    expect(msgs.map((m) => [m.role, m.status ?? null, m.content])).toEqual([
      ['user', null, 'anyone there?'],
      ['assistant', 'failed', ''],
    ]);
  });

  it('an agent that hangs past AGENT_TIMEOUT_MS: DEPENDENCY_TIMEOUT, what arrived is stored as a failed answer', async () => {
    process.env.AGENT_TIMEOUT_MS = '300';
    const t = await token(uid());
    const r = await converse(api.url, t, { chatAppId: 'demo-faulty', agentId: 'hang', message: 'think hard' });
    expect(r.events.at(-1)).toEqual({ event: 'error', data: { code: 'DEPENDENCY_TIMEOUT', message: expect.any(String) } });
    expect(textOf(r.events)).toBe('Thinking');
    const msgs = await messagesOf(t, r.events[0]!.data.sessionId);
    expect(msgs[1]).toMatchObject({ role: 'assistant', status: 'failed', content: 'Thinking', error: { code: 'DEPENDENCY_TIMEOUT' } });
  });

  it('a client that disconnects mid-stream: the turn is still stored whole', async () => {
    const chatAppId = await chatAppWithAgent({ kind: 'bedrock-agent', bedrockAgentId: 'slow', bedrockAgentAliasId: 'A' });
    const t = await token(uid());
    const controller = new AbortController();
    const res = await fetch(`${api.url}/converse`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
      body: JSON.stringify({ chatAppId, message: 'I will not wait for the answer' }),
      signal: controller.signal,
    });
    let sessionId = '';
    let chunkSeen = false;
    // Read up to the first chunk, then go away; the loop ends with the body at the latest.
    for await (const e of readServerSentEvents(res.body!)) {
      if (e.event === 'session') sessionId = e.data.sessionId;
      if (e.event === 'chunk') {
        chunkSeen = true;
        break;
      }
    }
    controller.abort();
    expect(chunkSeen).toBe(true);
    const msgs = await vi.waitFor(
      async () => {
        const m = await messagesOf(t, sessionId);
        if (m.length < 2) throw new Error('answer not stored yet');
        return m;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(msgs[1]).toMatchObject({ role: 'assistant', status: 'complete', content: 'You said: I will not wait for the answer' });
    expect(msgs[1].usage.totalCost).toBeGreaterThan(0);
  });

  it('DynamoDB unreachable: 503 JSON with a clear code (never 500), and no half-written turn once it is back', async () => {
    const t = await token(uid());
    const first = await converse(api.url, t, { chatAppId: 'demo', message: 'before the outage' });
    const sessionId = first.events[0]!.data.sessionId;
    const saved = {
      DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT,
      AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB,
      DYNAMODB_MAX_ATTEMPTS: process.env.DYNAMODB_MAX_ATTEMPTS,
    };
    Object.assign(process.env, { DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9', DYNAMODB_MAX_ATTEMPTS: '1' });
    clearConfigCache();
    try {
      for (const r of [
        await api.call('GET', '/sessions', { token: t }),
        await api.call('GET', `/sessions/${sessionId}`, { token: t }),
        await api.call('PUT', '/widget-data/custom/outage', { token: t, body: { data: { a: 1 } } }),
      ]) {
        expect(r.status).toBe(503);
        expect(r.body.error.code).toBe('DEPENDENCY_UNAVAILABLE');
      }
      const turn = await converse(api.url, t, { sessionId, message: 'during the outage' });
      expect(turn.status).toBe(503);
      expect(turn.error.error.code).toBe('DEPENDENCY_UNAVAILABLE');
    } finally {
      restoreEnv(saved);
    }
    const msgs = await messagesOf(t, sessionId);
    expect(msgs.map((m) => m.content)).toEqual(['before the outage', 'You said: before the outage']);
    const session = (await api.call('GET', `/sessions/${sessionId}`, { token: t })).body;
    expect(session.inputTokens).toBeGreaterThan(0);
  });
});
