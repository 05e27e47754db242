/**
 * Property-based fuzzing of the human-in-the-loop answers (issue 26 item 6): hostile `toolResults` on /converse,
 * hostile answered tool parts on /converse/ai-sdk and hostile `resume` entries and tool messages on /converse/ag-ui,
 * all against a session whose answer awaits the client. Every one is a declared JSON 4xx before any stream:
 * nothing is stored, the agent is not called, and the awaiting call still takes its real answer afterwards.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectDeclared } from '../api/declared';
import { token, uid } from '../api/harness';
import { converse, textOf, useConverse } from '../converse/harness';
import { askingApp, storedMessages } from '../converse/hitl-harness';
import { agUiBody, aiSdkBody, postProtocol } from '../converse/protocol-harness';

const { api, emulator } = useConverse();

const seed = process.env.FUZZ_SEED === 'random' ? Date.now() : Number(process.env.FUZZ_SEED ?? 20261207);
fc.configureGlobal({ seed });

const weird = fc.oneof(
  fc.string(),
  fc.string({ minLength: 129, maxLength: 300 }),
  fc.constantFrom('__proto__', 'constructor', '../../etc', '%00', 'a#b', '💥', ' ', ''),
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
);

/** A session of a new conversation whose answer awaits the client (Agents Classic return of control). */
async function awaitingSession() {
  const t = await token(uid('fuzz'));
  const { chatAppId } = await askingApp(api, 'classic', 'ask-client');
  const chatId = uid('chat');
  const r = await postProtocol(api.url, '/converse/ai-sdk', t, aiSdkBody(chatId, chatAppId, 'Where is order 42?'));
  const call = r.frames.find((f) => f.type === 'tool-input-available');
  return { t, chatAppId, chatId, sessionId: r.frames[0].messageMetadata.sessionId as string, toolCallId: call.toolCallId as string };
}

/** One answer that is never the valid one: a wrong id, or the right id with a wrong value or an unknown key. */
type Answer = { toolCallId: unknown; output?: unknown; approved?: unknown; [k: string]: unknown };
const badAnswer = (toolCallId: string): fc.Arbitrary<Answer> =>
  fc.oneof<fc.Arbitrary<Answer>[]>(
    fc.record({ toolCallId: fc.oneof(weird, fc.stringMatching(/^[A-Za-z0-9._:@-]{1,60}$/)), output: fc.option(weird, { nil: undefined }) }),
    fc.record({ toolCallId: fc.constant(toolCallId), output: fc.oneof(fc.integer(), fc.constant(null), fc.string({ minLength: 20_001, maxLength: 20_100 })) }),
    fc.record({ toolCallId: fc.constant(toolCallId), approved: fc.oneof(fc.constant(true), fc.constant('yes'), fc.integer()) }),
    fc.record({ toolCallId: fc.constant(toolCallId), output: fc.constant('ok'), isError: weird.filter((v) => typeof v !== 'boolean') }),
    fc.record({ toolCallId: fc.constant(toolCallId), output: fc.constant('ok'), extra: fc.jsonValue() }),
  );

describe('fuzzing the answers to tool requests', () => {
  it('hostile toolResults on /converse, answered tool parts on /converse/ai-sdk and resume entries on /converse/ag-ui: 4xx, nothing stored', async () => {
    const s = await awaitingSession();
    const calls = () =>
      emulator()
        .requests()
        .filter((r) => r.operation === 'InvokeAgent').length;
    const before = calls();
    const arb = fc.tuple(fc.array(badAnswer(s.toolCallId), { minLength: 0, maxLength: 12 }), fc.constantFrom('converse', 'converseAiSdk', 'converseAgUi'));
    await fc.assert(
      fc.asyncProperty(arb, async ([answers, route]) => {
        // An empty list, or the right id once beside wrong ones, is as invalid as the rest. The libraries' loose
        // shapes turn a right id's odd values into a valid answer (an output as JSON text): there, wrong ids only.
        fc.pre(answers.length === 0 || !answers.every((a) => a.toolCallId === s.toolCallId && typeof a.output === 'string' && Object.keys(a).length === 2));
        fc.pre(route === 'converse' || answers.every((a) => a.toolCallId !== s.toolCallId));
        const r =
          route === 'converse'
            ? await fetch(`${api.url}/converse`, {
                method: 'POST',
                headers: { authorization: `Bearer ${s.t}`, 'content-type': 'application/json' },
                body: JSON.stringify({ sessionId: s.sessionId, toolResults: answers }),
              }).then(async (res) => ({ status: res.status, headers: res.headers, text: await res.text() }))
            : route === 'converseAiSdk'
              ? await postProtocol(api.url, '/converse/ai-sdk', s.t, {
                  ...aiSdkBody(s.chatId, s.chatAppId, 'x'),
                  messages: [
                    { id: 'a1', role: 'assistant', parts: answers.map((a) => ({ type: 'tool-lookup_order', state: 'output-available', input: {}, ...a })) },
                  ],
                })
              : await postProtocol(api.url, '/converse/ag-ui', s.t, {
                  ...agUiBody(s.sessionId, s.chatAppId, 'x'),
                  resume: answers.map((a) => ({ interruptId: a.toolCallId, status: 'resolved', payload: { output: a.output, approved: a.approved } })),
                });
        expectDeclared(route, r.status, r.headers, r.text.slice(0, 200));
        expect(r.status, r.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
        expect(r.status, r.text.slice(0, 300)).toBeLessThan(500);
        expect(JSON.parse(r.text).error.code).toBeTruthy();
      }),
      { numRuns: 120, endOnFailure: true },
    );
    expect(calls()).toBe(before);
    expect(await storedMessages(api, s.t, s.sessionId)).toHaveLength(2);
    const ok = await converse(api.url, s.t, { sessionId: s.sessionId, toolResults: [{ toolCallId: s.toolCallId, output: 'fine' }] });
    expect(textOf(ok.events)).toBe("The caller's lookup_order said: fine");
  }, 180_000);
});
