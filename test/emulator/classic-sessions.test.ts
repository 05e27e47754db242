/** Classic (InvokeAgent / InvokeInlineAgent) provider sessions in the emulator, through the REAL SDK client. */
import { BedrockAgentRuntimeClient, InvokeAgentCommand, InvokeInlineAgentCommand } from '@aws-sdk/client-bedrock-agent-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoAnswer, recallAnswer, startAgentEmulator, type AgentEmulator } from '../../scripts/agent-emulator';

let emu: AgentEmulator;
let client: BedrockAgentRuntimeClient;
let clock = 0;

beforeAll(async () => {
  emu = await startAgentEmulator({ chunkDelayMs: 1, sessionIdleMs: 1_000, now: () => clock });
  client = new BedrockAgentRuntimeClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
});
afterAll(async () => {
  client.destroy();
  await emu.close();
});

async function collect(out: { completion?: AsyncIterable<{ chunk?: { bytes?: Uint8Array } }> }) {
  const chunks: Uint8Array[] = [];
  for await (const e of out.completion!) if (e.chunk?.bytes) chunks.push(e.chunk.bytes);
  return chunks;
}
const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString('utf8');

const ask = async (sessionId: string, inputText: string, extra: Record<string, unknown> = {}) =>
  text(
    await collect(
      await client.send(
        new InvokeAgentCommand({
          agentId: 'recall',
          agentAliasId: 'A',
          sessionId,
          inputText,
          streamingConfigurations: { streamFinalResponse: true },
          ...extra,
        }),
      ),
    ),
  );

describe('classic provider sessions', () => {
  it('recall remembers the session’s turns until it idles out, then only what conversationHistory carries', async () => {
    expect(await ask('c-1', 'first')).toBe(recallAnswer([], []));
    expect(await ask('c-1', 'second')).toBe(
      recallAnswer(
        [],
        [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: recallAnswer([], []) },
        ],
      ),
    );
    expect(await ask('c-other', 'x')).toBe(recallAnswer([], [])); // another session knows nothing
    clock += 1_001;
    const conversationHistory = {
      messages: [
        { role: 'user', content: [{ text: 'earlier' }] },
        { role: 'assistant', content: [{ text: 'noted' }] },
      ],
    };
    expect(await ask('c-1', 'third', { sessionState: { conversationHistory } })).toBe(
      'I remember 2 earlier turns (history: 2, session: 0):\nuser: earlier\nassistant: noted',
    );
  });

  it('inline agents pick a built-in agent by agentName and read inlineSessionState.conversationHistory', async () => {
    const conversationHistory = { messages: [{ role: 'user' as const, content: [{ text: 'hi' }] }] };
    const out = await client.send(
      new InvokeInlineAgentCommand({
        sessionId: 'i-1',
        agentName: 'recall',
        inputText: 'q',
        foundationModel: 'm',
        instruction: 'x'.repeat(40),
        inlineSessionState: { conversationHistory },
      }),
    );
    expect(text(await collect(out))).toBe('I remember 1 earlier turn (history: 1, session: 0):\nuser: hi');
    expect(
      emu
        .providerSessions()
        .find((s) => s.key === 'inline:i-1')
        ?.turns.map((t) => t.role),
    ).toEqual(['user', 'assistant']);
  });

  it('endSession ends the provider session after the answer', async () => {
    await ask('c-end', 'one', { endSession: true });
    expect(await ask('c-end', 'two')).toBe(recallAnswer([], []));
  });

  it('split-bytes cuts multi-byte characters across chunks: decoding chunk by chunk corrupts them, a stream decoder does not', async () => {
    const input = 'héllo ✓ 日本語 🎉';
    const chunks = await collect(await client.send(new InvokeAgentCommand({ agentId: 'split-bytes', agentAliasId: 'A', sessionId: 'b-1', inputText: input })));
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.map((c) => Buffer.from(c).toString('utf8')).join('')).not.toBe(echoAnswer(input));
    const decoder = new TextDecoder();
    expect(chunks.map((c) => decoder.decode(c, { stream: true })).join('') + decoder.decode()).toBe(echoAnswer(input));
  });

  it('silent waits the configured time, then answers like echo', async () => {
    emu.configure({ silentMs: 30 });
    const out = await client.send(new InvokeAgentCommand({ agentId: 'silent', agentAliasId: 'A', sessionId: 's-1', inputText: 'psst' }));
    expect(text(await collect(out))).toBe(echoAnswer('psst'));
  });
});
