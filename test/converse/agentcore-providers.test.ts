/** The AgentCore provider adapters against the emulator, through the REAL @aws-sdk/client-bedrock-agentcore client. */
import { BedrockAgentRuntimeClient, InvokeAgentCommand } from '@aws-sdk/client-bedrock-agent-runtime';
import { InternalServerException } from '@aws-sdk/client-bedrock-agentcore';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AgentCoreHarnessRef, AgentCoreRuntimeRef } from 'pika-shared/types/chatbot/agentcore-types';
import { sessionContextBlock } from 'pika-shared/util/agentcore';
import { normalizeSessionAttributes } from 'pika-shared/util/bedrock';
import {
  echoAnswer,
  emulatorHarnessArn,
  emulatorRuntimeArn,
  HARNESS_TOOL,
  inputTokensFor,
  outputTokensFor,
  recallAnswer,
  startAgentEmulator,
  type AgentEmulator,
} from '../../scripts/agent-emulator';
import { providerSessionId } from '../../functions/converse/providers/agentcore';
import { needsHistory } from '../../functions/converse/run';
import { harnessHistory, invokeHarness } from '../../functions/converse/providers/agentcore-harness';
import { AgentRuntimeError, invokeAgentRuntime, stopRuntimeSession } from '../../functions/converse/providers/agentcore-runtime';
import type { ProviderInput, ProviderEvent } from '../../functions/converse/providers/events';
import { invokeProvider } from '../../functions/converse/providers';
import { collect, providerInput } from './provider-input';
import { utf8Stream } from '../../functions/converse/providers/utf8';

let emu: AgentEmulator;

beforeAll(async () => {
  emu = await startAgentEmulator({ chunkDelayMs: 2 });
  process.env.BEDROCK_AGENTCORE_ENDPOINT = emu.agentCoreEndpoint;
});
afterAll(async () => emu.close());

const harness = (agent: string, extra: Partial<AgentCoreHarnessRef> = {}): AgentCoreHarnessRef => ({
  kind: 'agentcore-harness',
  harnessArn: emulatorHarnessArn(agent),
  ...extra,
});
const runtime = (agent: string, extra: Partial<AgentCoreRuntimeRef> = {}): AgentCoreRuntimeRef => ({
  kind: 'agentcore-runtime',
  agentRuntimeArn: emulatorRuntimeArn(agent),
  ...extra,
});

const input = (inputText: string, extra: Partial<ProviderInput> = {}) => providerInput('01JCHATSESSION', inputText, extra);

const lastOp = (op: string) =>
  emu
    .requests()
    .filter((r) => r.operation === op)
    .at(-1)!;

describe('providerSessionId', () => {
  it('is deterministic, at least 33 characters and distinct per chat session', () => {
    for (const id of ['s', '01JCHATSESSION000000000001', 'a:b@c', 'x'.repeat(300)]) {
      expect(providerSessionId(id)).toBe(providerSessionId(id));
      expect(providerSessionId(id).length).toBeGreaterThanOrEqual(33);
      expect(providerSessionId(id).length).toBeLessThanOrEqual(100);
      expect(providerSessionId(id)).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    expect(providerSessionId('a:b')).not.toBe(providerSessionId('a_b'));
    // The history is resent when the provider may have lost the conversation (run.ts needsHistory).
    const agent = { agentId: 'a', agent: runtime('echo') } as Parameters<typeof needsHistory>[0]['agent'];
    const at = (reachedAt?: string, agentId = 'a') => ({ sessionCreated: false, agent, provider: { agentId, ...(reachedAt ? { reachedAt } : {}) } });
    expect(needsHistory({ ...at(), sessionCreated: true })).toBe(false); // a first turn has nothing to resend
    expect(needsHistory(at())).toBe(true); // never reached
    expect(needsHistory(at('2026-01-01T00:00:00Z', 'b'))).toBe(true); // another agent answered last
    expect(needsHistory(at('2026-01-01T00:00:00Z'), Date.parse('2026-01-01T00:14:59Z'))).toBe(false);
    expect(needsHistory(at('2026-01-01T00:00:00Z'), Date.parse('2026-01-01T00:15:00Z'))).toBe(true); // idled out (900 s)
  });
});

describe('invokeHarness', () => {
  it('streams the answer in several chunks, then usage and the stop reason; sends ids, user, baggage and the context block', async () => {
    const i = input('Where is my order? ✓ 日本');
    const r = await collect(invokeHarness(harness('echo', { qualifier: 'DEFAULT' }), i));
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(echoAnswer(i.inputText));
    expect(r.chunks).toBeGreaterThanOrEqual(3);
    expect(r.events.slice(-2)).toEqual([
      { type: 'usage', inputTokens: inputTokensFor(i.inputText), outputTokens: outputTokensFor(echoAnswer(i.inputText)) },
      { type: 'stop', reason: 'end_turn' },
    ]);
    const req = lastOp('InvokeHarness');
    expect(req.params).toEqual({ harnessArn: emulatorHarnessArn('echo'), qualifier: 'DEFAULT', runtimeSessionId: providerSessionId(i.sessionId) });
    expect(req.headers['x-amzn-bedrock-agentcore-runtime-user-id']).toBe('user-1');
    expect(req.headers.baggage).toBe(`pika.userId=user-1,pika.sessionId=${i.sessionId},pika.chatAppId=app,pika.agentId=agent`);
    // Without a systemPrompt override the harness keeps its own prompt: the context rides in the user's message.
    expect(req.body.systemPrompt).toBeUndefined();
    expect(req.body.messages).toEqual([{ role: 'user', content: [{ text: sessionContextBlock(i.sessionAttributes) }, { text: i.inputText }] }]);
  });

  it('the harness reads the session context it was sent (message or system prompt): the same data as normalizeSessionAttributes', async () => {
    const i = input('hi');
    const inMessage = await collect(invokeHarness(harness('echo-attributes'), i));
    expect(JSON.parse(inMessage.text)).toEqual(normalizeSessionAttributes(i.sessionAttributes));
    const withPrompt = harness('echo-attributes', {
      overrides: { systemPrompt: 'Be brief.', modelId: 'anthropic.claude-x', allowedTools: ['shell'], maxIterations: 3, maxTokens: 500, timeoutSeconds: 30 },
    });
    const inSystem = await collect(invokeHarness(withPrompt, i));
    expect(JSON.parse(inSystem.text)).toEqual(normalizeSessionAttributes(i.sessionAttributes));
    const req = lastOp('InvokeHarness');
    expect(req.body.systemPrompt).toEqual([{ text: 'Be brief.' }, { text: sessionContextBlock(i.sessionAttributes) }]);
    expect(req.body).toMatchObject({
      model: { bedrockModelConfig: { modelId: 'anthropic.claude-x' } },
      allowedTools: ['shell'],
      maxIterations: 3,
      maxTokens: 500,
      timeoutSeconds: 30,
    });
    expect(req.body.messages).toEqual([{ role: 'user', content: [{ text: 'hi' }] }]);
  });

  it('summarises tool use and result', async () => {
    const r = await collect(invokeHarness(harness('tools'), input('status?')));
    expect(r.events.filter((e) => e.type === 'tool')).toEqual([
      {
        type: 'tool',
        phase: 'use',
        toolUseId: HARNESS_TOOL.toolUseId,
        name: HARNESS_TOOL.name,
        toolType: 'tool_use',
        input: JSON.stringify({ orderId: '42', question: 'status?' }),
      },
      { type: 'tool', phase: 'result', toolUseId: HARNESS_TOOL.toolUseId, status: 'success', output: HARNESS_TOOL.result },
    ]);
    expect(r.text).toBe(echoAnswer('status?'));
    expect(r.events.at(-1)).toEqual({ type: 'stop', reason: 'end_turn' });
  });

  it('a failure after the first chunk: the chunk, then the modeled error', async () => {
    const r = await collect(invokeHarness(harness('faulty'), input('hi')));
    expect(r.events).toEqual([{ type: 'chunk', text: 'Partial answer' }]);
    expect(r.error).toBeInstanceOf(InternalServerException);
  });

  it('recall: continuity within the provider session, and from the history sent once it is gone', async () => {
    const i = input('first');
    await collect(invokeHarness(harness('recall'), i));
    const second = await collect(invokeHarness(harness('recall'), { ...i, inputText: 'second' }));
    expect(second.text).toBe(
      recallAnswer(
        [],
        [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: recallAnswer([], []) },
        ],
      ),
    );
    emu.expireSessions('harness:');
    const history = [
      { role: 'assistant' as const, content: 'welcome' }, // dropped: the harness starts with user
      { role: 'user' as const, content: 'first' },
      { role: 'assistant' as const, content: 'one' },
      { role: 'user' as const, content: 'failed turn' }, // unanswered: dropped
    ];
    const third = await collect(invokeHarness(harness('recall'), { ...i, inputText: 'third', history }));
    expect(third.text).toBe('I remember 2 earlier turns (history: 2, session: 0):\nuser: first\nassistant: one');
    expect(
      harnessHistory([
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
        { role: 'assistant', content: '' },
        { role: 'assistant', content: 'c' },
      ]),
    ).toEqual([
      { role: 'user', content: 'a\n\nb' },
      { role: 'assistant', content: 'c' },
    ]);
  });

  it('abort: ends at once even while the harness says nothing, and releases the connection', async () => {
    const abort = new AbortController();
    const got: ProviderEvent[] = [];
    const err = await (async () => {
      for await (const e of invokeHarness(harness('hang'), input('x', { signal: abort.signal }))) {
        got.push(e);
        abort.abort();
      }
    })().catch((e: unknown) => e);
    expect(got).toEqual([{ type: 'chunk', text: 'Thinking' }]);
    expect((err as Error).name).toBe('AbortError');
    await vi.waitFor(() => expect(emu.activeStreams()).toBe(0));
  });
});

describe('invokeAgentRuntime', () => {
  it('streams SSE chunks and usage; the payload and headers reach the agent', async () => {
    const file = {
      fileId: 'f1',
      fileName: 'a.txt',
      mimeType: 'text/plain',
      size: 1,
      s3Key: 'k',
      uploadDate: '2026-01-01T00:00:00Z',
      s3Uri: 's3://b/k',
      url: 'https://b.example/k',
      urlExpiresAt: '2026-01-01T00:05:00Z',
    };
    const i = input('Hello ✓', { files: [{ ...file, useCase: 'CHAT' }] });
    const r = await collect(invokeAgentRuntime(runtime('echo', { qualifier: 'DEFAULT' }), i));
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(echoAnswer(i.inputText));
    expect(r.chunks).toBeGreaterThanOrEqual(3);
    expect(r.events.at(-1)).toEqual({ type: 'usage', inputTokens: inputTokensFor(i.inputText), outputTokens: outputTokensFor(echoAnswer(i.inputText)) });
    const req = lastOp('InvokeAgentRuntime');
    expect(req.params).toEqual({ agentRuntimeArn: emulatorRuntimeArn('echo'), runtimeSessionId: providerSessionId(i.sessionId), qualifier: 'DEFAULT' });
    expect(req.body).toEqual({ prompt: i.inputText, sessionAttributes: i.sessionAttributes, files: [file] });
    expect(req.headers['x-amzn-bedrock-agentcore-runtime-user-id']).toBe('user-1');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers.accept).toMatch(/^text\/event-stream/);
    expect(req.headers.baggage).toContain(`pika.sessionId=${i.sessionId}`);
  });

  it('multi-byte characters split across network chunks arrive intact', async () => {
    const i = input('héllo ✓ 日本語 🎉 ñ');
    const r = await collect(invokeAgentRuntime(runtime('split-bytes'), i));
    expect(r.text).toBe(echoAnswer(i.inputText));
    expect(r.text).not.toContain('\uFFFD');
  });

  it('reads the session data the agent decoded (echo-attributes)', async () => {
    const i = input('x');
    const r = await collect(invokeAgentRuntime(runtime('echo-attributes'), i));
    expect(JSON.parse(r.text)).toEqual(normalizeSessionAttributes(i.sessionAttributes));
  });

  it('application/json answers once with usage; text/plain streams deltas without usage', async () => {
    const json = await collect(invokeAgentRuntime(runtime('json'), input('hi')));
    expect(json.events).toEqual([
      { type: 'chunk', text: echoAnswer('hi') },
      { type: 'usage', inputTokens: inputTokensFor('hi'), outputTokens: outputTokensFor(echoAnswer('hi')) },
    ]);
    const plain = await collect(invokeAgentRuntime(runtime('plain'), input('hi ✓')));
    expect(plain.text).toBe(echoAnswer('hi ✓'));
    expect(plain.events.every((e) => e.type === 'chunk')).toBe(true);
  });

  it('reads a Strands agent served by BedrockAgentCoreApp: JSON-string and {data} deltas, other events ignored', async () => {
    const r = await collect(invokeAgentRuntime(runtime('strands'), input('strands ✓')));
    expect(r.text).toBe(echoAnswer('strands ✓'));
    expect(r.events.every((e) => e.type === 'chunk')).toBe(true);
  });

  it('a failure after the first chunk: the chunk, then AgentRuntimeError', async () => {
    const r = await collect(invokeAgentRuntime(runtime('faulty'), input('hi')));
    expect(r.events).toEqual([{ type: 'chunk', text: 'Partial answer' }]);
    expect(r.error).toBeInstanceOf(AgentRuntimeError);
    expect(r.error).toMatchObject({ errorType: 'RuntimeError' });
  });

  it('recall: continuity within the provider session, and from the history in the payload once it is gone', async () => {
    const i = input('first');
    await collect(invokeAgentRuntime(runtime('recall'), i));
    const second = await collect(invokeAgentRuntime(runtime('recall'), { ...i, inputText: 'second' }));
    expect(second.text).toBe(
      recallAnswer(
        [],
        [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: recallAnswer([], []) },
        ],
      ),
    );
    emu.expireSessions('runtime:');
    const third = await collect(
      invokeAgentRuntime(runtime('recall'), {
        ...i,
        inputText: 'third',
        history: [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'one' },
        ],
      }),
    );
    expect(third.text).toBe('I remember 2 earlier turns (history: 2, session: 0):\nuser: first\nassistant: one');
    expect(lastOp('InvokeAgentRuntime').body.history).toEqual([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'one' },
    ]);
  });

  it('abort: ends at once while the agent says nothing, and releases the connection', async () => {
    const abort = new AbortController();
    const got: ProviderEvent[] = [];
    const err = await (async () => {
      for await (const e of invokeAgentRuntime(runtime('hang'), input('x', { signal: abort.signal }))) {
        got.push(e);
        abort.abort();
      }
    })().catch((e: unknown) => e);
    expect(got).toEqual([{ type: 'chunk', text: 'Thinking' }]);
    expect((err as Error).name).toBe('AbortError');
    await vi.waitFor(() => expect(emu.activeStreams()).toBe(0));
  });

  it('stopRuntimeSession ends a running answer; stopping again reports no session', async () => {
    const i = input('x');
    const answer = collect(invokeAgentRuntime(runtime('hang'), i));
    await vi.waitFor(() => expect(emu.activeStreams()).toBe(1));
    expect(await stopRuntimeSession(runtime('hang'), i.sessionId)).toBe(true);
    const r = await answer;
    expect(r.events).toEqual([{ type: 'chunk', text: 'Thinking' }]);
    expect(r.error).toBeUndefined();
    expect(lastOp('StopRuntimeSession').params.runtimeSessionId).toBe(providerSessionId(i.sessionId));
    expect(await stopRuntimeSession(runtime('hang'), i.sessionId)).toBe(false);
  });
});

describe('invokeProvider', () => {
  it('runs the adapter of the agent’s kind', async () => {
    expect((await collect(invokeProvider(harness('echo'), input('a')))).text).toBe(echoAnswer('a'));
    expect(lastOp('InvokeHarness')).toBe(emu.requests().at(-1));
    expect((await collect(invokeProvider(runtime('echo'), input('b')))).text).toBe(echoAnswer('b'));
    expect(lastOp('InvokeAgentRuntime')).toBe(emu.requests().at(-1));
  });
});

describe('utf8Stream for the classic path', () => {
  it('decodes InvokeAgent chunks that split characters (what bedrock.ts should use)', async () => {
    const client = new BedrockAgentRuntimeClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const inputText = 'héllo ✓ 日本語 🎉';
    const out = await client.send(new InvokeAgentCommand({ agentId: 'split-bytes', agentAliasId: 'A', sessionId: 's', inputText }));
    const text = utf8Stream();
    let answer = '';
    for await (const e of out.completion!) if (e.chunk?.bytes) answer += text.write(e.chunk.bytes);
    answer += text.end();
    expect(answer).toBe(echoAnswer(inputText));
    client.destroy();
  });
});
