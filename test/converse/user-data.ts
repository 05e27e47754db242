/**
 * A user's data of every kind, planted on the local stack (the erasure and export tests: test/converse/erasure.test.ts,
 * export.test.ts), and the direct reads that check what is left: the whole table (a Scan is fine in a test) and
 * a prefix of the local bucket.
 */
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { putBudgetOverride } from '../../functions/data/budgets';
import { ddb, tableName } from '../../functions/data/client';
import { appendMessage } from '../../functions/data/messages';
import { filesBucket, s3Client } from '../../functions/files/storage';
import { uploadFile } from '../api/files-harness';
import { ROLES, token, uid, type Api } from '../api/harness';
import { sampleInsights } from '../data/fixtures';
import { converse } from './harness';

export const admin = () => token(uid('sadmin'), [ROLES.siteAdmin, ROLES.contentAdmin]);

export async function scanAll(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await ddb().send(new ScanCommand({ TableName: tableName(), ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

export const mentions = (item: Record<string, unknown>, ...needles: string[]) => needles.some((n) => JSON.stringify(item).includes(n));

export async function objectsUnder(prefix: string): Promise<string[]> {
  const out = await s3Client().send(new ListObjectsV2Command({ Bucket: filesBucket(), Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

/** Everything a user can own, through the API where there is a route, directly where only services write. */
export async function plant(api: Api, userId: string, chatAppId: string, secret: string) {
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

/** Polls a job's status route until it no longer runs (bounded by the test's timeout). */
export async function waitWhileRunning(api: Api, t: string, path: string) {
  for (;;) {
    const r = await api.call('GET', path, { token: t });
    if (r.body.status !== 'running') return r;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
