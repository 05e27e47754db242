/**
 * Human in the loop over our own SSE contract (issue 26 item 6): an Agents Classic agent returns control
 * (a client tool) or asks for a confirmation (an approval); the answer is stored as awaiting the client, and
 * the next /converse request with `toolResults` resumes the same provider session with the real
 * `returnControlInvocationResults` through the real SDK client and the agent emulator.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../functions/data/items';
import { getSessionWithUser } from '../../functions/data/sessions';
import { storeRedrivenAnswer, storeUserMessage } from '../../functions/data/turn-writes';
import { RETURN_CONTROL } from '../../scripts/agent-emulator/agents';
import { expectErrorShape, ROLES, token, uid } from '../api/harness';
import { converse, lastAgentRequest, textOf, useConverse } from './harness';
import { askingApp, storedMessages } from './hitl-harness';

const { api, emulator } = useConverse();

const requestOf = (r: Awaited<ReturnType<typeof converse>>) => r.events.find((e) => e.event === 'tool_request')?.data;

describe('human in the loop over /converse (Classic return of control, harness inline functions)', () => {
  it('a client tool round trip: tool_request, stored as awaiting, toolResults resume the same provider session', async () => {
    const t = await token(uid());
    const { chatAppId } = await askingApp(api, 'classic', 'ask-client');
    const r1 = await converse(api.url, t, { chatAppId, message: 'Where is order 42?' });
    expect(r1.status).toBe(200);
    const asked = requestOf(r1);
    expect(asked).toMatchObject({ name: 'lookup_order', kind: 'client-tool', input: RETURN_CONTROL.clientTool.input });
    expect(r1.events.at(-1)).toMatchObject({ event: 'done', data: { awaitingClient: true } });
    const { sessionId } = r1.events[0]!.data;
    const awaiting = await storedMessages(api, t, sessionId);
    expect(awaiting.map((m) => [m.role, m.status])).toEqual([
      ['user', undefined],
      ['assistant', 'awaiting-client'],
    ]);
    expect(awaiting[1].metadata.toolRequests).toEqual([asked]);
    const paused = lastAgentRequest(emulator())!;

    const r2 = await converse(api.url, t, { sessionId, toolResults: [{ toolCallId: asked.toolCallId, output: 'Shipped yesterday' }] });
    expect(r2.status).toBe(200);
    expect(textOf(r2.events)).toBe("The caller's lookup_order said: Shipped yesterday");
    expect(r2.events.at(-1)!.data.awaitingClient).toBeUndefined();
    // The same provider session, the paused invocation's id and the function's result, no input text.
    const resumed = lastAgentRequest(emulator())!;
    expect(resumed.params.sessionId).toBe(paused.params.sessionId);
    expect(resumed.body.inputText).toBeUndefined();
    expect(resumed.body.sessionState.invocationId).toBe(asked.toolCallId.split('.')[0]);
    expect(resumed.body.sessionState.returnControlInvocationResults).toEqual([
      {
        functionResult: {
          actionGroup: 'orders',
          function: 'lookup_order',
          responseBody: { TEXT: { body: 'Shipped yesterday' } },
          agentId: paused.params.agentId,
        },
      },
    ]);
    const stored = await storedMessages(api, t, sessionId);
    expect(stored.map((m) => [m.role, m.content, m.status])).toEqual([
      ['user', 'Where is order 42?', undefined],
      ['assistant', '', 'awaiting-client'],
      ['user', '', undefined],
      ['assistant', "The caller's lookup_order said: Shipped yesterday", 'complete'],
    ]);
    expect(stored[2].metadata.toolResults).toEqual([{ toolCallId: asked.toolCallId, name: 'lookup_order', output: 'Shipped yesterday' }]);
    // Nothing awaits any more: the session takes a plain message again, and a second answer is refused.
    const again = await converse(api.url, t, { sessionId, toolResults: [{ toolCallId: asked.toolCallId, output: 'again' }] });
    expectErrorShape({ status: again.status, body: again.error, headers: new Headers() } as never, 409, 'CONFLICT');
  });

  it('an approval round trip: approved runs the function, denied does not; each answer is stored', async () => {
    const t = await token(uid());
    const { chatAppId } = await askingApp(api, 'classic', 'ask-approval');
    for (const approved of [true, false]) {
      const r1 = await converse(api.url, t, { chatAppId, message: 'Cancel order 42' });
      const asked = requestOf(r1);
      expect(asked).toMatchObject({ name: 'cancel_order', kind: 'approval', input: { orderId: '42' } });
      const { sessionId } = r1.events[0]!.data;
      // An approval needs `approved`: 400 before any stream.
      const bad = await converse(api.url, t, { sessionId, toolResults: [{ toolCallId: asked.toolCallId, output: 'yes' }] });
      expect(bad.status).toBe(400);
      expect(bad.error.error.details[0].path).toBe('body.toolResults.0.approved');
      const r2 = await converse(api.url, t, {
        sessionId,
        toolResults: [{ toolCallId: asked.toolCallId, approved, ...(approved ? {} : { reason: 'changed my mind' }) }],
      });
      expect(textOf(r2.events)).toBe(approved ? 'Confirmed: cancel_order ran.' : 'Denied: cancel_order did not run.');
      const results = lastAgentRequest(emulator())!.body.sessionState.returnControlInvocationResults;
      expect(results[0].functionResult.confirmationState).toBe(approved ? 'CONFIRM' : 'DENY');
      const stored = await storedMessages(api, t, sessionId);
      expect(stored[2].metadata.toolResults).toEqual([
        { toolCallId: asked.toolCallId, name: 'cancel_order', approved, ...(approved ? {} : { reason: 'changed my mind' }) },
      ]);
      expect(stored[3].status).toBe('complete');
    }
  });

  it('refusals before the stream: another user 404, a plain message 409, unknown or missing ids 400', async () => {
    const t = await token(uid());
    const { chatAppId } = await askingApp(api, 'classic', 'ask-client');
    const r1 = await converse(api.url, t, { chatAppId, message: 'Where is order 42?' });
    const asked = requestOf(r1);
    const { sessionId } = r1.events[0]!.data;
    const answer = { toolCallId: asked.toolCallId, output: 'x' };
    const other = await converse(api.url, await token(uid()), { sessionId, toolResults: [answer] });
    expect(other.status).toBe(404);
    const plain = await converse(api.url, t, { sessionId, message: 'never mind' });
    expect(plain.status).toBe(409);
    expect(plain.error.error.details).toEqual({ awaitingToolCallIds: [asked.toolCallId] });
    const unknown = await converse(api.url, t, { sessionId, toolResults: [{ toolCallId: 'not-a-pending-call', output: 'x' }] });
    expect(unknown.status).toBe(400);
    expect(unknown.error.error.details[0].path).toBe('body.toolResults.0.toolCallId');
    const twice = await converse(api.url, t, { sessionId, toolResults: [answer, answer] });
    expect(twice.status).toBe(400);
    const both = await converse(api.url, t, { sessionId, message: 'hi', toolResults: [answer] });
    expect(both.status).toBe(400);
    const neither = await converse(api.url, t, { sessionId });
    expect(neither.status).toBe(400);
    const fresh = await converse(api.url, t, { chatAppId, toolResults: [answer] });
    expect(fresh.status).toBe(409);
    // Nothing above was stored or reached the agent: the call still awaits, and its answer still resumes it.
    expect(await storedMessages(api, t, sessionId)).toHaveLength(2);
    const r2 = await converse(api.url, t, { sessionId, toolResults: [answer] });
    expect(textOf(r2.events)).toBe("The caller's lookup_order said: x");
  });

  it('a function the chat app does not hand to its clients fails the turn clearly; nothing awaits', async () => {
    const t = await token(uid());
    const { chatAppId } = await askingApp(api, 'classic', 'ask-client', [{ name: 'something_else' }]);
    const r = await converse(api.url, t, { chatAppId, message: 'Where is order 42?' });
    expect(r.events.at(-1)).toEqual({
      event: 'error',
      data: { code: 'AGENT_ERROR', message: "The agent asked the client for 'lookup_order', which this chat app does not name in clientTools" },
    });
    const { sessionId } = r.events[0]!.data;
    expect((await storedMessages(api, t, sessionId)).map((m) => m.status)).toEqual([undefined, 'failed']);
  });

  it('an AgentCore harness inline function: resumed in the same runtime session with its toolUse and the toolResult', async () => {
    const t = await token(uid());
    const { chatAppId } = await askingApp(api, 'harness', 'ask-client');
    const r1 = await converse(api.url, t, { chatAppId, message: 'Where is order 42?' });
    const asked = requestOf(r1);
    expect(asked).toMatchObject({ name: 'lookup_order', kind: 'client-tool', input: { orderId: '42' } });
    const paused = lastAgentRequest(emulator())!;
    const { sessionId } = r1.events[0]!.data;
    const r2 = await converse(api.url, t, { sessionId, toolResults: [{ toolCallId: asked.toolCallId, output: 'In transit', isError: true }] });
    expect(textOf(r2.events)).toBe("The client's lookup_order failed: In transit");
    const resumed = lastAgentRequest(emulator())!;
    expect(resumed.params.runtimeSessionId).toBe(paused.params.runtimeSessionId);
    expect(resumed.body.messages).toEqual([
      { role: 'assistant', content: [{ toolUse: { toolUseId: asked.toolCallId, name: 'lookup_order', input: { orderId: '42' }, type: 'tool_use' } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: asked.toolCallId, content: [{ text: 'In transit' }], status: 'error' } }] },
    ]);
  });

  it('a harness inline function the chat app has approved by its clients: approve and deny', async () => {
    const t = await token(uid());
    const { chatAppId } = await askingApp(api, 'harness', 'ask-approval');
    for (const approved of [true, false]) {
      const r1 = await converse(api.url, t, { chatAppId, message: 'Cancel order 42' });
      const asked = requestOf(r1);
      expect(asked).toMatchObject({ name: 'cancel_order', kind: 'approval' });
      const r2 = await converse(api.url, t, { sessionId: r1.events[0]!.data.sessionId, toolResults: [{ toolCallId: asked.toolCallId, approved }] });
      expect(textOf(r2.events)).toBe(approved ? `The client's cancel_order said: {"approved":true}` : `The client's cancel_order failed: {"approved":false}`);
    }
  });

  it('idempotency: a retried ask replays its tool_request, a retried answer replays the resumed turn without resuming twice', async () => {
    const t = await token(uid());
    const { chatAppId } = await askingApp(api, 'classic', 'ask-client');
    const key = uid('k');
    const r1 = await converse(api.url, t, { chatAppId, message: 'Where is order 42?', clientMessageId: key });
    const replay = await converse(api.url, t, { chatAppId, message: 'Where is order 42?', clientMessageId: key });
    expect(requestOf(replay)).toEqual(requestOf(r1));
    expect(replay.events.at(-1)!.data).toMatchObject({ replayed: true, awaitingClient: true });
    const { sessionId } = r1.events[0]!.data;
    const answer = { sessionId, toolResults: [{ toolCallId: requestOf(r1).toolCallId, output: 'ok' }], clientMessageId: uid('k') };
    const calls = () =>
      emulator()
        .requests()
        .filter((q) => q.operation === 'InvokeAgent').length;
    const r2 = await converse(api.url, t, answer);
    const before = calls();
    const again = await converse(api.url, t, answer);
    expect(textOf(again.events)).toBe(textOf(r2.events));
    expect(again.events.at(-1)!.data.replayed).toBe(true);
    expect(calls()).toBe(before);
    expect(await storedMessages(api, t, sessionId)).toHaveLength(4);
  });

  it('clientTools are checked as chat app configuration: names like an agent function, each once', async () => {
    const admin = await token(uid('site'), [ROLES.siteAdmin]);
    for (const clientTools of [[{ name: 'a b' }], [{ name: 'x' }, { name: 'x', approval: true }], [{ name: 'x', extra: 1 }]]) {
      const r = await api.call('PUT', `/admin/chat-apps/${uid('app')}`, { token: admin, body: { title: 't', enabled: true, agentId: 'a', clientTools } });
      expect(r.status, JSON.stringify(clientTools)).toBe(400);
    }
  });

  it('the question’s write checks what awaits, not only the read before it: a stale resume or a plain message is a 409, nothing written', async () => {
    const userId = uid();
    const t = await token(userId);
    const { chatAppId } = await askingApp(api, 'classic', 'ask-client');
    const r1 = await converse(api.url, t, { chatAppId, message: 'Where is order 42?' });
    const { sessionId } = r1.events[0]!.data;
    const before = await storedMessages(api, t, sessionId);
    const write = (resumes?: string) =>
      storeUserMessage({
        userId,
        chatAppId,
        session: { sessionId },
        message: { content: '', source: 'user' },
        turnId: uid('turn'),
        leaseUntilIso: new Date(Date.now() + 30_000).toISOString(),
        resumes,
      });
    // As if another request had answered these requests (and the agent asked again) between the read and the write.
    await expect(write('an-answer-no-longer-awaiting')).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { awaitingToolCallIds: [requestOf(r1).toolCallId] },
    });
    // As if the agent had asked between a plain message's read and its write.
    await expect(write(undefined)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await storedMessages(api, t, sessionId)).toEqual(before);
    // The awaiting answer's own id passes: the resume the read saw.
    await expect(write(before[1].messageId)).resolves.toMatchObject({ message: { role: 'user' } });
  });

  it('an asking answer stored by the redrive keeps its calls pending as it frees the session; not when another turn took it', async () => {
    const userId = uid();
    const t = await token(userId);
    const { chatAppId, agentId } = await askingApp(api, 'classic', 'ask-client');
    const redriven = async (holding: boolean) => {
      const sessionId = (await api.call('POST', '/sessions', { token: t, body: { chatAppId } })).body.sessionId as string;
      const turnId = uid('turn');
      await storeUserMessage({
        userId,
        chatAppId,
        session: { sessionId },
        message: { content: 'q', source: 'user' },
        turnId,
        leaseUntilIso: new Date(Date.now() + 30_000).toISOString(),
      });
      const usage = { inputTokens: 1, outputTokens: 1, inputCost: 0, outputCost: 0, totalCost: 0 };
      const call = { toolCallId: 'inv-1.0', name: 'lookup_order', kind: 'client-tool' as const, input: { orderId: '42' } };
      const message = await storeRedrivenAnswer({
        userId,
        sessionId,
        messageId: newId(),
        turnId: holding ? turnId : uid('another-turn'),
        content: '',
        source: 'user',
        status: 'awaiting-client',
        usage,
        debit: { chatAppId, userId, agentId, at: new Date().toISOString(), usage, turns: 1 },
        awaiting: { agentId, invocationId: 'inv-1', calls: [call] },
      });
      return { message, provider: (await getSessionWithUser(sessionId, userId)).provider };
    };
    const kept = await redriven(true);
    expect(kept.provider.awaiting).toEqual({
      messageId: kept.message.messageId,
      agentId,
      invocationId: 'inv-1',
      calls: [expect.objectContaining({ toolCallId: 'inv-1.0' })],
    });
    expect((await redriven(false)).provider.awaiting).toBeUndefined();
  });
});
