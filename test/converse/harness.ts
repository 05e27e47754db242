/** The local API plus the agent emulator, both in this test worker, the real SDK client between them. */
import { readServerSentEvents } from 'pika-shared/client';
import type { AgentConfig } from 'pika-shared/types/chatbot/chatbot-types';
import { emulatorHarnessArn, emulatorRuntimeArn, type AgentEmulator } from '../../scripts/agent-emulator';
import { expect, vi } from 'vitest';
import { apiClient, ROLES, token, uid, type Api } from '../api/harness';
import { expectOpenApi } from '../support/openapi-check';
import { useLocalStack } from '../support/stack';

export interface SseEvent {
  event: string;
  data: any;
}

export function useConverse(): { api: Api; emulator: () => AgentEmulator } {
  const stack = useLocalStack({ emulator: { chunkDelayMs: 2 } });
  return { api: apiClient(stack.api), emulator: stack.emulator };
}

/** Posts to /converse and collects the SSE events (read with the typed client's reader, pika-shared/client). */
export async function converse(url: string, token: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/converse`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  // Held to docs/openapi.json: a declared status and headers, the event-stream type or a declared JSON error.
  if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const error = (await res.json()) as any;
    expectOpenApi({ method: 'POST', path: '/converse', status: res.status, headers: res.headers, body: error });
    return { status: res.status, events: [] as SseEvent[], error };
  }
  expectOpenApi({ method: 'POST', path: '/converse', status: res.status, headers: res.headers });
  const events: SseEvent[] = [];
  // Ends with the body; the answer's events are few, so a stream that never ends is a test timeout, not a loop.
  for await (const e of readServerSentEvents(res.body!)) events.push(e as SseEvent);
  return { status: res.status, events, error: undefined as any };
}

/** The last agent invocation the emulator saw (titles, made after a turn, are Converse calls: skipped). */
export const lastAgentRequest = (emu: AgentEmulator) =>
  emu
    .requests()
    .filter((r) => r.operation !== 'Converse')
    .at(-1);

export const textOf = (events: SseEvent[]) =>
  events
    .filter((e) => e.event === 'chunk')
    .map((e) => e.data.text)
    .join('');

/** Per-1k-token prices the tests' agents are registered with. */
export const TEST_PRICING = { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 };

/** Every agent kind converse speaks, as the stored agent of an emulator agent called `name`. */
export const AGENT_KINDS: Record<string, (name: string) => AgentConfig['agent']> = {
  classic: (name) => ({ kind: 'bedrock-agent', bedrockAgentId: name, bedrockAgentAliasId: 'TSTALIASID' }),
  inline: (name) => ({
    kind: 'inline',
    foundationModel: 'anthropic.claude-3-haiku-20240307-v1:0',
    instruction: 'You are a test agent of the local emulator; answer as it does.',
    agentName: name,
  }),
  harness: (name) => ({ kind: 'agentcore-harness', harnessArn: emulatorHarnessArn(name) }),
  runtime: (name) => ({ kind: 'agentcore-runtime', agentRuntimeArn: emulatorRuntimeArn(name) }),
};

/** The emulator's operation of each kind (its recorded requests). */
export const KIND_OPERATION: Record<string, string> = {
  classic: 'InvokeAgent',
  inline: 'InvokeInlineAgent',
  harness: 'InvokeHarness',
  runtime: 'InvokeAgentRuntime',
};

/** A chat app on an agent of its own (the emulator's `name` agent of `kind`), with `app`'s further chat-app settings. */
export async function chatAppWith(api: Api, kind: string, name: string, app: Record<string, unknown> = {}) {
  const admin = await token(uid('site'), [ROLES.siteAdmin]);
  const agentId = uid(`${kind}-${name}`);
  const chatAppId = uid('app');
  const agent = await api.call('PUT', `/admin/agents/${agentId}`, { token: admin, body: { agent: AGENT_KINDS[kind]!(name), pricing: TEST_PRICING } });
  expect(agent.status, JSON.stringify(agent.body)).toBe(200);
  const put = await api.call('PUT', `/admin/chat-apps/${chatAppId}`, { token: admin, body: { title: kind, enabled: true, agentId, ...app } });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  return { chatAppId, agentId };
}

/** A session's messages as its user reads them (first 100). */
export const storedMessages = async (api: Api, t: string, sessionId: string) =>
  (await api.call('GET', `/sessions/${sessionId}/messages?limit=100`, { token: t })).body.items as any[];

/** The session's messages once there are at least `count` (an answer stored after its stream was aborted). */
export const messagesWhen = (api: Api, t: string, sessionId: string, count: number) =>
  vi.waitFor(
    async () => {
      const m = await storedMessages(api, t, sessionId);
      if (m.length < count) throw new Error(`${m.length} of ${count} messages stored yet`);
      return m;
    },
    { timeout: 10_000, interval: 50 },
  );
