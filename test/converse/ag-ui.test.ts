/**
 * AG-UI's own client against POST /converse/ag-ui (issue 26 items 2, 3, 4): `@ag-ui/client`'s HttpAgent,
 * unchanged, over HTTP through the local server, the real SDK clients and the agent emulator.
 */
import { HttpAgent, type BaseEvent } from '@ag-ui/client';
import { describe, expect, it, vi } from 'vitest';
import { echoAnswer } from '../../scripts/agent-emulator';
import { token, uid } from '../api/harness';
import { useConverse, chatAppWith, storedMessages, messagesWhen } from './harness';
import { agUiBody, postProtocol } from './protocol-harness';

const { api } = useConverse();

const appFor = async (kind: string, name: string, extra: Record<string, unknown> = {}) => (await chatAppWith(api, kind, name, extra)).chatAppId;

const agentFor = (t: string, threadId = uid('thread')) =>
  new HttpAgent({ url: `${api.url}/converse/ag-ui`, headers: { authorization: `Bearer ${t}` }, threadId });

/** Adds a user message and runs the agent as an app does, collecting every event the client saw. */
async function run(agent: HttpAgent, chatAppId: string, text: string) {
  agent.addMessage({ id: uid('m'), role: 'user', content: text });
  const events: BaseEvent[] = [];
  let error: unknown;
  const result = await agent.runAgent({ forwardedProps: { chatAppId } }, { onEvent: ({ event }) => void events.push(event) }).catch((err: unknown) => {
    error = err;
    return undefined;
  });
  return { events, types: events.map((e) => e.type), result, error };
}

const custom = (events: BaseEvent[], name: string) =>
  events.find((e) => e.type === 'CUSTOM' && (e as { name?: string }).name === name) as { value: any } | undefined;
const messagesOf = (t: string, sessionId: string) => storedMessages(api, t, sessionId);

describe('POST /converse/ag-ui with HttpAgent', () => {
  it('streams RUN_STARTED, text in several parts, RUN_FINISHED; a second run on the thread continues its session', async () => {
    const t = await token(uid());
    const chatAppId = await appFor('runtime', 'echo');
    const agent = agentFor(t);
    const r1 = await run(agent, chatAppId, 'Hello from AG-UI');
    expect(r1.error).toBeUndefined();
    expect(r1.types[0]).toBe('RUN_STARTED');
    expect(r1.types.at(-1)).toBe('RUN_FINISHED');
    expect(r1.types.filter((x) => x === 'TEXT_MESSAGE_CONTENT').length).toBeGreaterThanOrEqual(3);
    expect(agent.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'Hello from AG-UI'],
      ['assistant', echoAnswer('Hello from AG-UI')],
    ]);
    const { sessionId } = custom(r1.events, 'pika.session')!.value;
    expect(custom(r1.events, 'pika.done')!.value.usage.totalCost).toBeGreaterThan(0);
    expect(r1.result?.result).toEqual({ sessionId, messageId: custom(r1.events, 'pika.done')!.value.messageId });

    const r2 = await run(agent, chatAppId, 'Second message');
    expect(custom(r2.events, 'pika.session')!.value.sessionId).toBe(sessionId);
    expect((await messagesOf(t, sessionId)).map((m) => m.content)).toEqual([
      'Hello from AG-UI',
      echoAnswer('Hello from AG-UI'),
      'Second message',
      echoAnswer('Second message'),
    ]);
  });

  it('a faulty agent is RUN_ERROR with a safe message, and no RUN_FINISHED', async () => {
    const t = await token(uid());
    const chatAppId = await appFor('harness', 'faulty');
    const r = await run(agentFor(t), chatAppId, 'please fail');
    expect(r.types).toContain('RUN_ERROR');
    expect(r.types).not.toContain('RUN_FINISHED');
    const failure = r.events.find((e) => e.type === 'RUN_ERROR') as unknown as { message: string; code: string };
    expect(failure).toMatchObject({ message: 'The agent failed while answering', code: 'AGENT_ERROR' });
  });

  it('a bad token is a 401 before any event', async () => {
    const chatAppId = await appFor('classic', 'echo');
    // HttpAgent logs the failure it rethrows: kept out of the test output, and checked.
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const r = await run(agentFor('not-a-token'), chatAppId, 'hello?');
    const calls = [...logged.mock.calls];
    logged.mockRestore();
    expect(calls).toContainEqual(['Agent execution failed:', r.error]);
    expect((r.error as { status?: number }).status).toBe(401);
    expect(r.types).not.toContain('RUN_STARTED');
  });

  it('the answer frames: x-protocol header, LF framing, TEXT_MESSAGE_* between RUN_STARTED and RUN_FINISHED', async () => {
    const t = await token(uid());
    const chatAppId = await appFor('classic', 'echo');
    const r = await postProtocol(api.url, '/converse/ag-ui', t, agUiBody(uid('thread'), chatAppId, 'frames'));
    expect(r.headers.get('x-protocol')).toBe('ag-ui/1.0');
    expect(r.text).not.toContain('\r');
    const types = r.frames.map((f) => f.type);
    expect(types.slice(0, 3)).toEqual(['RUN_STARTED', 'CUSTOM', 'TEXT_MESSAGE_START']);
    expect(types.slice(-3)).toEqual(['TEXT_MESSAGE_END', 'CUSTOM', 'RUN_FINISHED']);
    expect(r.frames[0]).toMatchObject({ threadId: expect.any(String), runId: expect.any(String) });
  });

  it('an aborted run still stores the whole turn', async () => {
    const t = await token(uid());
    const chatAppId = await appFor('classic', 'slow');
    const agent = agentFor(t);
    agent.addMessage({ id: uid('m'), role: 'user', content: 'I will not wait' });
    let sessionId = '';
    await agent
      .runAgent(
        { forwardedProps: { chatAppId } },
        {
          onCustomEvent: ({ event }) => {
            if (event.name === 'pika.session') sessionId = event.value.sessionId;
          },
          onTextMessageContentEvent: () => agent.abortRun(),
        },
      )
      .catch(() => undefined);
    expect(sessionId).not.toBe('');
    const stored = await messagesWhen(api, t, sessionId, 2);
    expect(stored[1]).toMatchObject({ role: 'assistant', status: 'complete', content: echoAnswer('I will not wait') });
  });
});
