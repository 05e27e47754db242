/**
 * The converse turn's extras through the client protocols (issue 26 items 1, 2, 4), read with the real
 * libraries: heartbeats while the agent is silent, a stop request (POST /sessions/{id}/cancel), answer
 * verification and its retry.
 */
import { Chat } from '@ai-sdk/react';
import { HttpAgent, type BaseEvent } from '@ag-ui/client';
import { DefaultChatTransport, type UIMessage } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { echoAnswer } from '../../scripts/agent-emulator';
import { token, uid } from '../api/harness';
import { useConverse, chatAppWith, storedMessages } from './harness';
import { agUiBody, aiSdkBody, postProtocol, uiUserMessage } from './protocol-harness';

const { api, emulator } = useConverse();

afterEach(() => {
  delete process.env.HEARTBEAT_MS;
  emulator().configure({ silentMs: 20_000 });
});

const appFor = async (kind: string, name: string, extra: Record<string, unknown> = {}) => (await chatAppWith(api, kind, name, extra)).chatAppId;

const transportFor = (t: string, chatAppId: string) =>
  new DefaultChatTransport<UIMessage>({ api: `${api.url}/converse/ai-sdk`, headers: { authorization: `Bearer ${t}` }, body: { chatAppId } });
const verifying = (graderModelId: string, retry = false) => ({
  features: {
    verifyResponse: {
      featureId: 'verifyResponse',
      enabled: true,
      graderModel: { modelId: graderModelId, pricing: { inputPer1kTokens: 0.00025, outputPer1kTokens: 0.00125 } },
      ...(retry ? { retryAtOrBelow: 'C' } : {}),
    },
  },
});
const messagesOf = (t: string, sessionId: string) => storedMessages(api, t, sessionId);

describe('heartbeats', () => {
  it.each([
    ['/converse/ai-sdk', aiSdkBody],
    ['/converse/ag-ui', agUiBody],
  ] as const)('%s: a silent agent gets SSE comments, which the stream keeps until it speaks', async (path, bodyOf) => {
    process.env.HEARTBEAT_MS = '40';
    emulator().configure({ silentMs: 400 });
    const r = await postProtocol(api.url, path, await token(uid()), bodyOf(uid('chat'), await appFor('classic', 'silent'), 'ping me'));
    expect(r.text.split('\n\n').filter((b) => b === ': ping').length).toBeGreaterThanOrEqual(3);
    expect(r.frames.map((f) => (typeof f === 'string' ? f : f.type))).toContain(path.endsWith('ai-sdk') ? 'finish' : 'RUN_FINISHED');
  });

  it('useChat reads through them', async () => {
    process.env.HEARTBEAT_MS = '40';
    emulator().configure({ silentMs: 300 });
    const chat = new Chat({ transport: transportFor(await token(uid()), await appFor('harness', 'silent')) });
    await chat.sendMessage({ text: 'ping me' });
    expect(chat.messages[1]!.parts.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text)).toEqual([echoAnswer('ping me')]);
  });
});

describe('stop (POST /sessions/{id}/cancel)', () => {
  it('the AI SDK stream ends with abort; the answer is stored cancelled', async () => {
    const t = await token(uid());
    const chatAppId = await appFor('classic', 'hang');
    const stream = await transportFor(t, chatAppId).sendMessages({
      chatId: uid('chat'),
      messages: [uiUserMessage(uid('m'), 'take your time')],
      trigger: 'submit-message',
      messageId: undefined,
      abortSignal: undefined,
    });
    const types: string[] = [];
    let sessionId = '';
    for await (const chunk of stream as unknown as AsyncIterable<{ type: string; messageMetadata?: { sessionId: string } }>) {
      types.push(chunk.type);
      if (chunk.type === 'start') sessionId = chunk.messageMetadata!.sessionId;
      if (chunk.type === 'text-delta' && types.filter((x) => x === 'text-delta').length === 1)
        expect((await api.call('POST', `/sessions/${sessionId}/cancel`, { token: t })).status).toBe(202);
    }
    expect(types.slice(-2)).toEqual(['message-metadata', 'abort']);
    expect((await messagesOf(t, sessionId))[1]).toMatchObject({ status: 'cancelled', content: 'Thinking' });
  });

  it('the AG-UI run finishes with outcome cancelled; the answer is stored cancelled', async () => {
    const t = await token(uid());
    const chatAppId = await appFor('classic', 'hang');
    const agent = new HttpAgent({ url: `${api.url}/converse/ag-ui`, headers: { authorization: `Bearer ${t}` } });
    agent.addMessage({ id: uid('m'), role: 'user', content: 'take your time' });
    const events: BaseEvent[] = [];
    let sessionId = '';
    await agent.runAgent(
      { forwardedProps: { chatAppId } },
      {
        onEvent: ({ event }) => void events.push(event),
        onCustomEvent: ({ event }) => {
          if (event.name === 'pika.session') sessionId = event.value.sessionId;
        },
        onTextMessageContentEvent: async () => {
          await api.call('POST', `/sessions/${sessionId}/cancel`, { token: t });
        },
      },
    );
    expect(events.at(-1)).toMatchObject({ type: 'RUN_FINISHED', outcome: { type: 'cancelled' } });
    expect((await messagesOf(t, sessionId))[1]).toMatchObject({ status: 'cancelled', content: 'Thinking' });
  });
});

describe('answer verification', () => {
  it('the grade is a data-verification part of the AI SDK message; a retry a data-retry part and a new text part', async () => {
    const t = await token(uid());
    const chat = new Chat({ transport: transportFor(t, await appFor('classic', 'echo', verifying('grader-C-then-A', true))) });
    await chat.sendMessage({ text: 'grade me' });
    const parts = chat.messages[1]!.parts.map((p) => p.type);
    expect(parts).toEqual(['step-start', 'text', 'data-verification', 'data-retry', 'text']);
    expect(chat.messages[1]!.parts.find((p) => p.type === 'data-verification')).toMatchObject({ data: { grade: 'A' } });
    expect(chat.messages[1]!.parts.find((p) => p.type === 'data-retry')).toMatchObject({ data: { grade: 'C' } });
  });

  it('AG-UI gets the grade as CUSTOM pika.verification', async () => {
    const t = await token(uid());
    const chatAppId = await appFor('classic', 'echo', verifying('grader-B'));
    const r = await postProtocol(api.url, '/converse/ag-ui', t, agUiBody(uid('thread'), chatAppId, 'grade me'));
    expect(r.frames.find((f) => f.name === 'pika.verification')).toMatchObject({ type: 'CUSTOM', value: { grade: 'B' } });
    expect(r.frames.at(-1).type).toBe('RUN_FINISHED');
  });
});
