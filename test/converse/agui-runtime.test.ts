/**
 * An AG-UI server on AgentCore Runtime (server protocol AGUI, issue 26 item 7) relayed end to end: our SSE
 * contract (/converse), the AI SDK (/converse/ai-sdk, `ai`'s transport) and AG-UI (/converse/ag-ui,
 * `@ag-ui/client`'s HttpAgent) over the local API, the real AgentCore client and the emulator's AG-UI runtimes.
 */
import { HttpAgent, type BaseEvent } from '@ag-ui/client';
import { DefaultChatTransport, readUIMessageStream, type UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { costOf } from '../../functions/models/pricing';
import { providerSessionId } from '../../functions/converse/providers';
import { AG_UI_TOOL, agUiAnswer, emulatorRuntimeArn, inputTokensFor, outputTokensFor } from '../../scripts/agent-emulator';
import { ROLES, token, uid } from '../api/harness';
import { converse, TEST_PRICING, textOf, useConverse } from './harness';
import { aiSdkBody, postProtocol, uiUserMessage } from './protocol-harness';

const { api, emulator } = useConverse();

/** Streams tool summaries to the client (as the harness `tools` tests do) and grades answers when asked. */
const TRACES = { streamTraces: true, features: { traces: { featureId: 'traces', enabled: true } } };

async function appFor(name: string, features: Record<string, unknown> = {}) {
  const admin = await token(uid('site'), [ROLES.siteAdmin]);
  const agentId = uid(`agui-${name}`);
  const chatAppId = uid('app');
  const agent = { kind: 'agentcore-runtime', agentRuntimeArn: emulatorRuntimeArn(name), protocol: 'AGUI' };
  expect((await api.call('PUT', `/admin/agents/${agentId}`, { token: admin, body: { agent, pricing: TEST_PRICING } })).status).toBe(200);
  const body = { title: name, enabled: true, agentId, ...TRACES, features: { ...TRACES.features, ...features } };
  expect((await api.call('PUT', `/admin/chat-apps/${chatAppId}`, { token: admin, body })).status).toBe(200);
  return chatAppId;
}

const messagesOf = async (t: string, sessionId: string) =>
  (await api.call('GET', `/sessions/${sessionId}/messages?limit=100`, { token: t })).body.items as any[];
const runtimeRequests = () =>
  emulator()
    .requests()
    .filter((r) => r.operation === 'InvokeAgentRuntime');
const usageOf = (message: string) => costOf({ inputTokens: inputTokensFor(message), outputTokens: outputTokensFor(agUiAnswer(message)) }, TEST_PRICING);

describe('an AG-UI runtime agent through /converse', () => {
  it('streams its text in several parts and its tool call; the turn, its tools and its usage are stored', async () => {
    const t = await token(uid());
    const chatAppId = await appFor('agui');
    const message = 'Where is order 42? é 😀';
    const r = await converse(api.url, t, { chatAppId, message });
    expect(r.events.at(-1)!.event, JSON.stringify(r.events.at(-1))).toBe('done');
    expect(r.events.filter((e) => e.event === 'chunk').length).toBeGreaterThanOrEqual(5);
    expect(textOf(r.events)).toBe(agUiAnswer(message));
    const tools = r.events.filter((e) => e.event === 'tool').map((e) => e.data);
    expect(tools.map((x) => [x.phase, x.name ?? x.status])).toEqual([
      ['use', AG_UI_TOOL.name],
      ['result', 'success'],
    ]);
    expect(JSON.stringify(r.events)).not.toContain(AG_UI_TOOL.result); // summaries only, as for every kind
    expect(r.events.at(-1)!.data.usage).toEqual(usageOf(message));
    const sessionId = r.events[0]!.data.sessionId;
    const stored = await messagesOf(t, sessionId);
    expect(stored.map((m) => [m.role, m.content, m.status])).toEqual([
      ['user', message, undefined],
      ['assistant', agUiAnswer(message), 'complete'],
    ]);
    expect(stored[1].usage).toEqual(usageOf(message));
    expect(stored[1].metadata?.tools).toEqual([{ name: AG_UI_TOOL.name, status: 'success' }]);
    // The run went to the runtime session of the chat session, as a RunAgentInput.
    const body = runtimeRequests().at(-1)!.body;
    expect(body.threadId).toBe(providerSessionId(sessionId));
    expect(body.messages.at(-1)).toMatchObject({ role: 'user', content: message });
  });

  it('the runtime gets the session context (forwardedProps and context) and the same thread on the next message, without resending history', async () => {
    const svc = await token(uid('svc'), [ROLES.service]);
    const user = uid();
    await api.call('PUT', `/users/${user}`, { token: svc, body: { customData: { accountId: 'acct-9', tier: 'gold' } } });
    const t = await token(user, [], { userType: 'external-user' });
    const chatAppId = await appFor('agui-context');
    const r1 = await converse(api.url, t, { chatAppId, message: 'who am I?', timezone: 'Europe/Paris' });
    expect(r1.events.at(-1)!.event).toBe('done');
    const sessionId = r1.events[0]!.data.sessionId;
    const seen = JSON.parse(textOf(r1.events));
    expect(seen.session).toMatchObject({
      userId: user,
      sessionId,
      chatAppId,
      accountId: 'acct-9',
      tier: 'gold',
      userType: 'external-user',
      timezone: 'Europe/Paris',
    });
    expect(seen.history).toEqual([]);
    const first = runtimeRequests().at(-1)!.body;
    expect(Object.keys(first.forwardedProps)).toEqual(['sessionAttributes']);
    expect(first.context[0].value).toContain(`"accountId":"acct-9"`);
    const r2 = await converse(api.url, t, { chatAppId, sessionId, message: 'and now?' });
    expect(r2.events.at(-1)!.event).toBe('done');
    const second = runtimeRequests().at(-1)!.body;
    expect(second.threadId).toBe(first.threadId);
    expect(second.runId).not.toBe(first.runId);
    expect(second.messages.map((m: { content: string }) => m.content)).toEqual(['and now?']); // the runtime session remembers
  });

  it('RUN_ERROR is the agent failing: an error event, the turn stored as failed with what arrived', async () => {
    const t = await token(uid());
    const r = await converse(api.url, t, { chatAppId: await appFor('agui-faulty'), message: 'break' });
    expect(textOf(r.events)).toBe('Partial answer');
    expect(r.events.at(-1)).toMatchObject({ event: 'error', data: { code: 'AGENT_ERROR' } });
    expect(JSON.stringify(r.events)).not.toContain('on purpose');
    const stored = await messagesOf(t, r.events[0]!.data.sessionId);
    expect(stored[1]).toMatchObject({ role: 'assistant', content: 'Partial answer', status: 'failed', error: { code: 'AGENT_ERROR' } });
    // A run that ends without RUN_FINISHED fails the same way.
    const cut = await converse(api.url, t, { chatAppId: await appFor('agui-truncated'), message: 'go' });
    expect(cut.events.at(-1)).toMatchObject({ event: 'error', data: { code: 'AGENT_ERROR' } });
  });

  it('answer verification grades it with its tool call and result as evidence', async () => {
    const t = await token(uid());
    const grader = { featureId: 'verifyResponse', enabled: true, graderModel: { modelId: 'grader-A', pricing: TEST_PRICING } };
    const r = await converse(api.url, t, { chatAppId: await appFor('agui', { verifyResponse: grader }), message: 'Where is order 42?' });
    expect(r.events.at(-1)!.event).toBe('done');
    expect(r.events.find((e) => e.event === 'verification')!.data).toMatchObject({ grade: 'A' });
    expect(r.events.find((e) => e.event === 'verification')!.data.reason).toContain('(evidence items: 2)');
  });
});

describe('an AG-UI runtime agent through the client protocols', () => {
  it('/converse/ai-sdk: the AI SDK reads the text in several parts and the tool call; the faulty runtime is the error part', async () => {
    const t = await token(uid());
    const chatAppId = await appFor('agui');
    const transport = new DefaultChatTransport<UIMessage>({
      api: `${api.url}/converse/ai-sdk`,
      headers: { authorization: `Bearer ${t}` },
      body: { chatAppId },
    });
    const stream = await transport.sendMessages({
      chatId: uid('chat'),
      messages: [uiUserMessage(uid('m'), 'Where is order 42?')],
      trigger: 'submit-message',
      messageId: undefined,
      abortSignal: undefined,
    });
    const snapshots: UIMessage[] = [];
    const errors: unknown[] = [];
    for await (const m of readUIMessageStream({ stream, onError: (e) => errors.push(e) })) snapshots.push(structuredClone(m));
    expect(errors).toEqual([]);
    const textOfMessage = (m: UIMessage) =>
      m.parts
        .filter((p) => p.type === 'text')
        .map((p) => (p as { text: string }).text)
        .join('');
    expect(textOfMessage(snapshots.at(-1)!)).toBe(agUiAnswer('Where is order 42?'));
    expect(new Set(snapshots.map(textOfMessage).filter(Boolean)).size).toBeGreaterThanOrEqual(3);
    const tools = snapshots.at(-1)!.parts.filter((p) => p.type === 'dynamic-tool') as { toolName: string; state: string }[];
    expect(tools).toEqual([expect.objectContaining({ toolName: AG_UI_TOOL.name, state: 'output-available' })]);
    expect((snapshots.at(-1)!.metadata as { usage: unknown }).usage).toEqual(usageOf('Where is order 42?'));
    // The faulty runtime is the protocol's error, with a safe text.
    const failed = await postProtocol(api.url, '/converse/ai-sdk', t, aiSdkBody(uid('chat'), await appFor('agui-faulty'), 'break'));
    expect(failed.frames.map((f) => (typeof f === 'string' ? f : f.type)).slice(-3)).toEqual(['error', 'finish', '[DONE]']);
    expect(failed.frames.find((f) => f.type === 'error')).toMatchObject({ errorText: 'The agent failed while answering' });
  });

  it('/converse/ag-ui: HttpAgent gets the text in several parts, the tool call, RUN_FINISHED; the faulty runtime is RUN_ERROR', async () => {
    const t = await token(uid());
    const agent = new HttpAgent({ url: `${api.url}/converse/ag-ui`, headers: { authorization: `Bearer ${t}` }, threadId: uid('thread') });
    agent.addMessage({ id: uid('m'), role: 'user', content: 'Where is order 42?' });
    const events: BaseEvent[] = [];
    await agent.runAgent({ forwardedProps: { chatAppId: await appFor('agui') } }, { onEvent: ({ event }) => void events.push(event) });
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('RUN_STARTED');
    expect(types.at(-1)).toBe('RUN_FINISHED');
    expect(types.filter((x) => x === 'TEXT_MESSAGE_CONTENT').length).toBeGreaterThanOrEqual(5);
    expect(events.find((e) => e.type === 'TOOL_CALL_START')).toMatchObject({ toolCallName: AG_UI_TOOL.name });
    expect(types).toContain('TOOL_CALL_RESULT');
    const assistant = agent.messages.filter((m) => m.role === 'assistant').map((m) => m.content ?? '');
    expect(assistant.join('')).toBe(agUiAnswer('Where is order 42?'));

    const failing = new HttpAgent({ url: `${api.url}/converse/ag-ui`, headers: { authorization: `Bearer ${t}` }, threadId: uid('thread') });
    failing.addMessage({ id: uid('m'), role: 'user', content: 'break' });
    const seen: BaseEvent[] = [];
    await failing
      .runAgent({ forwardedProps: { chatAppId: await appFor('agui-faulty') } }, { onEvent: ({ event }) => void seen.push(event) })
      .catch(() => undefined);
    const kinds = seen.map((e) => e.type);
    expect(kinds).toContain('RUN_ERROR');
    expect(kinds).not.toContain('RUN_FINISHED');
    expect(seen.find((e) => e.type === 'RUN_ERROR')).toMatchObject({ code: 'AGENT_ERROR', message: 'The agent failed while answering' });
  });
});
