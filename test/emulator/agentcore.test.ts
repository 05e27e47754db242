/** The emulator's AgentCore operations through the REAL @aws-sdk/client-bedrock-agentcore client (HTTP/1.1). */
import {
  BedrockAgentCoreClient,
  InternalServerException,
  InvokeAgentRuntimeCommand,
  InvokeHarnessCommand,
  ResourceNotFoundException,
  StopRuntimeSessionCommand,
  ValidationException,
  type InvokeHarnessStreamOutput,
} from '@aws-sdk/client-bedrock-agentcore';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeSessionAttributes, normalizeSessionAttributes } from 'pika-shared/util/bedrock';
import { encodeAgentRuntimePayload, sessionContextBlock } from 'pika-shared/util/agentcore';
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

let emu: AgentEmulator;
let client: BedrockAgentCoreClient;
let clock = 0;
const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const sid = (n: string) => `test-session-${n}`.padEnd(40, '0');

beforeAll(async () => {
  emu = await startAgentEmulator({ chunkDelayMs: 2, sessionIdleMs: 60_000, now: () => clock });
  client = new BedrockAgentCoreClient({ endpoint: emu.agentCoreEndpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await emu.close();
});
beforeEach(() => emu.configure({ silentMs: 20_000 }));

async function harness(agent: string, messages: { role: 'user' | 'assistant'; text: string }[], extra: Record<string, unknown> = {}) {
  const out = await client.send(
    new InvokeHarnessCommand({
      harnessArn: emulatorHarnessArn(agent),
      runtimeSessionId: sid('h'),
      messages: messages.map((m) => ({ role: m.role, content: [{ text: m.text }] })),
      ...extra,
    }),
  );
  const events: InvokeHarnessStreamOutput[] = [];
  for await (const e of out.stream!) events.push(e);
  const text = events.map((e) => e.contentBlockDelta?.delta?.text ?? '').join('');
  return { events, text };
}

async function runtime(agent: string, payload: string, extra: Record<string, unknown> = {}) {
  const out = await client.send(
    new InvokeAgentRuntimeCommand({
      agentRuntimeArn: emulatorRuntimeArn(agent),
      runtimeSessionId: sid('r'),
      contentType: 'application/json',
      accept: 'text/event-stream, application/json',
      payload: new TextEncoder().encode(payload),
      ...extra,
    }),
  );
  return { out, body: await out.response!.transformToString() };
}

describe('InvokeHarness', () => {
  it('echo: message start, several text deltas, stops, then metadata with usage — as the SDK deserializes them', async () => {
    const input = 'Where is order 42? ✓ 日本';
    const { events, text } = await harness('echo', [{ role: 'user', text: input }], {
      runtimeUserId: 'user-1',
      baggage: 'pika.userId=user-1',
      qualifier: 'DEFAULT',
    });
    expect(text).toBe(echoAnswer(input));
    expect(events[0]).toEqual({ messageStart: { role: 'assistant' } });
    expect(events.filter((e) => e.contentBlockDelta).length).toBeGreaterThanOrEqual(3);
    expect(events.at(-2)).toEqual({ messageStop: { stopReason: 'end_turn' } });
    const usage = { inputTokens: inputTokensFor(input), outputTokens: outputTokensFor(echoAnswer(input)) };
    expect(events.at(-1)!.metadata).toEqual({ usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens }, metrics: { latencyMs: 1 } });
    const req = emu.lastRequest()!;
    expect(req.operation).toBe('InvokeHarness');
    expect(req.params).toEqual({ harnessArn: emulatorHarnessArn('echo'), qualifier: 'DEFAULT', runtimeSessionId: sid('h') });
    expect(req.headers['x-amzn-bedrock-agentcore-runtime-user-id']).toBe('user-1');
    expect(req.headers.baggage).toBe('pika.userId=user-1');
    expect(req.body.messages).toEqual([{ role: 'user', content: [{ text: input }] }]);
  });

  it('tools: a tool use (input in deltas) and its result precede the answer', async () => {
    const { events, text } = await harness('tools', [{ role: 'user', text: 'status?' }]);
    expect(text).toBe(echoAnswer('status?'));
    expect(events.find((e) => e.contentBlockStart?.start?.toolUse)?.contentBlockStart?.start?.toolUse).toMatchObject({
      toolUseId: HARNESS_TOOL.toolUseId,
      name: HARNESS_TOOL.name,
    });
    const input = events.map((e) => e.contentBlockDelta?.delta?.toolUse?.input ?? '').join('');
    expect(JSON.parse(input)).toEqual({ orderId: '42', question: 'status?' });
    expect(events.find((e) => e.contentBlockStart?.start?.toolResult)?.contentBlockStart?.start?.toolResult).toEqual({
      toolUseId: HARNESS_TOOL.toolUseId,
      status: 'success',
    });
  });

  it('faulty: the first delta arrives, then the SDK throws the modeled error', async () => {
    const out = await client.send(
      new InvokeHarnessCommand({
        harnessArn: emulatorHarnessArn('faulty'),
        runtimeSessionId: sid('f'),
        messages: [{ role: 'user', content: [{ text: 'hi' }] }],
      }),
    );
    const got: string[] = [];
    const err = await (async () => {
      for await (const e of out.stream!) if (e.contentBlockDelta?.delta?.text) got.push(e.contentBlockDelta.delta.text);
    })().catch((e: unknown) => e);
    expect(got).toEqual(['Partial answer']);
    expect(err).toBeInstanceOf(InternalServerException);
  });

  it('echo-attributes answers with the session context block it found (system prompt or message)', async () => {
    const data = { userId: 'u1', sessionId: 's1', chatAppId: 'app', agentId: 'a', limits: { daily: 5 }, tier: 'gold' };
    const block = sessionContextBlock(encodeSessionAttributes(data));
    const viaSystem = await harness('echo-attributes', [{ role: 'user', text: 'hi' }], { systemPrompt: [{ text: 'Be brief.' }, { text: block }] });
    expect(JSON.parse(viaSystem.text)).toEqual(data);
    const out = await client.send(
      new InvokeHarnessCommand({
        harnessArn: emulatorHarnessArn('echo-attributes'),
        runtimeSessionId: sid('c'),
        messages: [{ role: 'user', content: [{ text: block }, { text: 'hi' }] }],
      }),
    );
    let text = '';
    for await (const e of out.stream!) text += e.contentBlockDelta?.delta?.text ?? '';
    expect(JSON.parse(text)).toEqual(data);
  });

  it('echo-system-prompt answers with the system prompt blocks it was sent', async () => {
    const { text } = await harness('echo-system-prompt', [{ role: 'user', text: 'hi' }], { systemPrompt: [{ text: 'One.' }, { text: 'Two.' }] });
    expect(JSON.parse(text)).toEqual(['One.', 'Two.']);
  });

  it('the request log is served over HTTP/1.1 too (plain fetch)', async () => {
    const log = (await (await fetch(`${emu.agentCoreEndpoint}/_emulator/requests`)).json()) as { operation: string }[];
    expect(log.at(-1)?.operation).toBe('InvokeHarness');
  });

  it('unknown harnesses are ResourceNotFoundException; short session ids are ValidationException', async () => {
    const messages = [{ role: 'user' as const, content: [{ text: 'x' }] }];
    await expect(
      client.send(new InvokeHarnessCommand({ harnessArn: emulatorHarnessArn('nobody'), runtimeSessionId: sid('x'), messages })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(new InvokeHarnessCommand({ harnessArn: emulatorHarnessArn('echo'), runtimeSessionId: 'short', messages }))).rejects.toBeInstanceOf(
      ValidationException,
    );
  });
});

describe('provider sessions (recall, expiry)', () => {
  it('harness recall knows the turns of its session and the history it was sent; an idle session is gone', async () => {
    const s = { runtimeSessionId: sid('recall-h') };
    await harness('recall', [{ role: 'user', text: 'first' }], s);
    const second = await harness('recall', [{ role: 'user', text: 'second' }], s);
    expect(second.text).toBe(
      recallAnswer(
        [],
        [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: recallAnswer([], []) },
        ],
      ),
    );
    clock += 60_001; // idle longer than sessionIdleMs
    const afterIdle = await harness(
      'recall',
      [
        { role: 'user', text: 'earlier' },
        { role: 'assistant', text: 'noted' },
        { role: 'user', text: 'third' },
      ],
      s,
    );
    expect(afterIdle.text).toBe('I remember 2 earlier turns (history: 2, session: 0):\nuser: earlier\nassistant: noted');
  });

  it('runtime recall reads the payload history and its session; expireSessions forgets', async () => {
    const s = { runtimeSessionId: sid('recall-r') };
    const sse = (body: string) =>
      body
        .split('\n\n')
        .filter(Boolean)
        .map((b) => JSON.parse(b.slice('data: '.length)));
    const textOf = (body: string) =>
      sse(body)
        .filter((e) => e.type === 'text')
        .map((e) => e.text)
        .join('');
    await runtime('recall', encodeAgentRuntimePayload({ prompt: 'one', sessionAttributes: {} }), s);
    const two = await runtime('recall', encodeAgentRuntimePayload({ prompt: 'two', sessionAttributes: {}, history: [{ role: 'user', content: 'one' }] }), s);
    // The history repeats what the session already knows: each turn is listed once.
    expect(textOf(two.body)).toMatch(/^I remember 2 earlier turns \(history: 1, session: 2\):\nuser: one\nassistant: I remember no earlier turns/);
    emu.expireSessions('runtime:');
    const three = await runtime('recall', encodeAgentRuntimePayload({ prompt: 'three', sessionAttributes: {} }), s);
    expect(textOf(three.body)).toBe('I remember no earlier turns (history: 0, session: 0).');
  });
});

describe('InvokeAgentRuntime', () => {
  const parse = (body: string) =>
    body
      .split('\n\n')
      .filter(Boolean)
      .map((b) => JSON.parse(b.slice('data: '.length)));

  it('echo streams SSE text events then a usage event; the payload and headers reach the agent', async () => {
    const attrs = encodeSessionAttributes({ userId: 'u1', sessionId: 's1', chatAppId: 'app', agentId: 'a', n: 3 });
    const payload = encodeAgentRuntimePayload({ prompt: 'héllo ✓ 日本語', sessionAttributes: attrs });
    const { out, body } = await runtime('echo', payload, { runtimeUserId: 'user-1', baggage: 'pika.sessionId=s1' });
    expect(out.contentType).toBe('text/event-stream; charset=utf-8');
    expect(out.runtimeSessionId).toBe(sid('r'));
    const events = parse(body);
    expect(
      events
        .filter((e) => e.type === 'text')
        .map((e) => e.text)
        .join(''),
    ).toBe(echoAnswer('héllo ✓ 日本語'));
    expect(events.at(-1)).toEqual({
      type: 'usage',
      inputTokens: inputTokensFor('héllo ✓ 日本語'),
      outputTokens: outputTokensFor(echoAnswer('héllo ✓ 日本語')),
    });
    const req = emu.lastRequest()!;
    expect(req).toMatchObject({
      operation: 'InvokeAgentRuntime',
      params: { agentRuntimeArn: emulatorRuntimeArn('echo'), runtimeSessionId: sid('r') },
      body: JSON.parse(payload),
    });
    expect(req.headers['x-amzn-bedrock-agentcore-runtime-user-id']).toBe('user-1');
    expect(req.headers.baggage).toBe('pika.sessionId=s1');
  });

  it('echo-attributes answers with the session data parseAgentRuntimePayload decoded', async () => {
    const data = { userId: 'u1', sessionId: 's1', chatAppId: 'app', agentId: 'a', limits: { daily: 5 }, beta: true };
    const { body } = await runtime('echo-attributes', encodeAgentRuntimePayload({ prompt: 'x', sessionData: data }));
    const text = parse(body)
      .filter((e) => e.type === 'text')
      .map((e) => e.text)
      .join('');
    expect(JSON.parse(text)).toEqual(normalizeSessionAttributes(encodeSessionAttributes(data)));
    expect(JSON.parse(text)).toEqual(data);
  });

  it('json answers application/json once; plain streams text/plain deltas', async () => {
    const json = await runtime('json', encodeAgentRuntimePayload({ prompt: 'hi', sessionAttributes: {} }));
    expect(json.out.contentType).toBe('application/json');
    expect(JSON.parse(json.body)).toEqual({
      text: echoAnswer('hi'),
      usage: { inputTokens: inputTokensFor('hi'), outputTokens: outputTokensFor(echoAnswer('hi')) },
    });
    const plain = await runtime('plain', encodeAgentRuntimePayload({ prompt: 'hi', sessionAttributes: {} }));
    expect(plain.out.contentType).toBe('text/plain; charset=utf-8');
    expect(plain.body).toBe(echoAnswer('hi'));
  });

  it('faulty sends one delta then an error event', async () => {
    const { body } = await runtime('faulty', encodeAgentRuntimePayload({ prompt: 'hi', sessionAttributes: {} }));
    expect(parse(body)).toEqual([{ type: 'text', text: 'Partial answer' }, expect.objectContaining({ error: expect.any(String), error_type: 'RuntimeError' })]);
  });

  it('a payload that is not JSON is the agent failing (RuntimeClientError); unknown runtimes are ResourceNotFoundException', async () => {
    await expect(runtime('echo', 'not json')).rejects.toMatchObject({ name: 'RuntimeClientError' });
    await expect(runtime('nobody', '{}')).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('StopRuntimeSession ends a running answer and forgets the session; a second stop is ResourceNotFoundException', async () => {
    const runtimeSessionId = sid('stop');
    const out = await client.send(
      new InvokeAgentRuntimeCommand({
        agentRuntimeArn: emulatorRuntimeArn('hang'),
        runtimeSessionId,
        payload: new TextEncoder().encode(encodeAgentRuntimePayload({ prompt: 'x', sessionAttributes: {} })),
      }),
    );
    const reading = out.response!.transformToString();
    await vi.waitFor(() => expect(emu.activeStreams()).toBe(1));
    const stopped = await client.send(new StopRuntimeSessionCommand({ agentRuntimeArn: emulatorRuntimeArn('hang'), runtimeSessionId }));
    expect(stopped.runtimeSessionId).toBe(runtimeSessionId);
    expect(parse(await reading)).toEqual([{ type: 'text', text: 'Thinking' }]);
    expect(emu.activeStreams()).toBe(0);
    expect(emu.providerSessions().some((s) => s.key.endsWith(runtimeSessionId))).toBe(false);
    expect(emu.lastRequest()!.operation).toBe('StopRuntimeSession');
    await expect(client.send(new StopRuntimeSessionCommand({ agentRuntimeArn: emulatorRuntimeArn('hang'), runtimeSessionId }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('silent waits the configured time before answering', async () => {
    emu.configure({ silentMs: 50 });
    const { body } = await runtime('silent', encodeAgentRuntimePayload({ prompt: 'late', sessionAttributes: {} }));
    expect(
      parse(body)
        .filter((e) => e.type === 'text')
        .map((e) => e.text)
        .join(''),
    ).toBe(echoAnswer('late'));
  });
});
