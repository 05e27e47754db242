/**
 * AG-UI servers on AgentCore Runtime (server protocol AGUI, issue 26 item 7): the adapter against the emulator,
 * through the REAL @aws-sdk/client-bedrock-agentcore client — the RunAgentInput on the wire, the AG-UI answer
 * as provider events, failures.
 */
import { RunAgentInputSchema } from '@ag-ui/core/schemas';
import type { AgentCoreRuntimeRef } from 'pika-shared/types/chatbot/agentcore-types';
import { sessionContextBlock, userMemoryBlock } from 'pika-shared/util/agentcore';
import { AG_UI_SESSION_CONTEXT, AG_UI_USER_MEMORY } from 'pika-shared/util/agentcore-agui';
import { normalizeSessionAttributes } from 'pika-shared/util/bedrock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { invokeProvider } from '../../functions/converse/providers';
import { collect, providerInput } from './provider-input';
import { providerSessionId } from '../../functions/converse/providers/agentcore';
import { AgentRuntimeError } from '../../functions/converse/providers/agentcore-runtime';
import type { ProviderInput } from '../../functions/converse/providers/events';
import {
  AG_UI_PREAMBLE,
  AG_UI_TOOL,
  agUiAnswer,
  echoAnswer,
  emulatorRuntimeArn,
  inputTokensFor,
  outputTokensFor,
  startAgentEmulator,
  type AgentEmulator,
} from '../../scripts/agent-emulator';

let emu: AgentEmulator;

beforeAll(async () => {
  emu = await startAgentEmulator({ chunkDelayMs: 1 });
  process.env.BEDROCK_AGENTCORE_ENDPOINT = emu.agentCoreEndpoint;
});
afterAll(async () => emu.close());

const agui = (agent: string): AgentCoreRuntimeRef => ({ kind: 'agentcore-runtime', agentRuntimeArn: emulatorRuntimeArn(agent), protocol: 'AGUI' });

const input = (inputText: string, extra: Partial<ProviderInput> = {}) => providerInput('01JAGUISESSION', inputText, extra);

const lastRuntimeRequest = () =>
  emu
    .requests()
    .filter((r) => r.operation === 'InvokeAgentRuntime')
    .at(-1)!;

describe('an AGUI runtime (protocol: "AGUI") through invokeProvider', () => {
  it('sends a RunAgentInput over InvokeAgentRuntime and relays text in several parts, the tool call and its result, and the summed usage', async () => {
    const i = input('Where is order 42? ✓');
    const r = await collect(invokeProvider(agui('agui'), i));
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(agUiAnswer(i.inputText));
    expect(r.chunks).toBeGreaterThanOrEqual(5);
    const tools = r.events.filter((e) => e.type === 'tool');
    expect(tools).toEqual([
      { type: 'tool', phase: 'use', toolUseId: expect.any(String), name: AG_UI_TOOL.name, input: AG_UI_TOOL.args(i.inputText) },
      { type: 'tool', phase: 'result', toolUseId: (tools[0] as { toolUseId: string }).toolUseId, status: 'success', output: AG_UI_TOOL.result },
    ]);
    // The tool comes between the preamble and the answer, as the runtime streamed it.
    const order = r.events.map((e) => (e.type === 'chunk' ? e.text : e.type));
    expect(order.slice(0, order.indexOf('tool')).join('')).toBe(AG_UI_PREAMBLE);
    expect(r.events.filter((e) => e.type === 'usage')).toEqual([
      { type: 'usage', inputTokens: inputTokensFor(i.inputText), outputTokens: outputTokensFor(agUiAnswer(i.inputText)) },
    ]);

    const req = lastRuntimeRequest();
    expect(req.params).toEqual({ agentRuntimeArn: emulatorRuntimeArn('agui'), runtimeSessionId: providerSessionId(i.sessionId) });
    expect(req.headers.accept).toBe('text/event-stream');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-amzn-bedrock-agentcore-runtime-user-id']).toBe('user-1');
    expect(req.headers.baggage).toBe(`pika.userId=user-1,pika.sessionId=${i.sessionId},pika.chatAppId=app,pika.agentId=agent`);
    expect(RunAgentInputSchema.safeParse(req.body).success).toBe(true);
    expect(req.body).toEqual({
      threadId: providerSessionId(i.sessionId),
      runId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      messages: [{ id: expect.any(String), role: 'user', content: i.inputText }],
      tools: [],
      context: [{ description: AG_UI_SESSION_CONTEXT, value: sessionContextBlock(i.sessionAttributes) }],
      state: {},
      forwardedProps: { sessionAttributes: i.sessionAttributes },
    });
  });

  it('the runtime reads the session context, the history and the memory it was sent (parseAgentRuntimePayload on the RunAgentInput)', async () => {
    const history = [
      { role: 'user' as const, content: 'earlier question' },
      { role: 'assistant' as const, content: 'earlier answer' },
    ];
    const i = input('now', { history, memory: ['likes tea'] });
    const r = await collect(invokeProvider(agui('agui-context'), i));
    expect(r.error).toBeUndefined();
    expect(JSON.parse(r.text)).toEqual({ session: normalizeSessionAttributes(i.sessionAttributes), history, memory: ['likes tea'] });
    const body = lastRuntimeRequest().body;
    expect(body.messages.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
      ['user', 'earlier question'],
      ['assistant', 'earlier answer'],
      ['user', 'now'],
    ]);
    expect(new Set(body.messages.map((m: { id: string }) => m.id)).size).toBe(3);
    expect(body.context[1]).toEqual({ description: AG_UI_USER_MEMORY, value: userMemoryBlock(['likes tea']) });
    expect(body.forwardedProps).toEqual({ sessionAttributes: i.sessionAttributes, memory: ['likes tea'] });
    // Each turn is a new run of the same thread (the provider session).
    const again = await collect(invokeProvider(agui('agui-context'), { ...i, history: undefined, memory: undefined }));
    expect(again.error).toBeUndefined();
    expect(lastRuntimeRequest().body.threadId).toBe(body.threadId);
    expect(lastRuntimeRequest().body.runId).not.toBe(body.runId);
  });

  it('RUN_ERROR fails the answer with its message and code (after the text and usage before it)', async () => {
    const r = await collect(invokeProvider(agui('agui-faulty'), input('fail please')));
    expect(r.text).toBe('Partial answer');
    expect(r.events.at(-1)).toEqual({ type: 'usage', inputTokens: 12, outputTokens: 3 });
    expect(r.error).toBeInstanceOf(AgentRuntimeError);
    expect(r.error).toMatchObject({ message: 'The faulty AG-UI agent failed on purpose', errorType: 'AGENT_FAILURE' });
  });

  it('a stream that ends without RUN_FINISHED, an HTTP-protocol runtime, or a JSON answer is a failure, never a silent answer', async () => {
    const cut = await collect(invokeProvider(agui('agui-truncated'), input('hello')));
    expect(cut.text).toBe('Cut short');
    expect(cut.error).toMatchObject({ name: 'AgentRuntimeError', errorType: 'IncompleteRun' });
    // A runtime of our HTTP contract configured as AGUI: its events are no AG-UI events, and no run is finished.
    const http = await collect(invokeProvider(agui('echo'), input('hello')));
    expect(http.text).toBe('');
    expect(http.error).toMatchObject({ name: 'AgentRuntimeError', errorType: 'IncompleteRun' });
    const json = await collect(invokeProvider(agui('json'), input('hello')));
    expect(json.error).toBeInstanceOf(AgentRuntimeError);
    expect((json.error as Error).message).toContain('application/json');
    // Without the protocol the same runtime speaks our HTTP contract, as before.
    const plain = await collect(invokeProvider({ kind: 'agentcore-runtime', agentRuntimeArn: emulatorRuntimeArn('echo') }, input('hello')));
    expect(plain.text).toBe(echoAnswer('hello'));
  });

  it('RUN_FINISHED ends the answer even when the server keeps the connection open; the connection is released', async () => {
    const r = await collect(invokeProvider(agui('agui-linger'), input('hello')));
    expect(r.error).toBeUndefined();
    expect(r.text).toBe('Done early');
    await vi.waitFor(() => expect(emu.activeStreams()).toBe(0));
  });

  it('an abort ends the answer at once', async () => {
    const controller = new AbortController();
    const gen = invokeProvider(agui('agui'), input('stop me', { signal: controller.signal }));
    const first = await gen.next();
    expect(first.value).toMatchObject({ type: 'chunk' });
    controller.abort();
    await expect(gen.next()).rejects.toMatchObject({ name: 'AbortError' });
  });
});
