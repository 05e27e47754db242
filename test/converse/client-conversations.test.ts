/**
 * The client's conversation id is the session (issue 26 item 3): the AI SDK chat id and the AG-UI threadId
 * create one session of their user, continue it, never reach another user's, and reopen with the stored
 * history in the library's own message shape (pika-shared/util/chat-protocols).
 */
import { Chat } from '@ai-sdk/react';
import { HttpAgent } from '@ag-ui/client';
import { DefaultChatTransport, type UIMessage } from 'ai';
import { toAgUiMessages, toUIMessages } from 'pika-shared/util/chat-protocols';
import { describe, expect, it } from 'vitest';
import { conversationSessionId } from '../../functions/data/keys';
import { echoAnswer } from '../../scripts/agent-emulator';
import { ROLES, token, uid } from '../api/harness';
import { AGENT_KINDS, TEST_PRICING, useConverse } from './harness';
import { agUiBody, aiSdkBody, postProtocol } from './protocol-harness';

const { api } = useConverse();

async function appFor(name: string) {
  const admin = await token(uid('site'), [ROLES.siteAdmin]);
  const agentId = uid(`classic-${name}`);
  const chatAppId = uid('app');
  expect((await api.call('PUT', `/admin/agents/${agentId}`, { token: admin, body: { agent: AGENT_KINDS.classic!(name), pricing: TEST_PRICING } })).status).toBe(
    200,
  );
  expect((await api.call('PUT', `/admin/chat-apps/${chatAppId}`, { token: admin, body: { title: name, enabled: true, agentId } })).status).toBe(200);
  return chatAppId;
}

const messagesOf = async (t: string, sessionId: string) =>
  (await api.call('GET', `/sessions/${sessionId}/messages?limit=100`, { token: t })).body.items as any[];
const sessionsOf = async (t: string, chatAppId: string) =>
  ((await api.call('GET', `/sessions?chatAppId=${chatAppId}`, { token: t })).body.items as any[]).map((s) => s.sessionId as string);
const sessionOfAiSdk = (r: Awaited<ReturnType<typeof postProtocol>>) => r.frames[0].messageMetadata.sessionId as string;
const sessionOfAgUi = (r: Awaited<ReturnType<typeof postProtocol>>) => r.frames[1].value.sessionId as string;

describe.each([
  ['AI SDK', '/converse/ai-sdk', aiSdkBody, sessionOfAiSdk],
  ['AG-UI', '/converse/ag-ui', agUiBody, sessionOfAgUi],
] as const)('%s conversation ids', (_name, path, bodyOf, sessionOf) => {
  it('the same id from two users is two sessions; each continues its own', async () => {
    const chatAppId = await appFor('echo');
    const [alice, bob] = [await token(uid('alice')), await token(uid('bob'))];
    const chatId = uid('chat');
    const a1 = await postProtocol(api.url, path, alice, bodyOf(chatId, chatAppId, 'alice one'));
    const b1 = await postProtocol(api.url, path, bob, bodyOf(chatId, chatAppId, 'bob one'));
    const a2 = await postProtocol(api.url, path, alice, bodyOf(chatId, chatAppId, 'alice two'));
    expect([a1.status, b1.status, a2.status]).toEqual([200, 200, 200]);
    expect(sessionOf(a1)).not.toBe(sessionOf(b1));
    expect(sessionOf(a2)).toBe(sessionOf(a1));
    expect((await messagesOf(alice, sessionOf(a1))).map((m) => m.content)).toEqual([
      'alice one',
      echoAnswer('alice one'),
      'alice two',
      echoAnswer('alice two'),
    ]);
    expect((await messagesOf(bob, sessionOf(b1))).map((m) => m.content)).toEqual(['bob one', echoAnswer('bob one')]);
    expect(await sessionsOf(alice, chatAppId)).toEqual([sessionOf(a1)]);
    expect(await sessionsOf(bob, chatAppId)).toEqual([sessionOf(b1)]);
  });

  it("another user's session id is a 404 and reaches nothing; the owner continues it by its id", async () => {
    const chatAppId = await appFor('echo');
    const [alice, bob] = [await token(uid('alice')), await token(uid('bob'))];
    const first = await postProtocol(api.url, path, alice, bodyOf(uid('chat'), chatAppId, 'private'));
    const sessionId = sessionOf(first);
    const stolen = await postProtocol(api.url, path, bob, bodyOf(sessionId, chatAppId, 'let me in'));
    expect(stolen.status).toBe(404);
    expect(stolen.error.error.code).toBe('NOT_FOUND');
    expect(await sessionsOf(bob, chatAppId)).toEqual([]);
    // The owner reopens the chat by the session's id (from the session list) and continues it.
    const again = await postProtocol(api.url, path, alice, bodyOf(sessionId, chatAppId, 'still me'));
    expect(sessionOf(again)).toBe(sessionId);
    expect(await messagesOf(alice, sessionId)).toHaveLength(4);
  });

  it('two concurrent first requests with a new id create exactly one session', async () => {
    const chatAppId = await appFor('slow');
    const t = await token(uid());
    const chatId = uid('chat');
    const results = await Promise.all([1, 2].map((i) => postProtocol(api.url, path, t, bodyOf(chatId, chatAppId, `racer ${i}`))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    expect([200, 409]).toContain(statuses[1]);
    const refused = results.find((r) => r.status === 409);
    if (refused) expect(['TURN_IN_PROGRESS', 'CONFLICT']).toContain(refused.error.error.code);
    expect(await sessionsOf(t, chatAppId)).toEqual([conversationSessionIdFor(results)]);
  });
});

/** The one session both racers name (the winners all report the same). */
function conversationSessionIdFor(results: Awaited<ReturnType<typeof postProtocol>>[]): string {
  const ids = new Set(results.filter((r) => r.status === 200).map((r) => (r.frames[0].messageMetadata ?? r.frames[1].value).sessionId as string));
  expect(ids.size).toBe(1);
  return [...ids][0]!;
}

describe('reopening a chat', () => {
  it('the derived session id is per user and valid as a session id', () => {
    const a = conversationSessionId('alice', 'chat-1');
    expect(a).toMatch(/^c-[0-9a-f]{32}$/);
    expect(conversationSessionId('bob', 'chat-1')).not.toBe(a);
    expect(conversationSessionId('alice', 'chat-1')).toBe(a);
  });

  it('useChat reopens with the stored history (toUIMessages) and the next message continues the session', async () => {
    const chatAppId = await appFor('echo');
    const t = await token(uid());
    const transport = new DefaultChatTransport<UIMessage>({
      api: `${api.url}/converse/ai-sdk`,
      headers: { authorization: `Bearer ${t}` },
      body: { chatAppId },
    });
    const first = new Chat({ id: uid('chat'), transport });
    await first.sendMessage({ text: 'remember me' });
    const sessionId = (first.messages[1]!.metadata as { sessionId: string }).sessionId;
    // Later, elsewhere: the session list gives the id, the messages route the history.
    const history = toUIMessages(await messagesOf(t, sessionId));
    expect(history.map((m) => [m.role, m.parts[0]?.text])).toEqual([
      ['user', 'remember me'],
      ['assistant', echoAnswer('remember me')],
    ]);
    const reopened = new Chat<UIMessage>({ id: sessionId, messages: history as UIMessage[], transport });
    await reopened.sendMessage({ text: 'it is me again' });
    expect((reopened.messages[3]!.metadata as { sessionId: string }).sessionId).toBe(sessionId);
    expect(await messagesOf(t, sessionId)).toHaveLength(4);
  });

  it('HttpAgent reopens with the stored history (toAgUiMessages) on the session id as threadId', async () => {
    const chatAppId = await appFor('echo');
    const t = await token(uid());
    const first = await postProtocol(api.url, '/converse/ag-ui', t, agUiBody(uid('thread'), chatAppId, 'hello thread'));
    const sessionId = sessionOfAgUi(first);
    const agent = new HttpAgent({
      url: `${api.url}/converse/ag-ui`,
      headers: { authorization: `Bearer ${t}` },
      threadId: sessionId,
      initialMessages: toAgUiMessages(await messagesOf(t, sessionId)),
    });
    agent.addMessage({ id: uid('m'), role: 'user', content: 'back again' });
    await agent.runAgent({ forwardedProps: { chatAppId } });
    expect(agent.messages.map((m) => m.content)).toEqual(['hello thread', echoAnswer('hello thread'), 'back again', echoAnswer('back again')]);
    expect(await messagesOf(t, sessionId)).toHaveLength(4);
  });
});
