/**
 * Erasing a user (issue 27 item 1) on the local stack: data of every kind is planted for a user and for another
 * user — profile, widget data, sessions with turns (messages, debits, usage, idempotency and rate-limit records),
 * a hidden message, feedback with an internal comment, insights, uploaded files and an object of a session
 * deleted long ago, a budget override, memory events and records — then DELETE /users/me runs the job through
 * the in-process lifecycle queue, and a Scan of the whole table and the bucket listing show nothing of the user
 * but the erasure record; the other user is untouched and the chat app's user report still adds up.
 */
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIdOf } from 'pika-shared/schemas';
import { putBudgetOverride } from '../../functions/data/budgets';
import { ddb, tableName } from '../../functions/data/client';
import { startErasure } from '../../functions/data/erasure';
import { appendMessage } from '../../functions/data/messages';
import { filesBucket, s3Client } from '../../functions/files/storage';
import { actorIdFor } from '../../functions/memory/registry';
import { DEMO_MEMORY_ARN } from '../../scripts/local/demo-memory';
import { uploadFile } from '../api/files-harness';
import { ROLES, token, uid } from '../api/harness';
import { sampleInsights } from '../data/fixtures';
import { restoreEnv } from '../support/env';
import { converse, useConverse } from './harness';

const { api, emulator } = useConverse();
const MEMORY_ID = memoryIdOf(DEMO_MEMORY_ARN)!;
const saved = { ERASURE_SETTLE_SECONDS: process.env.ERASURE_SETTLE_SECONDS };
// The second pass waits for turns running at the request: one second here (in AWS converse's timeout + 60 s).
beforeAll(() => void (process.env.ERASURE_SETTLE_SECONDS = '1'));
afterAll(() => restoreEnv(saved));

const admin = () => token(uid('sadmin'), [ROLES.siteAdmin, ROLES.contentAdmin]);

async function scanAll(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await ddb().send(new ScanCommand({ TableName: tableName(), ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

const mentions = (item: Record<string, unknown>, ...needles: string[]) => needles.some((n) => JSON.stringify(item).includes(n));

async function objectsUnder(prefix: string): Promise<string[]> {
  const out = await s3Client().send(new ListObjectsV2Command({ Bucket: filesBucket(), Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

/** Everything a user can own, through the API where there is a route, directly where only services write. */
async function plant(userId: string, chatAppId: string, secret: string) {
  const t = await token(userId);
  const svc = await token(uid('svc'), [ROLES.service]);
  expect((await api.call('PUT', '/users/me', { token: t, body: { firstName: secret } })).status).toBe(200);
  expect((await api.call('PUT', `/widget-data/custom/${secret}`, { token: t, body: { data: { note: secret } } })).status).toBe(200);
  // Turns: messages, usage, debits, a title, rate-limit counters; one with an idempotency key starting a session.
  const first = await converse(api.url, t, { chatAppId, message: `${secret} first`, clientMessageId: `${secret}-k1` });
  expect(first.events.at(-1)?.event).toBe('done');
  const sessionId = first.events[0]!.data.sessionId as string;
  expect((await converse(api.url, t, { sessionId, message: `${secret} again` })).events.at(-1)?.event).toBe('done');
  // Memory: an exchange recorded, a record extracted.
  expect((await converse(api.url, t, { chatAppId: 'demo-memory', message: `${secret} remember me` })).events.at(-1)?.event).toBe('done');
  await appendMessage({ userId, sessionId, role: 'assistant', content: `${secret} hidden`, source: 'component' });
  const fb = await api.call('POST', `/sessions/${sessionId}/feedback`, {
    token: t,
    body: { type: 'other', severity: 'low', title: secret, description: secret },
  });
  expect(fb.status).toBe(201);
  const comment = await api.call('POST', `/sessions/${sessionId}/feedback/${fb.body.feedbackId}/comments`, { token: await admin(), body: { comment: secret } });
  expect(comment.status).toBe(201);
  expect((await api.call('PUT', `/sessions/${sessionId}/insights`, { token: svc, body: sampleInsights() })).status).toBe(200);
  await uploadFile(api, t, sessionId, `${secret}.txt`, 'text/plain', secret);
  // An object of a session deleted long ago (its records gone, the object left behind).
  await s3Client().send(new PutObjectCommand({ Bucket: filesBucket(), Key: `files/${encodeURIComponent(userId)}/old-session/old-file`, Body: secret }));
  await putBudgetOverride(chatAppId, 'user', userId, { daily: { usd: 5 } });
  return { t, sessionId };
}

/** The chat app's users by cost, summed (the report a content admin reads). */
async function userReport(chatAppId: string) {
  const r = await api.call('GET', `/admin/usage?chatAppId=${chatAppId}&groupBy=user`, { token: await admin() });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const items = r.body.items as Array<{ key: string; totalCost: number; inputTokens: number; outputTokens: number; turns: number }>;
  const sum = (k: 'totalCost' | 'inputTokens' | 'outputTokens' | 'turns') => Math.round(items.reduce((a, i) => a + i[k], 0) * 1e6) / 1e6;
  return {
    keys: items.map((i) => i.key),
    totalCost: sum('totalCost'),
    inputTokens: sum('inputTokens'),
    outputTokens: sum('outputTokens'),
    turns: sum('turns'),
  };
}

async function waitForErasure(t: string, path = '/users/me/erasure') {
  for (;;) {
    const r = await api.call('GET', path, { token: t });
    if (r.body.status !== 'running') return r;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('erasing a user', () => {
  it('leaves nothing of the user but the erasure record; the other user is untouched; the report still adds up', async () => {
    const chatAppId = uid('eraseapp');
    const put = await api.call('PUT', `/admin/chat-apps/${chatAppId}`, {
      token: await admin(),
      body: { title: 'Erasure', enabled: true, agentId: 'echo', budgets: {} },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const gone = uid('erased');
    const kept = uid('kept');
    const secret = `s${uid('secret').replace(/[^a-z0-9]/gi, '')}`;
    const otherSecret = `o${uid('other').replace(/[^a-z0-9]/gi, '')}`;
    const a = await plant(gone, chatAppId, secret);
    await plant(kept, chatAppId, otherSecret);

    const before = await scanAll();
    expect(before.filter((i) => mentions(i, gone, actorIdFor(gone))).length).toBeGreaterThan(15);
    const keptBefore = before
      .filter((i) => mentions(i, kept, otherSecret))
      .map((i) => JSON.stringify(i))
      .sort();
    const reportBefore = await userReport(chatAppId);
    expect(reportBefore.keys).toContain(gone);
    expect(await objectsUnder(`files/${encodeURIComponent(gone)}/`)).toHaveLength(2);
    expect(emulator().memory.events(MEMORY_ID, actorIdFor(gone))).toHaveLength(1);

    const started = await api.call('DELETE', '/users/me', { token: a.t });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ userId: gone, status: 'running', requestedBy: 'user' });
    // Asking again while it runs answers the same job.
    const again = await api.call('DELETE', '/users/me', { token: a.t });
    expect([again.body.requestedAt, again.status]).toEqual([started.body.requestedAt, 202]);
    const done = await waitForErasure(a.t);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ userId: gone, status: 'done', requestedAt: started.body.requestedAt, finishedAt: expect.any(String) });
    expect(done.body.counts.sessions).toBe(2);
    expect(done.body.counts.usageItemsPseudonymized).toBeGreaterThan(0);

    // The whole table: nothing names the user or holds what they said, but the erasure record.
    const after = await scanAll();
    const left = after.filter((i) => mentions(i, gone, secret, actorIdFor(gone)));
    expect(left.map((i) => `${i.pk} ${i.sk}`)).toEqual([`USER#${gone} ERASURE`]);
    expect(Object.keys(left[0]!).sort()).toEqual(['counts', 'finishedAt', 'lastUpdate', 'pk', 'requestedAt', 'requestedBy', 'sk', 'status', 'step', 'userId']);
    // The other user's items are exactly as they were.
    expect(
      after
        .filter((i) => mentions(i, kept, otherSecret))
        .map((i) => JSON.stringify(i))
        .sort(),
    ).toEqual(keptBefore);
    // Files and memory.
    expect(await objectsUnder(`files/${encodeURIComponent(gone)}/`)).toEqual([]);
    expect(await objectsUnder(`files/${encodeURIComponent(kept)}/`)).toHaveLength(2);
    expect(emulator().memory.events(MEMORY_ID, actorIdFor(gone))).toEqual([]);
    expect(emulator().memory.records(MEMORY_ID, `/users/${actorIdFor(gone)}/`)).toEqual([]);
    expect(emulator().memory.events(MEMORY_ID, actorIdFor(kept))).toHaveLength(1);
    // The report: same sums, the user's row now a pseudonym.
    const reportAfter = await userReport(chatAppId);
    expect({ ...reportAfter, keys: undefined }).toEqual({ ...reportBefore, keys: undefined });
    expect(reportAfter.keys).not.toContain(gone);
    expect(reportAfter.keys).toContain(kept);
    expect(reportAfter.keys.filter((k) => k.startsWith('erased-'))).toHaveLength(1);
    // The user may come back: a new turn is accepted again.
    expect((await converse(api.url, a.t, { chatAppId, message: 'hello again' })).events.at(-1)?.event).toBe('done');
  }, 180_000);

  it('a user being erased starts no new turn: 409 USER_ERASURE_IN_PROGRESS', async () => {
    const user = uid('erasing');
    const t = await token(user);
    // The record as the route writes it, without its job: the erasure stays running for this check.
    await startErasure(user, 'user');
    const r = await converse(api.url, t, { chatAppId: 'demo', message: 'hello' });
    expect(r.status).toBe(409);
    expect(r.error.error.code).toBe('USER_ERASURE_IN_PROGRESS');
    expect((await api.call('GET', '/users/me/erasure', { token: t })).body).toMatchObject({ status: 'running', phase: 'sessions' });
  });

  it('site admins erase another user and read where it stands (logged); users cannot; no erasure asked is a 404', async () => {
    const user = uid('target');
    const t = await token(user);
    expect((await api.call('PUT', '/users/me', { token: t, body: { firstName: 'Target' } })).status).toBe(200);
    expect((await api.call('GET', '/users/me/erasure', { token: t })).status).toBe(404);
    const site = await admin();
    expect((await api.call('GET', `/users/${user}/erasure`, { token: site })).status).toBe(404);
    expect((await api.call('DELETE', `/users/${user}`, { token: t })).status).toBe(403);
    const r = await api.call('DELETE', `/users/${user}`, { token: site });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ userId: user, requestedBy: 'admin' });
    const done = await waitForErasure(site, `/users/${user}/erasure`);
    expect(done.body.status).toBe('done');
    expect((await api.call('GET', '/users/me', { token: t })).body.firstName).toBeUndefined();
  });
});
