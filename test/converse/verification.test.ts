/**
 * Answer verification (issue 14, chat app feature verifyResponse) over HTTP through the local server, the real
 * SDK clients and the emulator: the grader (Bedrock Converse with the forced verdict tool, answered by
 * scripts/agent-emulator/verification.ts from the grader model id) grades every answer; a low grade is retried
 * once in the same provider session; both gradings are billed on the message and the session.
 */
import type { ChatMessageUsage } from 'pika-shared/types/chatbot/chatbot-types';
import { describe, expect, it } from 'vitest';
import { costOf } from '../../functions/models/pricing';
import { addEvidence, MAX_EVIDENCE_CHARS, MAX_EVIDENCE_ITEMS } from '../../functions/converse/evidence';
import { verifyAnswer } from '../../functions/converse/verify';
import type { Relayed } from '../../functions/converse/relay';
import type { TurnPlan } from '../../functions/converse/prepare';
import { echoAnswer, HARNESS_TOOL, inputTokensFor, outputTokensFor } from '../../scripts/agent-emulator';
import { EVIDENCE_ACTION_RESULT, EVIDENCE_KB_PASSAGE, EVIDENCE_KB_URI } from '../../scripts/agent-emulator/verification';
import { ROLES, token, uid } from '../api/harness';
import { converse, textOf, useConverse, type SseEvent, AGENT_KINDS, KIND_OPERATION, TEST_PRICING } from './harness';

const { api, emulator } = useConverse();
const PRICING = TEST_PRICING;
const GRADER_PRICING = { inputPer1kTokens: 0.0008, outputPer1kTokens: 0.004 };

type Feature = { graderModelId?: string; retryAtOrBelow?: 'A' | 'B' | 'C' | 'F'; maxRetries?: 0 | 1; enabled?: boolean };

/** A chat app on an agent of `kind` played by the emulator's `name` agent, with verifyResponse set as given. */
async function appFor(kind: string, name: string, feature?: Feature, app: Record<string, unknown> = {}) {
  const admin = await token(uid('site'), [ROLES.siteAdmin]);
  const agentId = uid(`${kind}-${name}`);
  const chatAppId = uid('app');
  expect((await api.call('PUT', `/admin/agents/${agentId}`, { token: admin, body: { agent: AGENT_KINDS[kind]!(name), pricing: PRICING } })).status).toBe(200);
  const verifyResponse = feature && {
    featureId: 'verifyResponse',
    enabled: feature.enabled ?? true,
    graderModel: { modelId: feature.graderModelId ?? 'grader-A', pricing: GRADER_PRICING },
    ...(feature.retryAtOrBelow ? { retryAtOrBelow: feature.retryAtOrBelow } : {}),
    ...(feature.maxRetries !== undefined ? { maxRetries: feature.maxRetries } : {}),
  };
  const put = await api.call('PUT', `/admin/chat-apps/${chatAppId}`, {
    token: admin,
    body: { title: kind, enabled: true, agentId, ...app, ...(verifyResponse ? { features: { ...(app.features as object), verifyResponse } } : {}) },
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  return chatAppId;
}

const names = (events: SseEvent[]) => events.map((e) => e.event).filter((e, i, all) => e !== 'chunk' || all[i - 1] !== 'chunk');
const gradings = () =>
  emulator()
    .requests()
    .filter((r) => r.operation === 'Converse' && r.body.toolConfig?.toolChoice?.tool?.name === 'grade_answer');
const promptOf = (req: { body: any }) => req.body.messages.flatMap((m: any) => m.content.map((c: any) => c.text)).join(' ');
/** What the emulated grader bills for a request (its documented token formula) at the grader's prices. */
function graderUsage(req: { body: any }, verdict: { grade: string; reason: string }): ChatMessageUsage {
  const system = req.body.system.map((s: any) => s.text).join('\n');
  const texts: string[] = req.body.messages.flatMap((m: any) => m.content.map((c: any) => c.text));
  return costOf(
    { inputTokens: 10 + Math.ceil((system.length + texts.join(' ').length) / 4), outputTokens: 5 + Math.ceil(JSON.stringify(verdict).length / 4) },
    GRADER_PRICING,
  );
}
const echoUsage = (inputText: string) => costOf({ inputTokens: inputTokensFor(inputText), outputTokens: outputTokensFor(echoAnswer(inputText)) }, PRICING);
const sum = (...u: ChatMessageUsage[]) => {
  const r = (n: number) => Math.round(n * 1e6) / 1e6;
  return u.reduce((a, b) => ({
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    inputCost: r(a.inputCost + b.inputCost),
    outputCost: r(a.outputCost + b.outputCost),
    totalCost: r(a.totalCost + b.totalCost),
  }));
};
const assistantOf = async (t: string, sessionId: string) =>
  ((await api.call('GET', `/sessions/${sessionId}/messages?limit=100`, { token: t })).body.items as any[]).find((m) => m.role === 'assistant');
const sessionOf = async (t: string, sessionId: string) => (await api.call('GET', `/sessions/${sessionId}`, { token: t })).body;
/** The provider session id a request went to, whatever the kind. */
const providerSessionOf = (r: { params: Record<string, string> }) => r.params.runtimeSessionId ?? r.params.sessionId;

describe.each(Object.keys(AGENT_KINDS))('%s agents', (kind) => {
  it('an answer graded A streams its verification before done and is stored with it; the grading is billed', async () => {
    const t = await token(uid());
    const chatAppId = await appFor(kind, 'echo', { graderModelId: 'grader-A', retryAtOrBelow: 'C' });
    const message = `What is the status of order 42 (${kind})?`;
    const before = gradings().length;
    const r = await converse(api.url, t, { chatAppId, message });
    expect(names(r.events)).toEqual(['session', 'chunk', 'verification', 'done']);
    expect(textOf(r.events)).toBe(echoAnswer(message));
    const verification = r.events.find((e) => e.event === 'verification')!.data;
    expect(verification).toEqual({ grade: 'A', reason: expect.stringContaining('Emulated grade A') });

    // The grader read the question and the answer.
    const [grading] = gradings().slice(before);
    expect(gradings().length).toBe(before + 1);
    expect(grading!.params.modelId).toBe('grader-A');
    expect(promptOf(grading!)).toContain(`<question>\n${message}\n</question>`);
    expect(promptOf(grading!)).toContain(`<answer>\n${echoAnswer(message)}\n</answer>`);

    const sessionId = r.events[0]!.data.sessionId;
    const stored = await assistantOf(t, sessionId);
    const graded = graderUsage(grading!, verification);
    const usage = sum(echoUsage(message), graded);
    expect(stored).toMatchObject({ content: echoAnswer(message), status: 'complete', usage, metadata: { verification: { ...verification, usage: graded } } });
    expect(stored.metadata.firstAnswer).toBeUndefined();
    expect(r.events.at(-1)!.data.usage).toEqual(usage);
    const session = await sessionOf(t, sessionId);
    expect([session.inputTokens, session.outputTokens, session.totalCost]).toEqual([usage.inputTokens, usage.outputTokens, usage.totalCost]);
  });

  it('an answer graded F is retried once in the same provider session; the retry is stored, the first kept; both gradings billed', async () => {
    const t = await token(uid());
    const chatAppId = await appFor(kind, 'echo', { graderModelId: 'grader-F-then-A', retryAtOrBelow: 'C' });
    const message = `Where is my parcel (${kind})?`;
    const gradingsBefore = gradings().length;
    const callsBefore = emulator()
      .requests()
      .filter((q) => q.operation === KIND_OPERATION[kind]).length;
    const r = await converse(api.url, t, { chatAppId, message });
    expect(names(r.events)).toEqual(['session', 'chunk', 'verification', 'retry', 'chunk', 'verification', 'done']);
    const at = (name: string, n = 0) => r.events.filter((e) => e.event === name)[n]!.data;
    const first = at('verification', 0);
    expect(first).toEqual({ grade: 'F', reason: expect.stringContaining('Emulated grade F') });
    expect(at('retry')).toEqual(first);
    expect(at('verification', 1)).toEqual({ grade: 'A', reason: expect.stringContaining('Emulated grade A') });

    // The chunks before `retry` are the first answer, after it the corrected one.
    const retryAt = r.events.findIndex((e) => e.event === 'retry');
    const firstText = textOf(r.events.slice(0, retryAt));
    const secondText = textOf(r.events.slice(retryAt));
    expect(firstText).toBe(echoAnswer(message));
    // The agent was asked again with the grader's reason and the question, in the same provider session.
    const followUp = secondText.replace(/^You said: /, '');
    expect(followUp).toContain(first.reason);
    expect(followUp).toContain(message);
    const calls = emulator()
      .requests()
      .filter((q) => q.operation === KIND_OPERATION[kind])
      .slice(callsBefore);
    expect(calls).toHaveLength(2);
    expect(providerSessionOf(calls[1]!)).toBe(providerSessionOf(calls[0]!));

    // The second grading knew it graded a corrected answer.
    const [g1, g2] = gradings().slice(gradingsBefore);
    expect(gradings().length).toBe(gradingsBefore + 2);
    expect(promptOf(g1!)).not.toContain('<previous_grading');
    expect(promptOf(g2!)).toContain(`<previous_grading grade="F">\n${first.reason}`);
    expect(promptOf(g2!)).toContain(`<answer>\n${secondText}\n</answer>`);

    const sessionId = r.events[0]!.data.sessionId;
    const stored = await assistantOf(t, sessionId);
    const usage = sum(echoUsage(message), echoUsage(followUp), graderUsage(g1!, first), graderUsage(g2!, at('verification', 1)));
    expect(stored).toMatchObject({
      content: secondText,
      status: 'complete',
      usage,
      metadata: {
        verification: { grade: 'A', usage: graderUsage(g2!, at('verification', 1)) },
        firstAnswer: { content: firstText, verification: { grade: 'F', reason: first.reason, usage: graderUsage(g1!, first) } },
        retried: true,
      },
    });
    expect(r.events.at(-1)!.data.usage).toEqual(usage);
    const session = await sessionOf(t, sessionId);
    expect([session.inputTokens, session.outputTokens, session.totalCost]).toEqual([usage.inputTokens, usage.outputTokens, usage.totalCost]);
  });
});

describe('answer verification', () => {
  it('grades against the evidence of a classic agent: action-group input and output, knowledge-base references', async () => {
    const t = await token(uid());
    const chatAppId = await appFor('classic', 'evidence', { graderModelId: 'grader-B' });
    const before = gradings().length;
    const r = await converse(api.url, t, { chatAppId, message: 'When will order 42 arrive?' });
    expect(r.events.find((e) => e.event === 'verification')!.data).toEqual({ grade: 'B', reason: expect.stringContaining('(evidence items: 3)') });
    const prompt = promptOf(gradings()[before]!);
    expect(prompt).toContain('Action orders.lookup_order: [{"name":"orderId","type":"string","value":"42"}]');
    expect(prompt).toContain(`Action result: ${EVIDENCE_ACTION_RESULT}`);
    expect(prompt).toContain(`Knowledge base reference (${EVIDENCE_KB_URI}): ${EVIDENCE_KB_PASSAGE}`);
    // The evidence is the grader's only: the client does not get it (no traces streamed by this chat app).
    expect(JSON.stringify(r.events)).not.toContain(EVIDENCE_ACTION_RESULT);
  });

  it('grades against the tool calls and tool results of an AgentCore harness; the results reach neither the client nor storage', async () => {
    const t = await token(uid());
    const chatAppId = await appFor(
      'harness',
      'tools',
      { graderModelId: 'grader-A' },
      { streamTraces: true, features: { traces: { featureId: 'traces', enabled: true } } },
    );
    const before = gradings().length;
    const r = await converse(api.url, t, { chatAppId, message: 'Where is order 42?' });
    expect(r.events.find((e) => e.event === 'verification')!.data.reason).toContain('(evidence items: 2)');
    const prompt = promptOf(gradings()[before]!);
    expect(prompt).toContain(`Tool call ${HARNESS_TOOL.name}: `);
    expect(prompt).toContain(`Tool result (success): ${HARNESS_TOOL.result}`);
    // Tool events stream (traces are on), but as summaries: name and status, never the result.
    expect(r.events.filter((e) => e.event === 'tool').map((e) => e.data.phase)).toEqual(['use', 'result']);
    expect(JSON.stringify(r.events)).not.toContain(HARNESS_TOOL.result);
    const messages = (await api.call('GET', `/sessions/${r.events[0]!.data.sessionId}/messages?limit=100`, { token: t })).body.items;
    expect(JSON.stringify(messages)).not.toContain(HARNESS_TOOL.result);
  });

  it('a grade that stays F after the retry is not retried again', async () => {
    const t = await token(uid());
    const chatAppId = await appFor('classic', 'echo', { graderModelId: 'grader-F', retryAtOrBelow: 'F' });
    const before = emulator()
      .requests()
      .filter((q) => q.operation === 'InvokeAgent').length;
    const r = await converse(api.url, t, { chatAppId, message: 'Tell me something wrong' });
    expect(names(r.events)).toEqual(['session', 'chunk', 'verification', 'retry', 'chunk', 'verification', 'done']);
    expect(r.events.filter((e) => e.event === 'verification').map((e) => e.data.grade)).toEqual(['F', 'F']);
    expect(
      emulator()
        .requests()
        .filter((q) => q.operation === 'InvokeAgent').length - before,
    ).toBe(2);
    const stored = await assistantOf(t, r.events[0]!.data.sessionId);
    expect(stored.metadata).toMatchObject({ verification: { grade: 'F' }, firstAnswer: { verification: { grade: 'F' } } });
  });

  it('without a threshold (or with maxRetries 0) a low grade is reported and stored, never retried', async () => {
    for (const feature of [
      { graderModelId: 'grader-F' },
      { graderModelId: 'grader-F', retryAtOrBelow: 'C' as const, maxRetries: 0 as const },
      { graderModelId: 'grader-B', retryAtOrBelow: 'C' as const },
    ]) {
      const t = await token(uid());
      const r = await converse(api.url, t, { chatAppId: await appFor('harness', 'echo', feature), message: 'no second chance' });
      expect(names(r.events)).toEqual(['session', 'chunk', 'verification', 'done']);
      const stored = await assistantOf(t, r.events[0]!.data.sessionId);
      expect(stored).toMatchObject({ content: echoAnswer('no second chance'), metadata: { verification: { grade: feature.graderModelId.slice(-1) } } });
      expect(stored.metadata.firstAnswer).toBeUndefined();
    }
  });

  it('a grader that fails or answers an invalid verdict never fails the turn: grade null with the reason', async () => {
    for (const [graderModelId, reason, billed] of [
      ['fail-tool', /grader failed/, false],
      ['invalid-tool', /did not return a valid verdict/, true],
    ] as const) {
      const t = await token(uid());
      const message = `grade me with ${graderModelId}`;
      const r = await converse(api.url, t, { chatAppId: await appFor('classic', 'echo', { graderModelId, retryAtOrBelow: 'A' }), message });
      expect(names(r.events)).toEqual(['session', 'chunk', 'verification', 'done']);
      const verification = r.events.find((e) => e.event === 'verification')!.data;
      expect(verification).toEqual({ grade: null, reason: expect.stringMatching(reason) });
      const stored = await assistantOf(t, r.events[0]!.data.sessionId);
      expect(stored).toMatchObject({ content: echoAnswer(message), status: 'complete', metadata: { verification } });
      // An invalid verdict still cost the grader's tokens; a failed call reported none.
      if (billed) expect(stored.usage.totalCost).toBeGreaterThan(echoUsage(message).totalCost);
      else expect(stored.usage).toEqual(echoUsage(message));
    }
  });

  it('is off when the feature is disabled or absent: no grading, no event', async () => {
    for (const feature of [undefined, { enabled: false }]) {
      const before = gradings().length;
      const r = await converse(api.url, await token(uid()), { chatAppId: await appFor('runtime', 'echo', feature), message: 'plain' });
      expect(names(r.events)).toEqual(['session', 'chunk', 'done']);
      expect(gradings().length).toBe(before);
    }
  });

  it('failed answers are not graded', async () => {
    const before = gradings().length;
    const r = await converse(api.url, await token(uid()), { chatAppId: await appFor('classic', 'faulty', { retryAtOrBelow: 'A' }), message: 'break' });
    expect(names(r.events)).toEqual(['session', 'chunk', 'error']);
    expect(gradings().length).toBe(before);
  });

  it('an idempotent replay streams the stored verification again without grading again', async () => {
    const t = await token(uid());
    const chatAppId = await appFor('classic', 'echo', { graderModelId: 'grader-F-then-B', retryAtOrBelow: 'F' });
    const key = uid('idem');
    const first = await converse(api.url, t, { chatAppId, message: 'once' }, { 'idempotency-key': key });
    const before = gradings().length;
    const again = await converse(api.url, t, { chatAppId, message: 'once' }, { 'idempotency-key': key });
    expect(names(again.events)).toEqual(['session', 'chunk', 'verification', 'done']);
    expect(again.events.find((e) => e.event === 'verification')!.data).toEqual(first.events.filter((e) => e.event === 'verification')[1]!.data);
    expect(gradings().length).toBe(before);
  });

  it('the feature settings are checked when the chat app is stored', async () => {
    const admin = await token(uid('site'), [ROLES.siteAdmin]);
    const base = { title: 'x', enabled: true, agentId: 'echo' };
    const graderModel = { modelId: 'grader-A', pricing: GRADER_PRICING };
    for (const [verifyResponse, path] of [
      [{ featureId: 'verifyResponse', enabled: true }, 'features.verifyResponse.graderModel'],
      [{ featureId: 'verifyResponse', enabled: true, graderModel, maxRetries: 2 }, 'features.verifyResponse.maxRetries'],
      [{ featureId: 'verifyResponse', enabled: true, graderModel, retryAtOrBelow: 'D' }, 'features.verifyResponse.retryAtOrBelow'],
      [
        { featureId: 'verifyResponse', enabled: true, graderModel: { modelId: 'grader-A', pricing: { inputPer1kTokens: -1, outputPer1kTokens: 0 } } },
        'features.verifyResponse.graderModel.pricing.inputPer1kTokens',
      ],
      [{ featureId: 'verifyResponse', enabled: true, graderModel, retryBelow: 'C' }, 'features.verifyResponse'],
    ] as const) {
      const r = await api.call('PUT', `/admin/chat-apps/${uid('app')}`, { token: admin, body: { ...base, features: { verifyResponse } } });
      expect(r.status, JSON.stringify(verifyResponse)).toBe(400);
      expect(JSON.stringify(r.body.error.details)).toContain(path);
    }
  });
});

/** The part of a turn plan verifyAnswer reads: a chat app grading with `grader-F`, retrying at F. */
const gradedPlan = (sessionId: string) =>
  ({
    app: {
      chatAppId: 'x',
      title: 'x',
      enabled: true,
      agentId: 'x',
      features: {
        verifyResponse: { featureId: 'verifyResponse', enabled: true, graderModel: { modelId: 'grader-F', pricing: GRADER_PRICING }, retryAtOrBelow: 'F' },
      },
    },
    message: 'question',
    session: { sessionId },
  }) as unknown as TurnPlan;

describe('verification internals', () => {
  it('evidence is bounded in items and characters', () => {
    const items: string[] = [];
    for (let i = 0; i < 100; i++) addEvidence(items, { type: 'tool', phase: 'result', toolUseId: `t${i}`, status: 'success', output: 'x'.repeat(5_000) });
    expect(items.length).toBeLessThanOrEqual(MAX_EVIDENCE_ITEMS);
    expect(items.join('').length).toBeLessThanOrEqual(MAX_EVIDENCE_CHARS + 100);
  });

  it('a retry that fails is stored as the failed answer, the first answer and its grading kept', async () => {
    const plan = gradedPlan('sess-1');
    const sent: [string, unknown][] = [];
    const sink = { open: true, send: (event: string, data: unknown) => void sent.push([event, data]), end: () => undefined };
    const relayed: Relayed = {
      text: 'first answer',
      tokens: { inputTokens: 5, outputTokens: 5 },
      usageReported: true,
      traceKinds: [],
      tools: [],
      asked: [],
      reached: true,
      cancelled: false,
    };
    const failure = { code: 'AGENT_ERROR', message: 'The agent failed while answering' } as never;
    const out = await verifyAnswer(plan, relayed, sink, { deadlineMs: Date.now() + 60_000 }, async () => ({
      ...relayed,
      text: 'partial',
      tokens: { inputTokens: 3, outputTokens: 1 },
      failure,
    }));
    expect(sent.map(([e]) => e)).toEqual(['verification', 'retry']);
    expect(out).toMatchObject({
      text: 'partial',
      failure,
      tokens: { inputTokens: 8, outputTokens: 6 },
      extra: { metadata: { firstAnswer: { content: 'first answer', verification: { grade: 'F' } }, retried: true } },
    });
    expect(out.extra!.metadata.verification).toBeUndefined();
    expect(out.extra!.usage!.totalCost).toBeGreaterThan(0);
  });

  it('no retry when too little time is left; the grading is still stored', async () => {
    const plan = gradedPlan('sess-2');
    const sent: string[] = [];
    const relayed: Relayed = {
      text: 'answer',
      tokens: { inputTokens: 5, outputTokens: 5 },
      usageReported: true,
      traceKinds: [],
      tools: [],
      asked: [],
      reached: true,
      cancelled: false,
    };
    let retried = false;
    const out = await verifyAnswer(
      plan,
      relayed,
      { open: true, send: (e) => void sent.push(e), end: () => undefined },
      { deadlineMs: Date.now() + 6_000 },
      async () => {
        retried = true;
        return relayed;
      },
    );
    expect(sent).toEqual(['verification']);
    expect(retried).toBe(false);
    expect(out.extra!.metadata).toMatchObject({ verification: { grade: 'F' }, retrySkipped: 'too little time left' });
  });
});
