/** The emulator through the REAL SDK clients (HTTP/2, event-stream frames). */
import {
  BedrockAgentRuntimeClient,
  InternalServerException,
  InvokeAgentCommand,
  InvokeInlineAgentCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-bedrock-agent-runtime';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoAnswer, inputTokensFor, outputTokensFor, startAgentEmulator, titleFor, type AgentEmulator } from '../../scripts/agent-emulator';

let emu: AgentEmulator;
let client: BedrockAgentRuntimeClient;
const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };

beforeAll(async () => {
  emu = await startAgentEmulator();
  client = new BedrockAgentRuntimeClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials });
});
afterAll(async () => {
  client.destroy();
  await emu.close();
});

type Ev = { kind: 'chunk'; text: string } | { kind: 'trace'; trace: any };

async function invoke(agentId: string, inputText: string, extra: Record<string, unknown> = {}) {
  const out = await client.send(
    new InvokeAgentCommand({
      agentId,
      agentAliasId: 'TSTALIASID',
      sessionId: 's-1',
      inputText,
      enableTrace: true,
      streamingConfigurations: { streamFinalResponse: true },
      ...extra,
    }),
  );
  const events: Ev[] = [];
  for await (const e of out.completion!) {
    if (e.chunk?.bytes) events.push({ kind: 'chunk', text: Buffer.from(e.chunk.bytes).toString('utf8') });
    if (e.trace) events.push({ kind: 'trace', trace: e.trace });
  }
  return { out, events };
}

describe('agent emulator', () => {
  it('echo: several chunks that together answer with the input verbatim, after usage traces', async () => {
    const input = 'What is the status of my order #42? ✓';
    const { out, events } = await invoke('echo', input);
    expect(out.sessionId).toBe('s-1');
    const chunks = events.filter((e) => e.kind === 'chunk').map((e) => (e as { text: string }).text);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks.join('')).toBe(echoAnswer(input));
    const usage = events
      .flatMap((e) => (e.kind === 'trace' ? [e.trace.trace?.orchestrationTrace?.modelInvocationOutput?.metadata?.usage] : []))
      .filter(Boolean);
    expect(usage).toEqual([{ inputTokens: inputTokensFor(input), outputTokens: outputTokensFor(echoAnswer(input)) }]);
    expect(events.findIndex((e) => e.kind === 'chunk')).toBeGreaterThan(events.findIndex((e) => e.kind === 'trace'));
  });

  it('honours enableTrace and streamFinalResponse', async () => {
    const { events } = await invoke('echo', 'hello there', { enableTrace: false, streamingConfigurations: { streamFinalResponse: false } });
    expect(events).toEqual([{ kind: 'chunk', text: echoAnswer('hello there') }]);
  });

  it('records the session attributes it was sent', async () => {
    const sessionAttributes = { userId: 'u1', tier: 'premium', 'pika.jsonKeys': '["n"]', n: '3' };
    const { events } = await invoke('echo-attributes', 'x', { sessionState: { sessionAttributes } });
    expect(emu.lastRequest()?.body.sessionState.sessionAttributes).toEqual(sessionAttributes);
    expect(
      JSON.parse(
        events
          .filter((e) => e.kind === 'chunk')
          .map((e) => (e as { text: string }).text)
          .join(''),
      ),
    ).toEqual(sessionAttributes);
    expect(emu.lastRequest()?.params).toMatchObject({ agentId: 'echo-attributes', sessionId: 's-1' });
  });

  it('faulty: the first chunk arrives, then the SDK throws the modeled error', async () => {
    const out = await client.send(new InvokeAgentCommand({ agentId: 'faulty', agentAliasId: 'A', sessionId: 's-2', inputText: 'hi', enableTrace: true }));
    const got: string[] = [];
    const err = await (async () => {
      for await (const e of out.completion!) if (e.chunk?.bytes) got.push(Buffer.from(e.chunk.bytes).toString());
    })().catch((e: unknown) => e);
    expect(got).toEqual(['Partial answer']);
    expect(err).toBeInstanceOf(InternalServerException);
  });

  it('unknown agents are ResourceNotFoundException', async () => {
    await expect(invoke('nobody', 'x')).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('inline agents answer like echo', async () => {
    const out = await client.send(
      new InvokeInlineAgentCommand({ sessionId: 's-3', inputText: 'inline hi', foundationModel: 'm', instruction: 'x'.repeat(40), enableTrace: true }),
    );
    let text = '';
    for await (const e of out.completion!) if (e.chunk?.bytes) text += Buffer.from(e.chunk.bytes).toString();
    expect(text).toBe(echoAnswer('inline hi'));
    expect(emu.lastRequest()?.operation).toBe('InvokeInlineAgent');
  });

  it('Converse makes deterministic titles; fail-title fails', async () => {
    const runtime = new BedrockRuntimeClient({ endpoint: emu.runtimeEndpoint, region: 'us-east-1', credentials });
    const text = 'How do I reset my password please';
    const out = await runtime.send(new ConverseCommand({ modelId: 'title-model', messages: [{ role: 'user', content: [{ text }] }] }));
    expect(out.output?.message?.content?.[0]?.text).toBe(titleFor(text));
    expect(out.usage?.outputTokens).toBeGreaterThan(0);
    await expect(runtime.send(new ConverseCommand({ modelId: 'fail-title', messages: [{ role: 'user', content: [{ text }] }] }))).rejects.toThrow();
    runtime.destroy();
  });
});
