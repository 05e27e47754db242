/**
 * Generated session insights through the local pipeline: converse turns (the answer writes the pending
 * status and its sparse index entry), the sweep (a Query of that index), the worker's SQS handler and the
 * insights model — the emulator's Converse with the forced SessionInsights tool — on DynamoDB Local.
 * INSIGHTS_IDLE_SECONDS=1 and a sweep "2 s later" (its clock is a parameter): no waiting.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sessionInsightsSchema, sessionInsightsStatusSchema } from 'pika-shared/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ddb, tableName } from '../../functions/data/client';
import { putChatApp } from '../../functions/data/config';
import { listSessionFeedback } from '../../functions/data/feedback';
import { getInsights } from '../../functions/data/insights';
import { getInsightsStatus, pendingStatusItem } from '../../functions/data/insights-status';
import { newId, nowIso } from '../../functions/data/items';
import { INDEX_SHARDS, keys, shardOf } from '../../functions/data/keys';
import { appendMessage } from '../../functions/data/messages';
import { getSession } from '../../functions/data/sessions';
import { handler as sweepHandler } from '../../functions/handlers/insights-sweep';
import { handler as worker } from '../../functions/handlers/insights-worker';
import { MAX_ATTEMPTS, SWEEP_PAGE, sweepDueInsights } from '../../functions/insights/sweep';
import { runLocalInsightsSweep, sqsEventOf } from '../../scripts/local/insights';
import { INSIGHTS_MODEL } from '../../scripts/local/seed';
import { ROLES, token, uid } from '../api/harness';
import { restoreEnv } from '../support/env';
import { converse, useConverse } from './harness';

const { api, emulator } = useConverse();
const saved = { INSIGHTS_IDLE_SECONDS: process.env.INSIGHTS_IDLE_SECONDS, INSIGHTS_LEASE_SECONDS: process.env.INSIGHTS_LEASE_SECONDS };
const later = (ms = 2_000) => Date.now() + ms;
/** A job as the sweep sends it, two seconds from now (the 1 s idle time has passed by its clock). */
const jobOf = async (sessionId: string) => ({ sessionId, activity: (await getInsightsStatus(sessionId))!.activity, dueBy: nowIso(later()) });

beforeAll(async () => {
  process.env.INSIGHTS_IDLE_SECONDS = '1';
  // Sweeps look at most seconds ahead: other files' sessions (30 min idle) on the shared table are never due.
  process.env.INSIGHTS_LEASE_SECONDS = '2';
  const app = (chatAppId: string, modelId: string) =>
    putChatApp({
      chatAppId,
      title: chatAppId,
      enabled: true,
      agentId: 'echo',
      insightsModel: { modelId, pricing: INSIGHTS_MODEL.pricing },
      insightsIdleMinutes: 60,
    });
  await app('ins-invalid', 'invalid-tool');
  await app('ins-invalid-once', 'invalid-tool-once');
  await app('ins-fail', 'fail-tool');
  await app('ins-slow', 'slow-tool');
});
afterAll(() => restoreEnv(saved));

/** The insights model calls the emulator saw for one session (its unique message is in the transcript). */
const modelCallsFor = (marker: string) =>
  emulator()
    .requests()
    .filter((r) => r.operation === 'Converse' && r.body?.toolConfig && JSON.stringify(r.body.messages).includes(marker));

/** A titled session: no title model call after its turns, so its usage counters move only by what the test expects. */
async function titledSession(userToken: string, chatAppId: string): Promise<string> {
  return (await api.call('POST', '/sessions', { token: userToken, body: { chatAppId, title: 'titled' } })).body.sessionId;
}

async function turn(userToken: string, body: Record<string, unknown>) {
  const r = await converse(api.url, userToken, body);
  expect(r.events.at(-1)?.event, JSON.stringify(r.events.at(-1))).toBe('done');
  return r.events.at(-1)!.data as { sessionId: string };
}

describe('generated insights', () => {
  it('an idle session gets valid insights without anyone calling PUT, stored with the search summary and its cost on the session', async () => {
    const user = uid('ins');
    const t = await token(user);
    const marker = uid('question');
    const { sessionId } = await turn(t, { chatAppId: 'demo', sessionId: await titledSession(t, 'demo'), message: `How do I reset my password? ${marker}` });
    const pending = await getInsightsStatus(sessionId);
    expect(pending).toMatchObject({ status: 'pending', attempts: 0 });
    const hidden = uid('hidden');
    await appendMessage({ userId: user, sessionId, role: 'assistant', content: `component data ${hidden}`, source: 'component' });
    const before = await getSession(sessionId);

    // Not idle yet (1 s): a sweep now leaves it alone.
    await runLocalInsightsSweep(Date.now() - 5_000);
    expect(await getInsights(sessionId)).toBeUndefined();

    await runLocalInsightsSweep(later());
    const insights = await getInsights(sessionId);
    expect(sessionInsightsSchema.parse(insights)).toEqual(insights);
    expect(insights!.summary).toContain('How do I reset my password?');
    expect(insights!.goalAchievement.status).toBe('fully_achieved');
    const calls = modelCallsFor(marker);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body.toolConfig.toolChoice).toEqual({ tool: { name: 'record_session_insights' } });
    expect(calls[0]!.body.toolConfig.tools[0].toolSpec.inputSchema.json.properties.goalAchievement).toBeDefined();

    const status = await getInsightsStatus(sessionId);
    expect(sessionInsightsStatusSchema.parse(status)).toMatchObject({
      status: 'generated',
      activity: pending!.activity,
      modelId: INSIGHTS_MODEL.modelId,
      attempts: 1,
    });
    const raw = (await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.insightsStatus(sessionId) }))).Item!;
    expect(raw.gsi1pk, 'left the sparse index').toBeUndefined();
    const meta = (await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.session(sessionId) }))).Item!;
    expect(meta.insightsSummary).toMatchObject({ goalStatus: 'fully_achieved', satisfaction: 'satisfied' });
    const after = await getSession(sessionId);
    expect(after!.inputTokens! - before!.inputTokens!).toBe(status!.usage!.inputTokens);
    expect(after!.totalCost! - before!.totalCost!).toBeCloseTo(status!.usage!.totalCost, 6);
    // The same cost in the user's usage report (budgets count it too): the turn's and the insights', no more.
    const day = new Date().toISOString().slice(0, 10);
    const report = (await api.call('GET', `/users/me/usage?chatAppId=demo&from=${day}&to=${day}`, { token: t })).body;
    expect(report.totals.inputTokens).toBe(after!.inputTokens);
    expect(report.totals.totalCost).toBeCloseTo(after!.totalCost!, 6);
    expect(report.totals.turns).toBe(1);

    // Admins read the status through the API; the owner may not.
    const admin = await token(uid('cadmin'), [ROLES.contentAdmin]);
    const viaApi = await api.call('GET', `/sessions/${sessionId}/insights/status`, { token: admin });
    expect(viaApi.status).toBe(200);
    expect(viaApi.body.status).toBe('generated');
    expect((await api.call('GET', `/sessions/${sessionId}/insights/status`, { token: t })).status).toBe(403);
    // Hidden component messages are not in the transcript.
    expect(JSON.stringify(calls[0]!.body.messages)).not.toContain(hidden);
  });

  it('a redelivered job (the same SQS message twice, and twice at once) generates once', async () => {
    const t = await token(uid('ins'));
    const marker = uid('redeliver');
    const { sessionId } = await turn(t, { chatAppId: 'demo', message: `Redelivery ${marker}` });
    const event = sqsEventOf([await jobOf(sessionId)]);
    expect((await worker(event)).batchItemFailures).toEqual([]);
    const first = await getInsights(sessionId);
    expect(first).toBeDefined();
    expect((await worker(event)).batchItemFailures).toEqual([]);
    expect(modelCallsFor(marker)).toHaveLength(1);
    expect(await getInsights(sessionId)).toEqual(first);

    const marker2 = uid('concurrent');
    const other = await turn(t, { chatAppId: 'demo', message: `Concurrent ${marker2}` });
    const job = await jobOf(other.sessionId);
    const results = await Promise.all([worker(sqsEventOf([job])), worker(sqsEventOf([job]))]);
    expect(results.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(modelCallsFor(marker2)).toHaveLength(1);
  });

  it('an invalid model answer is retried once, then recorded as failed (never stored), its cost still counted', async () => {
    const t = await token(uid('ins'));
    const marker = uid('invalid');
    const { sessionId } = await turn(t, { chatAppId: 'ins-invalid', sessionId: await titledSession(t, 'ins-invalid'), message: `Please judge me ${marker}` });
    const before = await getSession(sessionId);
    await runLocalInsightsSweep(later());
    expect(modelCallsFor(marker)).toHaveLength(2);
    expect(await getInsights(sessionId)).toBeUndefined();
    const status = await getInsightsStatus(sessionId);
    expect(status).toMatchObject({ status: 'failed', error: { code: 'INVALID_MODEL_OUTPUT' } });
    expect(status!.error!.issues!.length).toBeGreaterThan(0);
    const after = await getSession(sessionId);
    expect(after!.outputTokens! - before!.outputTokens!).toBe(status!.usage!.outputTokens);
    expect(status!.usage!.outputTokens).toBeGreaterThan(0);
    // Recorded once: a later sweep does not try again.
    await runLocalInsightsSweep(later(5_000));
    expect(modelCallsFor(marker)).toHaveLength(2);

    const marker2 = uid('once');
    const once = await turn(t, { chatAppId: 'ins-invalid-once', message: `Judge me once ${marker2}` });
    await runLocalInsightsSweep(later());
    expect(modelCallsFor(marker2)).toHaveLength(2);
    expect(sessionInsightsSchema.safeParse(await getInsights(once.sessionId)).success).toBe(true);
    expect((await getInsightsStatus(once.sessionId))!.status).toBe('generated');
  });

  it('a session that continues gets new insights for its new activity', async () => {
    const t = await token(uid('ins'));
    const marker = uid('continue');
    const { sessionId } = await turn(t, { chatAppId: 'demo', message: `First question ${marker}` });
    await runLocalInsightsSweep(later());
    const first = await getInsights(sessionId);
    const firstStatus = await getInsightsStatus(sessionId);
    expect(first!.summary).toContain('(1 question)');

    await turn(t, { chatAppId: 'demo', sessionId, message: 'Second question' });
    const pending = await getInsightsStatus(sessionId);
    expect(pending).toMatchObject({ status: 'pending', attempts: 0 });
    expect(pending!.activity > firstStatus!.activity).toBe(true);
    await runLocalInsightsSweep(later());
    const second = await getInsights(sessionId);
    expect(second!.summary).toContain('(2 questions)');
    expect(second!.generateDate > first!.generateDate).toBe(true);
    expect(await getInsightsStatus(sessionId)).toMatchObject({ status: 'generated', activity: pending!.activity });
    expect(modelCallsFor(marker)).toHaveLength(2);
  });

  it('a poor outcome opens AI-reported feedback (chat app setting), once', async () => {
    const t = await token(uid('ins'));
    const marker = uid('poor');
    const { sessionId } = await turn(t, { chatAppId: 'demo', message: `This is useless, nothing is working ${marker}` });
    await runLocalInsightsSweep(later());
    expect((await getInsights(sessionId))!.goalAchievement.status).toBe('not_achieved');
    const feedback = (await listSessionFeedback(sessionId, { caller: 'test' })).items;
    expect(feedback).toHaveLength(1);
    expect(feedback[0]).toMatchObject({ reportedByHuman: false, createdByCustomer: false, status: 'new', severity: 'high', type: 'incomplete_response' });
    await runLocalInsightsSweep(later(5_000));
    expect((await listSessionFeedback(sessionId, { caller: 'test' })).items).toHaveLength(1);
  });

  it('a failing model: the job is a batch item failure (the queue retries it); queued too often, it is recorded as failed', async () => {
    const t = await token(uid('ins'));
    const marker = uid('fail');
    const { sessionId } = await turn(t, { chatAppId: 'ins-fail', message: `Fail me ${marker}` });
    const event = sqsEventOf([await jobOf(sessionId)]);
    expect((await worker(event)).batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.messageId }]);
    // The claim was given back: the retry may generate (and fails again).
    const calls = modelCallsFor(marker).length;
    expect(calls).toBeGreaterThan(0);
    expect((await worker(event)).batchItemFailures).toHaveLength(1);
    expect(modelCallsFor(marker).length).toBeGreaterThan(calls);
    expect((await getInsightsStatus(sessionId))!.status).toBe('pending');

    const start = Date.now();
    for (let i = 0; i <= MAX_ATTEMPTS; i++) await runLocalInsightsSweep(start + 2_000 + i * 3_000);
    expect(await getInsightsStatus(sessionId)).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, error: { code: 'GAVE_UP' } });
    expect(await getInsights(sessionId)).toBeUndefined();
  });

  it('as deployed: the scheduled sweep handler sends due activities with SQS SendMessageBatch; the worker generates from those messages', async () => {
    // A loopback SQS (JSON protocol) that accepts and records the batches: the real @aws-sdk/client-sqs talks to it.
    const batches: { target: string; body: any }[] = [];
    const sqs = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const body = JSON.parse(raw);
        batches.push({ target: String(req.headers['x-amz-target']), body });
        const md5 = (text: string) => createHash('md5').update(text).digest('hex');
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            Successful: body.Entries.map((e: any) => ({ Id: e.Id, MessageId: randomUUID(), MD5OfMessageBody: md5(e.MessageBody) })),
            Failed: [],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => sqs.listen(0, '127.0.0.1', resolve));
    const env = { INSIGHTS_QUEUE_URL: process.env.INSIGHTS_QUEUE_URL, INSIGHTS_IDLE_SECONDS: process.env.INSIGHTS_IDLE_SECONDS };
    try {
      process.env.INSIGHTS_QUEUE_URL = `http://127.0.0.1:${(sqs.address() as AddressInfo).port}/000000000000/insights-jobs`;
      process.env.INSIGHTS_IDLE_SECONDS = '0'; // due at once: the handler sweeps at the real now
      const t = await token(uid('ins'));
      const marker = uid('deployed');
      const { sessionId } = await turn(t, { chatAppId: 'demo', message: `Deployed path ${marker}` });
      const result = await sweepHandler();
      expect(result.queued).toBeGreaterThanOrEqual(1);
      expect(batches.every((b) => b.target === 'AmazonSQS.SendMessageBatch' && b.body.QueueUrl === process.env.INSIGHTS_QUEUE_URL)).toBe(true);
      const mine = batches
        .flatMap((b) => b.body.Entries)
        .map((e: any) => JSON.parse(e.MessageBody))
        .filter((j) => j.sessionId === sessionId);
      expect(mine).toEqual([{ sessionId, activity: (await getInsightsStatus(sessionId))!.activity, dueBy: expect.any(String) }]);
      expect(modelCallsFor(marker)).toHaveLength(0); // the sweep only queues
      expect((await worker(sqsEventOf(mine))).batchItemFailures).toEqual([]);
      expect(modelCallsFor(marker)).toHaveLength(1);
      expect(sessionInsightsSchema.safeParse(await getInsights(sessionId)).success).toBe(true);
    } finally {
      restoreEnv(env);
      await new Promise((resolve) => sqs.close(resolve));
    }
  });

  it('the sweep reads one bounded page per shard of the sparse index (oldest due first); the rest waits for the next sweep', async () => {
    // 60 due entries in each shard, due an hour ago (before anything else this file left pending).
    const perShard = new Map<number, string[]>();
    while ([...perShard.values()].filter((ids) => ids.length >= 60).length < INDEX_SHARDS) {
      const id = newId();
      const ids = perShard.get(shardOf(id)) ?? [];
      if (ids.length < 60) perShard.set(shardOf(id), [...ids, id]);
    }
    const hourAgo = Date.now() - 3_600_000;
    const mine = new Set([...perShard.values()].flat());
    let n = 0;
    for (const sessionId of mine) {
      const at = nowIso(hourAgo + n++);
      await ddb().send(new PutCommand({ TableName: tableName(), Item: pendingStatusItem({ sessionId, userId: 'sweep-bound', chatAppId: 'demo' }, at, at) }));
    }
    const sent: string[][] = [];
    // One clock for both sweeps and a long lease: the second sweep cannot see the first one's leased entries again.
    const leaseEnv = { INSIGHTS_LEASE_SECONDS: process.env.INSIGHTS_LEASE_SECONDS };
    process.env.INSIGHTS_LEASE_SECONDS = '600';
    const now = Date.now();
    const first = await sweepDueInsights(async (jobs) => void sent.push(jobs.map((j) => j.sessionId)), now);
    expect(first.due).toBe(SWEEP_PAGE * INDEX_SHARDS);
    expect(sent.flat().filter((id) => mine.has(id))).toHaveLength(SWEEP_PAGE * INDEX_SHARDS);
    const second = await sweepDueInsights(async (jobs) => void sent.push(jobs.map((j) => j.sessionId)), now);
    restoreEnv(leaseEnv);
    expect(second.due).toBeGreaterThanOrEqual(mine.size - SWEEP_PAGE * INDEX_SHARDS);
    expect(new Set(sent.flat().filter((id) => mine.has(id))).size).toBe(mine.size); // every entry queued once
    expect(sent.flat().filter((id) => mine.has(id))).toHaveLength(mine.size);
  });

  it('a sweep of several rounds reads the next page of each shard after leasing the first (INSIGHTS_SWEEP_ROUNDS)', async () => {
    // 60 due entries per shard, due two hours ago: more than one page per shard.
    const perShard = new Map<number, string[]>();
    while ([...perShard.values()].filter((ids) => ids.length >= 60).length < INDEX_SHARDS) {
      const id = newId();
      const ids = perShard.get(shardOf(id)) ?? [];
      if (ids.length < 60) perShard.set(shardOf(id), [...ids, id]);
    }
    const twoHoursAgo = Date.now() - 7_200_000;
    const mine = new Set([...perShard.values()].flat());
    let n = 0;
    for (const sessionId of mine) {
      const at = nowIso(twoHoursAgo + n++);
      await ddb().send(new PutCommand({ TableName: tableName(), Item: pendingStatusItem({ sessionId, userId: 'sweep-rounds', chatAppId: 'demo' }, at, at) }));
    }
    const sent: string[] = [];
    const leaseEnv = { INSIGHTS_LEASE_SECONDS: process.env.INSIGHTS_LEASE_SECONDS };
    process.env.INSIGHTS_LEASE_SECONDS = '600';
    const result = await sweepDueInsights(async (jobs) => void sent.push(...jobs.map((j) => j.sessionId)), Date.now(), { rounds: 3 });
    restoreEnv(leaseEnv);
    // One round would have queued 50 per shard; the second round queued the other 10 of each: all, once.
    expect(result.due).toBeGreaterThanOrEqual(mine.size);
    expect(sent.filter((id) => mine.has(id)).sort()).toEqual([...mine].sort());
  });

  it('a malformed job is dropped, not retried forever', async () => {
    const event = sqsEventOf([{ sessionId: 'x', activity: 'y' }]);
    event.Records[0]!.body = '{"sessionId":"no such thing';
    expect((await worker(event)).batchItemFailures).toEqual([]);
  });
});
