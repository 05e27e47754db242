/**
 * When insights become due (functions/insights/due.ts): the pending status is written once per idle period,
 * not with every answer — an answer while it is pending only marks the session (in the session update it
 * makes anyway) and checks the status in its transaction; the worker re-schedules a newer activity that is
 * not idle yet, and one that came while it generated. Local pipeline as in insights-generation.test.ts:
 * INSIGHTS_IDLE_SECONDS=1 and sweeps whose clock is a parameter.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ddb, tableName } from '../../functions/data/client';
import { putChatApp } from '../../functions/data/config';
import { getInsights } from '../../functions/data/insights';
import { getInsightsStatus } from '../../functions/data/insights-status';
import { newId, nowIso } from '../../functions/data/items';
import { keys } from '../../functions/data/keys';
import { listMessages } from '../../functions/data/messages';
import { getSession } from '../../functions/data/sessions';
import { handler as worker } from '../../functions/handlers/insights-worker';
import { runLocalInsightsSweep, sqsEventOf } from '../../scripts/local/insights';
import { INSIGHTS_MODEL } from '../../scripts/local/seed';
import { token, uid } from '../api/harness';
import { restoreEnv } from '../support/env';
import { converse, useConverse } from './harness';

const { api, emulator } = useConverse();
const saved = { INSIGHTS_IDLE_SECONDS: process.env.INSIGHTS_IDLE_SECONDS, INSIGHTS_LEASE_SECONDS: process.env.INSIGHTS_LEASE_SECONDS };
const later = (ms = 2_000) => Date.now() + ms;

beforeAll(async () => {
  process.env.INSIGHTS_IDLE_SECONDS = '1';
  process.env.INSIGHTS_LEASE_SECONDS = '2';
  await putChatApp({
    chatAppId: 'ins-slow',
    title: 'slow insights',
    enabled: true,
    agentId: 'echo',
    insightsModel: { modelId: 'slow-tool', pricing: INSIGHTS_MODEL.pricing },
  });
});
afterAll(() => restoreEnv(saved));

async function turn(t: string, body: Record<string, unknown>) {
  const r = await converse(api.url, t, body);
  expect(r.events.at(-1)?.event, JSON.stringify(r.events.at(-1))).toBe('done');
  return r.events.at(-1)!.data as { sessionId: string; messageId: string };
}

const rawOf = async (key: { pk: string; sk: string }) => (await ddb().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item!;
const markOf = async (sessionId: string) => (await rawOf(keys.session(sessionId))).insightsActivity as string | undefined;
const modelCallsFor = (marker: string) =>
  emulator()
    .requests()
    .filter((r) => r.operation === 'Converse' && r.body?.toolConfig && JSON.stringify(r.body.messages).includes(marker));

describe('insights due once per idle period', () => {
  it('an answer while the insights are pending writes no status; the sweep at the first due time re-schedules the newer activity, then generates once', async () => {
    const t = await token(uid('due'));
    const marker = uid('due');
    const first = await turn(t, { chatAppId: 'demo', message: `First ${marker}` });
    const pending = await rawOf(keys.insightsStatus(first.sessionId));
    expect(pending).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await markOf(first.sessionId)).toBe(first.messageId);

    const second = await turn(t, { chatAppId: 'demo', sessionId: first.sessionId, message: 'Second' });
    // The status item and its due entry are as the first answer left them; the session's mark moved.
    expect(await rawOf(keys.insightsStatus(first.sessionId))).toEqual(pending);
    expect(await markOf(first.sessionId)).toBe(second.messageId);

    // Due by the first answer, not idle by the second: re-scheduled, no model call.
    const r = await runLocalInsightsSweep(Date.parse(String(pending.dueDate)) + 1);
    expect(r.failedJobs).toBe(0);
    expect(modelCallsFor(marker)).toHaveLength(0);
    const answers = (await listMessages({ sessionId: first.sessionId, limit: 10, caller: 'test' })).items.filter((m) => m.role === 'assistant');
    const moved = await getInsightsStatus(first.sessionId);
    expect(moved).toMatchObject({ status: 'pending', attempts: 0, activity: answers.at(-1)!.createDate });
    expect(Date.parse(moved!.dueDate!)).toBe(Date.parse(answers.at(-1)!.createDate) + 1_000);

    await runLocalInsightsSweep(later());
    expect(modelCallsFor(marker)).toHaveLength(1);
    expect(await getInsightsStatus(first.sessionId)).toMatchObject({ status: 'generated', activity: moved!.activity });
    expect(await markOf(first.sessionId), 'settled: the mark is gone').toBeUndefined();
  });

  it('an answer that believed the insights pending when they were settled meanwhile writes the pending status after all, once', async () => {
    const t = await token(uid('due'));
    const { sessionId } = await turn(t, { chatAppId: 'demo', message: 'Settle me' });
    await runLocalInsightsSweep(later());
    expect((await getInsightsStatus(sessionId))!.status).toBe('generated');
    // What a turn that read the session just before the worker settled it sees: a mark.
    await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.session(sessionId),
        UpdateExpression: 'SET insightsActivity = :m',
        ExpressionAttributeValues: { ':m': newId() },
      }),
    );
    const before = await getSession(sessionId);
    const next = await turn(t, { chatAppId: 'demo', sessionId, message: 'Again' });
    const answer = (await listMessages({ sessionId, limit: 10, caller: 'test' })).items.at(-1)!;
    expect(answer.messageId).toBe(next.messageId);
    expect(await getInsightsStatus(sessionId)).toMatchObject({ status: 'pending', attempts: 0, activity: answer.createDate });
    expect(await markOf(sessionId)).toBe(next.messageId);
    // The answer's transaction was written again, not twice: one answer, its usage counted once.
    expect((await listMessages({ sessionId, limit: 10, caller: 'test' })).items).toHaveLength(4);
    const after = await getSession(sessionId);
    expect(after!.inputTokens! - before!.inputTokens!).toBe(answer.usage!.inputTokens);
  });

  it('an answer while the insights are being generated: the insights are stored, the newer activity is re-scheduled, not lost', async () => {
    const t = await token(uid('due'));
    const marker = uid('slow');
    const first = await turn(t, { chatAppId: 'ins-slow', message: `Slow ${marker}` });
    const status = (await getInsightsStatus(first.sessionId))!;
    // The worker reads the mark, then waits 1.5 s for the model; the second answer comes meanwhile.
    const working = worker(sqsEventOf([{ sessionId: first.sessionId, activity: status.activity, dueBy: nowIso(later()) }]));
    await new Promise((r) => setTimeout(r, 300));
    const second = await turn(t, { chatAppId: 'ins-slow', sessionId: first.sessionId, message: 'Meanwhile' });
    expect((await working).batchItemFailures).toEqual([]);
    expect(await getInsights(first.sessionId)).toBeDefined();
    const moved = (await getInsightsStatus(first.sessionId))!;
    expect(moved).toMatchObject({ status: 'pending', attempts: 0 });
    expect(moved.activity > status.activity).toBe(true);
    expect(await markOf(first.sessionId)).toBe(second.messageId);

    await runLocalInsightsSweep(later(3_000));
    expect(modelCallsFor(marker)).toHaveLength(2);
    expect(await getInsightsStatus(first.sessionId)).toMatchObject({ status: 'generated', activity: moved.activity });
    expect(await markOf(first.sessionId)).toBeUndefined();
  });
});
