/**
 * Property-based fuzzing of the client-protocol routes (/converse/ai-sdk, /converse/ag-ui) over HTTP: broken
 * bodies and requests of the libraries' shape with hostile values. Every refusal is a declared JSON 4xx before
 * any stream (never a 5xx, nothing stored); what is accepted is a whole stream in its protocol.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { token, uid } from '../api/harness';
import { expectDeclared } from '../api/declared';
import { useConverse } from '../converse/harness';
import { agUiBody, aiSdkBody, PROTOCOL_PATHS, postProtocol } from '../converse/protocol-harness';

const { api } = useConverse();

const seed = process.env.FUZZ_SEED === 'random' ? Date.now() : Number(process.env.FUZZ_SEED ?? 20261207);
fc.configureGlobal({ seed });

let ownerToken: string;
beforeAll(async () => {
  ownerToken = await token(uid('fuzz'));
});

const weird = fc.oneof(
  fc.string(),
  fc.string({ minLength: 200, maxLength: 3000 }),
  fc.constantFrom('__proto__', 'constructor', '../../etc', '%00', 'a#b', '💥', ' ', ''),
  fc.integer(),
  fc.constant(null),
);
/** A body that is no request at all: not JSON, not an object, a wrong type, too deep or too big. */
const brokenBody = fc.oneof(
  fc.string({ minLength: 1 }).filter((t) => {
    try {
      JSON.parse(t);
      return false;
    } catch {
      return true;
    }
  }),
  fc.jsonValue().map((v) => JSON.stringify(Array.isArray(v) || typeof v !== 'object' || v === null ? v : { v })),
  fc.integer({ min: 40, max: 200 }).map((depth) => JSON.stringify({ messages: JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) })),
  fc
    .integer({ min: 300 * 1024, max: 400 * 1024 })
    .map((n) => JSON.stringify({ id: 'x', messages: [{ id: 'm', role: 'user', parts: [{ type: 'text', text: 'x'.repeat(n) }] }] })),
);
const maybe = <T>(good: T) => fc.oneof({ weight: 3, arbitrary: fc.constant(good) }, { weight: 1, arbitrary: weird });

/** The AI SDK's request with hostile values where the libraries put theirs. */
const aiSdkRequest = fc
  .record({
    id: maybe('fuzz-chat'),
    chatAppId: maybe('demo'),
    trigger: maybe('submit-message'),
    role: maybe('user'),
    partType: maybe('text'),
    text: maybe('hello fuzz'),
    messageId: maybe('m1'),
    extra: fc.option(fc.dictionary(fc.string({ maxLength: 20 }), fc.jsonValue(), { maxKeys: 3 }), { nil: undefined }),
  })
  .map((r) => ({
    ...r.extra,
    ...aiSdkBody(String(r.id), r.chatAppId as string, ''),
    id: r.id,
    chatAppId: r.chatAppId,
    trigger: r.trigger,
    messages: [{ id: r.messageId, role: r.role, parts: [{ type: r.partType, text: r.text }] }],
  }));
/** AG-UI's RunAgentInput with hostile values. */
const agUiRequest = fc
  .record({
    threadId: maybe('fuzz-thread'),
    runId: maybe('run-1'),
    chatAppId: maybe('demo'),
    role: maybe('user'),
    content: fc.oneof(maybe('hello fuzz'), fc.constant([{ type: 'binary', mimeType: 'image/png', data: 'AA==' }])),
    forwardedProps: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: weird }),
  })
  .map((r) => ({
    ...agUiBody('x', 'x', ''),
    threadId: r.threadId,
    runId: r.runId,
    messages: [{ id: 'm1', role: r.role, content: r.content }],
    forwardedProps: r.forwardedProps === undefined ? { chatAppId: r.chatAppId } : r.forwardedProps,
  }));

describe.each([
  ['converseAiSdk', aiSdkRequest],
  ['converseAgUi', agUiRequest],
] as const)('fuzzing %s over HTTP', (routeId, request) => {
  const path = PROTOCOL_PATHS[routeId];

  it('broken bodies are declared JSON 4xx and start nothing', async () => {
    const sessions = async () => (await api.call('GET', '/sessions', { token: ownerToken })).body.items.length as number;
    const before = await sessions();
    await fc.assert(
      fc.asyncProperty(brokenBody, async (body) => {
        const r = await postProtocol(api.url, path, ownerToken, body);
        expectDeclared(routeId, r.status, r.headers, r.text.slice(0, 200));
        expect(r.status, r.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
        expect(r.status, r.text.slice(0, 200)).toBeLessThan(500);
        expect(r.error.error.code).toBeTruthy();
      }),
      { numRuns: 80 },
    );
    expect(await sessions()).toBe(before);
  }, 120_000);

  it("requests of the library's shape with hostile values: a declared JSON 4xx, or a whole stream", async () => {
    await fc.assert(
      fc.asyncProperty(request, async (body) => {
        // A fresh conversation per case: an accepted case must not make the next one a 409.
        const fresh = routeId === 'converseAiSdk' && (body as { id: unknown }).id === 'fuzz-chat' ? { id: uid('fuzz-chat') } : {};
        const thread = routeId === 'converseAgUi' && (body as { threadId: unknown }).threadId === 'fuzz-thread' ? { threadId: uid('fuzz-thread') } : {};
        const r = await postProtocol(api.url, path, ownerToken, { ...body, ...fresh, ...thread });
        expectDeclared(routeId, r.status, r.headers, r.text.slice(0, 200));
        if (r.status === 200) {
          const last = r.frames.at(-1);
          expect(routeId === 'converseAiSdk' ? last : last.type).toBe(routeId === 'converseAiSdk' ? '[DONE]' : 'RUN_FINISHED');
        } else {
          expect(r.status, r.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
          expect(r.status, r.text.slice(0, 200)).toBeLessThan(500);
          expect(r.error.error.code).toBeTruthy();
        }
      }),
      { numRuns: 60 },
    );
  }, 180_000);
});
