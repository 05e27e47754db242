/**
 * Human in the loop with the Vercel AI SDK (issue 26 item 6): `@ai-sdk/react`'s Chat, unchanged, answers a
 * client tool with addToolOutput and an approval with addToolApprovalResponse; the next request carries the
 * assistant message's tool parts and resumes the same provider session (Agents Classic and an AgentCore harness
 * inline function, through the agent emulator).
 */
import { Chat } from '@ai-sdk/react';
import { DefaultChatTransport, type UIMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { token, uid } from '../api/harness';
import { lastAgentRequest, useConverse } from './harness';
import { askingApp, storedMessages } from './hitl-harness';
import { aiSdkBody, postProtocol } from './protocol-harness';

const { api, emulator } = useConverse();

const transportFor = (t: string, chatAppId: string) =>
  new DefaultChatTransport<UIMessage>({ api: `${api.url}/converse/ai-sdk`, headers: { authorization: `Bearer ${t}` }, body: { chatAppId } });

const textOf = (m: UIMessage) =>
  m.parts
    .filter((p) => p.type === 'text')
    .map((p) => (p as { text: string }).text)
    .join('');
const toolPart = (m: UIMessage) => m.parts.find((p) => p.type.startsWith('tool-')) as any;

describe('human in the loop with the AI SDK', () => {
  for (const kind of ['classic', 'harness']) {
    it(`${kind}: a client tool answered with addToolOutput resumes the agent, all in one assistant message`, async () => {
      const t = await token(uid());
      const { chatAppId } = await askingApp(api, kind, 'ask-client');
      const outputs: string[] = [];
      const chat: Chat<UIMessage> = new Chat({
        id: uid('chat'),
        transport: transportFor(t, chatAppId),
        onToolCall: ({ toolCall }) => {
          outputs.push(toolCall.toolName);
          void chat.addToolOutput({ tool: toolCall.toolName as never, toolCallId: toolCall.toolCallId, output: { status: 'shipped' } as never });
        },
      });
      await chat.sendMessage({ text: 'Where is order 42?' });
      expect(outputs).toEqual(['lookup_order']);
      expect(chat.status).toBe('ready');
      const asked = toolPart(chat.lastMessage!);
      expect(asked).toMatchObject({ type: 'tool-lookup_order', state: 'output-available', input: { orderId: '42' } });
      expect((chat.lastMessage!.metadata as { awaitingClient?: boolean }).awaitingClient).toBe(true);
      await chat.sendMessage();
      expect(chat.status).toBe('ready');
      expect(chat.messages).toHaveLength(2);
      expect(textOf(chat.lastMessage!)).toBe(
        kind === 'classic' ? 'The caller\'s lookup_order said: {"status":"shipped"}' : 'The client\'s lookup_order said: {"status":"shipped"}',
      );
      const sessionId = (chat.lastMessage!.metadata as { sessionId: string }).sessionId;
      expect((await storedMessages(api, t, sessionId)).map((m) => [m.role, m.status])).toEqual([
        ['user', undefined],
        ['assistant', 'awaiting-client'],
        ['user', undefined],
        ['assistant', 'complete'],
      ]);
    });
  }

  it('an approval: addToolApprovalResponse approve and deny each resume the Classic confirmation', async () => {
    const t = await token(uid());
    const { chatAppId } = await askingApp(api, 'classic', 'ask-approval');
    for (const approved of [true, false]) {
      const chat = new Chat<UIMessage>({ id: uid('chat'), transport: transportFor(t, chatAppId) });
      await chat.sendMessage({ text: 'Cancel order 42' });
      const asked = toolPart(chat.lastMessage!);
      expect(asked).toMatchObject({ type: 'tool-cancel_order', state: 'approval-requested', input: { orderId: '42' } });
      await chat.addToolApprovalResponse({ id: asked.approval.id, approved, ...(approved ? {} : { reason: 'not now' }) });
      await chat.sendMessage();
      expect(chat.status).toBe('ready');
      expect(textOf(chat.lastMessage!)).toBe(approved ? 'Confirmed: cancel_order ran.' : 'Denied: cancel_order did not run.');
      expect(lastAgentRequest(emulator())!.body.sessionState.returnControlInvocationResults[0].functionResult.confirmationState).toBe(
        approved ? 'CONFIRM' : 'DENY',
      );
      const sessionId = (chat.lastMessage!.metadata as { sessionId: string }).sessionId;
      const stored = await storedMessages(api, t, sessionId);
      expect(stored[2].metadata.toolResults).toEqual([
        { toolCallId: asked.toolCallId, name: 'cancel_order', approved, ...(approved ? {} : { reason: 'not now' }) },
      ]);
    }
  });

  it('the wire: tool-input-available, tool-approval-request, finish "tool-calls"; another user cannot answer', async () => {
    const t = await token(uid());
    const { chatAppId } = await askingApp(api, 'classic', 'ask-approval');
    const chatId = uid('chat');
    const body = aiSdkBody(chatId, chatAppId, 'Cancel order 42');
    const r = await postProtocol(api.url, '/converse/ai-sdk', t, body);
    const types = r.frames.map((f) => (typeof f === 'string' ? f : f.type));
    expect(types).toEqual(['start', 'start-step', 'tool-input-available', 'tool-approval-request', 'finish', '[DONE]']);
    const call = r.frames[2];
    expect(r.frames[3]).toEqual({ type: 'tool-approval-request', approvalId: call.toolCallId, toolCallId: call.toolCallId });
    expect(r.frames[4].finishReason).toBe('tool-calls');
    const answer = {
      id: uid('a'),
      role: 'assistant',
      parts: [
        {
          type: 'tool-cancel_order',
          toolCallId: call.toolCallId,
          state: 'approval-responded',
          input: call.input,
          approval: { id: call.toolCallId, approved: true },
        },
      ],
    };
    // The chat id is the caller's own: another user's same id is another (new) conversation with nothing awaiting.
    const other = await postProtocol(api.url, '/converse/ai-sdk', await token(uid()), { ...body, messages: [...body.messages, answer] });
    expect(other.status).toBe(409);
    // A new question while the approval is pending is refused (409) until it is answered.
    const plain = await postProtocol(api.url, '/converse/ai-sdk', t, aiSdkBody(chatId, chatAppId, 'never mind'));
    expect(plain.status).toBe(409);
    const ok = await postProtocol(api.url, '/converse/ai-sdk', t, { ...body, messages: [...body.messages, answer] });
    expect(ok.frames.find((f) => f.type === 'text-delta')).toBeDefined();
  });
});
