/**
 * Human in the loop with AG-UI (issue 26 item 6): `@ag-ui/client`'s HttpAgent, unchanged. The agent's ask is
 * TOOL_CALL_START / ARGS / END and RUN_FINISHED with an interrupt outcome; the next run answers it with a
 * `role: "tool"` message (a client tool) or a `resume` entry (an approval) and continues the same provider session.
 */
import { HttpAgent, type BaseEvent } from '@ag-ui/client';
import { describe, expect, it } from 'vitest';
import { token, uid } from '../api/harness';
import { lastAgentRequest, useConverse } from './harness';
import { askingApp, storedMessages } from './hitl-harness';
import { agUiBody, postProtocol } from './protocol-harness';

const { api, emulator } = useConverse();

const agentFor = (t: string, threadId = uid('thread')) =>
  new HttpAgent({ url: `${api.url}/converse/ag-ui`, headers: { authorization: `Bearer ${t}` }, threadId });

async function run(agent: HttpAgent, params: Parameters<HttpAgent['runAgent']>[0]) {
  const events: BaseEvent[] = [];
  const result = await agent.runAgent(params, { onEvent: ({ event }) => void events.push(event) });
  return { events, types: events.map((e) => e.type), result };
}

const finished = (events: BaseEvent[]) => events.find((e) => e.type === 'RUN_FINISHED') as any;
const textOf = (events: BaseEvent[]) =>
  events
    .filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')
    .map((e) => (e as unknown as { delta: string }).delta)
    .join('');

describe('human in the loop with HttpAgent', () => {
  it('a client tool: TOOL_CALL_* and an interrupt; a role "tool" message resumes the same Classic session', async () => {
    const t = await token(uid());
    const { chatAppId } = await askingApp(api, 'classic', 'ask-client');
    const agent = agentFor(t);
    agent.addMessage({ id: uid('m'), role: 'user', content: 'Where is order 42?' });
    const r1 = await run(agent, { forwardedProps: { chatAppId } });
    expect(r1.types).toEqual(['RUN_STARTED', 'CUSTOM', 'TOOL_CALL_START', 'TOOL_CALL_ARGS', 'TOOL_CALL_END', 'CUSTOM', 'RUN_FINISHED']);
    const call = (agent.messages.at(-1) as any).toolCalls[0];
    expect(call.function).toEqual({ name: 'lookup_order', arguments: JSON.stringify({ orderId: '42' }) });
    expect(finished(r1.events).outcome).toEqual({
      type: 'interrupt',
      interrupts: [{ id: call.id, reason: 'client_tool', toolCallId: call.id, message: 'Run lookup_order and send its result' }],
    });
    const paused = lastAgentRequest(emulator())!;
    agent.addMessage({ id: uid('m'), role: 'tool', toolCallId: call.id, content: 'Shipped yesterday' });
    const r2 = await run(agent, {
      forwardedProps: { chatAppId },
      resume: [{ interruptId: call.id, status: 'resolved', payload: { output: 'Shipped yesterday' } }],
    });
    expect(textOf(r2.events)).toBe("The caller's lookup_order said: Shipped yesterday");
    expect(finished(r2.events).outcome).toEqual({ type: 'success' });
    expect(lastAgentRequest(emulator())!.params.sessionId).toBe(paused.params.sessionId);
    const sessionId = finished(r2.events).result.sessionId;
    expect((await storedMessages(api, t, sessionId)).map((m) => [m.role, m.status])).toEqual([
      ['user', undefined],
      ['assistant', 'awaiting-client'],
      ['user', undefined],
      ['assistant', 'complete'],
    ]);
  });

  for (const approved of [true, false])
    it(`an approval answered by a resume entry (${approved ? 'approved' : 'cancelled'}) resumes the Classic confirmation`, async () => {
      const t = await token(uid());
      const { chatAppId } = await askingApp(api, 'classic', 'ask-approval');
      const agent = agentFor(t);
      agent.addMessage({ id: uid('m'), role: 'user', content: 'Cancel order 42' });
      const r1 = await run(agent, { forwardedProps: { chatAppId } });
      const [interrupt] = finished(r1.events).outcome.interrupts;
      expect(interrupt).toMatchObject({ reason: 'tool_approval', message: 'Approve cancel_order?' });
      const r2 = await run(agent, {
        forwardedProps: { chatAppId },
        resume: [
          approved ? { interruptId: interrupt.id, status: 'resolved', payload: { approved: true } } : { interruptId: interrupt.id, status: 'cancelled' },
        ],
      });
      expect(textOf(r2.events)).toBe(approved ? 'Confirmed: cancel_order ran.' : 'Denied: cancel_order did not run.');
      expect(lastAgentRequest(emulator())!.body.sessionState.returnControlInvocationResults[0].functionResult.confirmationState).toBe(
        approved ? 'CONFIRM' : 'DENY',
      );
    });

  it('refusals before the stream: an unknown interrupt 400, a new question while awaiting 409, another user 409', async () => {
    const t = await token(uid());
    const { chatAppId } = await askingApp(api, 'harness', 'ask-client');
    const threadId = uid('thread');
    const first = await postProtocol(api.url, '/converse/ag-ui', t, agUiBody(threadId, chatAppId, 'Where is order 42?'));
    const start = first.frames.find((f) => f.type === 'TOOL_CALL_START');
    expect(start.toolCallName).toBe('lookup_order');
    const answer = (id: string) => ({
      ...agUiBody(threadId, chatAppId, 'Where is order 42?'),
      resume: [{ interruptId: id, status: 'resolved', payload: { output: '42' } }],
    });
    const unknown = await postProtocol(api.url, '/converse/ag-ui', t, answer('tooluse-unknown'));
    expect(unknown.status).toBe(400);
    const plain = await postProtocol(api.url, '/converse/ag-ui', t, agUiBody(threadId, chatAppId, 'never mind'));
    expect(plain.status).toBe(409);
    const other = await postProtocol(api.url, '/converse/ag-ui', await token(uid()), answer(start.toolCallId));
    expect(other.status).toBe(409);
    const ok = await postProtocol(api.url, '/converse/ag-ui', t, answer(start.toolCallId));
    expect(ok.frames.filter((f) => f.type === 'TEXT_MESSAGE_CONTENT').length).toBeGreaterThan(0);
  });
});
