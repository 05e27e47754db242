/**
 * The Vercel AI SDK's own client against POST /converse/ai-sdk (issue 26 items 1, 3, 4): `ai`'s
 * DefaultChatTransport + readUIMessageStream and `@ai-sdk/react`'s Chat class (no DOM needed), unchanged, over
 * HTTP through the local server, the real SDK clients and the agent emulator.
 */
import { Chat } from '@ai-sdk/react';
import { DefaultChatTransport, readUIMessageStream, type UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { echoAnswer } from '../../scripts/agent-emulator';
import { token, uid } from '../api/harness';
import { useConverse, chatAppWith, storedMessages, messagesWhen } from './harness';
import { aiSdkBody, postProtocol, uiUserMessage } from './protocol-harness';

const { api } = useConverse();

const appFor = async (kind: string, name: string, extra: Record<string, unknown> = {}) => (await chatAppWith(api, kind, name, extra)).chatAppId;

const transportFor = (t: string, chatAppId: string) =>
  new DefaultChatTransport<UIMessage>({ api: `${api.url}/converse/ai-sdk`, headers: { authorization: `Bearer ${t}` }, body: { chatAppId } });

/** Sends the chat so far and reads the answer as the SDK does: every snapshot of the assistant message. */
async function send(transport: DefaultChatTransport<UIMessage>, chatId: string, messages: UIMessage[], signal?: AbortSignal) {
  const stream = await transport.sendMessages({ chatId, messages, trigger: 'submit-message', messageId: undefined, abortSignal: signal });
  const snapshots: UIMessage[] = [];
  const errors: Error[] = [];
  for await (const m of readUIMessageStream({ stream, onError: (e) => errors.push(e as Error) })) snapshots.push(structuredClone(m));
  return { snapshots, last: snapshots.at(-1)!, errors };
}

const textOf = (m: UIMessage) =>
  m.parts
    .filter((p) => p.type === 'text')
    .map((p) => (p as { text: string }).text)
    .join('');
const messagesOf = (t: string, sessionId: string) => storedMessages(api, t, sessionId);

describe('POST /converse/ai-sdk with the AI SDK', () => {
  it('streams the answer in several parts, then continues the same session with the second message', async () => {
    const t = await token(uid());
    const chatAppId = await appFor('classic', 'echo');
    const transport = transportFor(t, chatAppId);
    const chatId = uid('chat');
    const first = uiUserMessage(uid('m'), 'Hello from useChat');
    const r1 = await send(transport, chatId, [first]);
    expect(r1.errors).toEqual([]);
    expect(textOf(r1.last)).toBe(echoAnswer('Hello from useChat'));
    // Several deltas: the text grew over several snapshots.
    expect(new Set(r1.snapshots.map(textOf).filter(Boolean)).size).toBeGreaterThanOrEqual(3);
    const meta = r1.last.metadata as { sessionId: string; messageId: string; usage: { totalCost: number } };
    expect(meta.usage.totalCost).toBeGreaterThan(0);
    const stored1 = await messagesOf(t, meta.sessionId);
    expect(stored1.map((m) => [m.role, m.content])).toEqual([
      ['user', 'Hello from useChat'],
      ['assistant', echoAnswer('Hello from useChat')],
    ]);
    expect(stored1[1].messageId).toBe(meta.messageId);

    const second = uiUserMessage(uid('m'), 'And a second one');
    const r2 = await send(transport, chatId, [first, { ...r1.last, id: r1.last.id || uid('a') }, second]);
    expect(textOf(r2.last)).toBe(echoAnswer('And a second one'));
    expect((r2.last.metadata as { sessionId: string }).sessionId).toBe(meta.sessionId);
    expect((await messagesOf(t, meta.sessionId)).map((m) => m.content)).toEqual([
      'Hello from useChat',
      echoAnswer('Hello from useChat'),
      'And a second one',
      echoAnswer('And a second one'),
    ]);
    // The chat is listed like any other session.
    const list = (await api.call('GET', `/sessions?chatAppId=${chatAppId}`, { token: t })).body.items as any[];
    expect(list.map((s) => s.sessionId)).toEqual([meta.sessionId]);
  });

  it("@ai-sdk/react's Chat runs unchanged: send, stream, stored", async () => {
    const t = await token(uid());
    const chatAppId = await appFor('harness', 'echo');
    const chat = new Chat({ id: uid('chat'), transport: transportFor(t, chatAppId) });
    await chat.sendMessage({ text: 'Hi Chat' });
    expect(chat.status).toBe('ready');
    expect(chat.messages.map((m) => [m.role, textOf(m)])).toEqual([
      ['user', 'Hi Chat'],
      ['assistant', echoAnswer('Hi Chat')],
    ]);
    await chat.sendMessage({ text: 'Again' });
    const sessionId = (chat.messages[1]!.metadata as { sessionId: string }).sessionId;
    expect((chat.messages[3]!.metadata as { sessionId: string }).sessionId).toBe(sessionId);
    expect(await messagesOf(t, sessionId)).toHaveLength(4);
  });

  it('a faulty agent is the protocol error (error chunk with a safe text); the failed turn is stored', async () => {
    const t = await token(uid());
    const chatAppId = await appFor('classic', 'faulty');
    const chat = new Chat({ id: uid('chat'), transport: transportFor(t, chatAppId) });
    await chat.sendMessage({ text: 'please fail' });
    expect(chat.status).toBe('error');
    expect(chat.error?.message).toBe('The agent failed while answering');
    const raw = await postProtocol(api.url, '/converse/ai-sdk', t, aiSdkBody(uid('chat'), chatAppId, 'fail again'));
    const types = raw.frames.map((f) => (typeof f === 'string' ? f : f.type));
    expect(types.slice(-3)).toEqual(['error', 'finish', '[DONE]']);
    expect(JSON.stringify(raw.frames)).not.toMatch(/on purpose|internalServer/i);
    const sessionId = raw.frames[0].messageMetadata.sessionId;
    expect((await messagesOf(t, sessionId)).map((m) => [m.role, m.status])).toEqual([
      ['user', undefined],
      ['assistant', 'failed'],
    ]);
  });

  it('refusals are JSON with their status before any stream: a bad token is 401, a bad body 400', async () => {
    const chatAppId = await appFor('classic', 'echo');
    const chat = new Chat({ id: uid('chat'), transport: transportFor('not-a-token', chatAppId) });
    await chat.sendMessage({ text: 'hello?' });
    expect(chat.status).toBe('error');
    expect((chat.error as { statusCode?: number }).statusCode).toBe(401);
    const t = await token(uid());
    const noUser = await postProtocol(api.url, '/converse/ai-sdk', t, {
      ...aiSdkBody(uid('chat'), chatAppId, 'x'),
      messages: [{ id: 'a', role: 'assistant', parts: [] }],
    });
    expect(noUser.status).toBe(400);
    expect(noUser.error.error.details).toEqual([expect.objectContaining({ path: 'body.messages' })]);
    const file = await postProtocol(api.url, '/converse/ai-sdk', t, {
      ...aiSdkBody(uid('chat'), chatAppId, 'x'),
      messages: [
        {
          id: 'u',
          role: 'user',
          parts: [
            { type: 'text', text: 'see' },
            { type: 'file', mediaType: 'text/plain', url: 'data:,x' },
          ],
        },
      ],
    });
    expect(file.status).toBe(400);
    expect(file.headers.get('content-type')).toMatch(/application\/json/);
  });

  it('the response is the UI message stream v1 (headers, LF framing, start … finish, [DONE]); a retry with the same message id replays', async () => {
    const t = await token(uid());
    const chatAppId = await appFor('classic', 'echo');
    const body = aiSdkBody(uid('chat'), chatAppId, 'frames please');
    const r = await postProtocol(api.url, '/converse/ai-sdk', t, body);
    expect(r.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    expect(r.headers.get('x-protocol')).toBe('ai-sdk-ui-message-stream/v1');
    expect(r.text).not.toContain('\r');
    const types = r.frames.map((f) => (typeof f === 'string' ? f : f.type));
    // Each stream is one step (a resumed turn's answer is a step of its own: useChat's lastAssistantMessageIsComplete… read steps).
    expect(types.slice(0, 4)).toEqual(['start', 'start-step', 'text-start', 'text-delta']);
    expect(types.slice(-3)).toEqual(['text-end', 'finish', '[DONE]']);
    const again = await postProtocol(api.url, '/converse/ai-sdk', t, body);
    expect(again.frames.at(-2)).toMatchObject({ type: 'finish', messageMetadata: { replayed: true, messageId: r.frames.at(-2).messageMetadata.messageId } });
    expect(await messagesOf(t, r.frames[0].messageMetadata.sessionId)).toHaveLength(2);
  });

  it('tool calls stream as dynamic tool parts when the chat app streams traces', async () => {
    const t = await token(uid());
    const chatAppId = await appFor('harness', 'tools', { streamTraces: true, features: { traces: { featureId: 'traces', enabled: true } } });
    const r = await send(transportFor(t, chatAppId), uid('chat'), [uiUserMessage(uid('m'), 'use your tools')]);
    const tools = r.last.parts.filter((p) => p.type === 'dynamic-tool') as any[];
    expect(tools.length).toBeGreaterThan(0);
    expect(tools[0]).toMatchObject({ state: 'output-available', providerExecuted: true });
    expect(tools[0].toolName).toBeTruthy();
  });

  it('an aborted stream still stores the whole turn', async () => {
    const t = await token(uid());
    const chatAppId = await appFor('classic', 'slow');
    const controller = new AbortController();
    const stream = await transportFor(t, chatAppId).sendMessages({
      chatId: uid('chat'),
      messages: [uiUserMessage(uid('m'), 'I will not wait')],
      trigger: 'submit-message',
      messageId: undefined,
      abortSignal: controller.signal,
    });
    let sessionId = '';
    const reader = stream.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (value.type === 'start') sessionId = (value.messageMetadata as { sessionId: string }).sessionId;
      if (value.type === 'text-delta') break;
    }
    controller.abort();
    await reader.cancel().catch(() => undefined);
    const stored = await messagesWhen(api, t, sessionId, 2);
    expect(stored[1]).toMatchObject({ role: 'assistant', status: 'complete', content: echoAnswer('I will not wait') });
  });
});
