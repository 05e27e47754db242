/**
 * Exporting a user's data (issue 27 item 2) on the local stack: data of every kind is planted for a user and for
 * another user, POST /users/me/exports runs the job through the in-process lifecycle queue into the local S3,
 * the document is downloaded through the presigned link and holds all of the user's data and nothing of the
 * other's; another user's GET is a 404; an export is refused while the user's erasure (or another export of
 * theirs, until its lease ends) runs; a redelivered job writes one document, in parts when it is big; and erasing the user removes
 * the export with everything else.
 */
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIdOf } from 'pika-shared/schemas';
import { startErasure } from '../../functions/data/erasure';
import { EXPORT_LEASE_SECONDS, getExportRecord, saveExportProgress, startExport } from '../../functions/data/exports';
import { appendMessage } from '../../functions/data/messages';
import { openDocument, PART_BYTES } from '../../functions/files/export-objects';
import { EXPORT_START } from '../../functions/lifecycle/export-document';
import { runExportStep } from '../../functions/lifecycle/export-user';
import { provideConfig } from '../../functions/platform/config';
import { filesBucket, s3Client } from '../../functions/files/storage';
import { handler as lifecycleWorker } from '../../functions/handlers/lifecycle-worker';
import { actorIdFor } from '../../functions/memory/registry';
import { DEMO_MEMORY_ARN } from '../../scripts/local/demo-memory';
import { token, uid } from '../api/harness';
import { restoreEnv } from '../support/env';
import { useConverse } from './harness';
import { admin, mentions, objectsUnder, plant, scanAll, waitWhileRunning } from './user-data';
import { HeadObjectCommand } from '@aws-sdk/client-s3';

const { api, emulator } = useConverse();
const MEMORY_ID = memoryIdOf(DEMO_MEMORY_ARN)!;
const saved = { ERASURE_SETTLE_SECONDS: process.env.ERASURE_SETTLE_SECONDS };
beforeAll(() => void (process.env.ERASURE_SETTLE_SECONDS = '1'));
afterAll(() => restoreEnv(saved));

type Line = { type: string; sessionId?: string; hidden?: boolean; data?: any; counts?: Record<string, number> } & Record<string, unknown>;

async function download(url: string): Promise<{ text: string; lines: Line[] }> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const text = await res.text();
  return {
    text,
    lines: text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Line),
  };
}

const exportsOf = (userId: string) => objectsUnder(`exports/${encodeURIComponent(userId)}/`);

/** The lifecycle worker given one export job step, as SQS delivers it. */
const deliver = (job: { userId: string; exportId: string; step: number }, receives = 1) =>
  lifecycleWorker({
    Records: [
      {
        messageId: uid('msg'),
        body: JSON.stringify({ kind: 'export-user', ...job }),
        attributes: { ApproximateReceiveCount: String(receives) },
      } as unknown as SQSRecord,
    ],
  });

describe('exporting a user\u2019s data', () => {
  it('holds everything the user owns and nothing of another user; only its owner reads it; erasure removes it', async () => {
    const chatAppId = uid('exportapp');
    const put = await api.call('PUT', `/admin/chat-apps/${chatAppId}`, {
      token: await admin(),
      body: { title: 'Export', enabled: true, agentId: 'echo', budgets: {} },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const user = uid('exporter');
    const other = uid('bystander');
    const secret = `s${uid('secret').replace(/[^a-z0-9]/gi, '')}`;
    const otherSecret = `o${uid('other').replace(/[^a-z0-9]/gi, '')}`;
    const a = await plant(api, user, chatAppId, secret);
    const b = await plant(api, other, chatAppId, otherSecret);
    const record = emulator().memory.addRecord(MEMORY_ID, actorIdFor(user), `${secret} likes tea`);
    emulator().memory.addRecord(MEMORY_ID, actorIdFor(other), `${otherSecret} likes coffee`);

    const started = await api.call('POST', '/users/me/exports', { token: a.t });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ exportId: expect.any(String), status: 'running', createdAt: expect.any(String) });
    expect(started.body.downloadUrl).toBeUndefined();
    const path = `/users/me/exports/${started.body.exportId}`;
    const done = await waitWhileRunning(api, a.t, path);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ exportId: started.body.exportId, status: 'done', createdAt: started.body.createdAt, completedAt: expect.any(String) });
    // The record and the object live 7 days; the link 15 minutes from this answer.
    const created = Date.parse(done.body.createdAt);
    expect(Math.abs(Date.parse(done.body.expiresAt) - created - 7 * 86_400_000)).toBeLessThan(1000);
    const linkLife = Date.parse(done.body.downloadUrlExpiresAt) - Date.parse(done.body.completedAt);
    expect(linkLife).toBeGreaterThan(14 * 60_000);
    expect(Date.parse(done.body.downloadUrlExpiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    expect(new URL(done.body.downloadUrl).searchParams.get('X-Amz-Expires')).toBe('900');

    const { text, lines } = await download(done.body.downloadUrl);
    // Nothing of the other user.
    for (const needle of [other, otherSecret, actorIdFor(other), b.sessionId]) expect(text.includes(needle), needle).toBe(false);
    expect(lines[0]).toMatchObject({ type: 'export', format: 'pika-export-ndjson/1', exportId: started.body.exportId, userId: user });
    const end = lines.at(-1)!;
    expect(end.type).toBe('end');
    const byType = (type: string) => lines.filter((l) => l.type === type);
    for (const [type, n] of Object.entries(end.counts!)) expect(byType(type), type).toHaveLength(n);
    expect(done.body.counts).toEqual(end.counts);

    expect(byType('profile')).toEqual([expect.objectContaining({ data: expect.objectContaining({ userId: user, firstName: secret }) })]);
    expect(byType('widget').map((l) => l.data)).toEqual([expect.objectContaining({ scope: 'custom', tag: secret, data: { note: secret } })]);
    const sessions = byType('session').map((l) => l.data);
    expect(sessions).toHaveLength(2); // the chat app's and the memory chat app's
    expect(sessions.every((s) => s.userId === user)).toBe(true);
    expect(sessions.map((s) => s.sessionId)).toContain(a.sessionId);
    const messages = byType('message');
    const contents = messages.map((m) => m.data.content);
    for (const said of [`${secret} first`, `${secret} again`, `${secret} remember me`]) expect(contents).toContain(said);
    expect(messages.filter((m) => m.hidden).map((m) => m.data.content)).toEqual([`${secret} hidden`]);
    expect(messages.every((m) => sessions.some((s) => s.sessionId === m.sessionId))).toBe(true);
    const [feedback] = byType('feedback').map((l) => l.data);
    expect(feedback).toMatchObject({ title: secret, description: secret });
    expect(feedback.internalComments).toBeUndefined(); // staff's notes stay out
    expect(byType('file').map((l) => l.data)).toEqual([expect.objectContaining({ fileName: `${secret}.txt`, mimeType: 'text/plain' })]);
    expect(byType('file')[0]!.data.s3Key).toBeUndefined();
    expect(byType('insights')).toHaveLength(1);
    expect(byType('usage').filter((l) => l.chatAppId === chatAppId).length).toBeGreaterThanOrEqual(2); // a day and a month
    expect(byType('memoryRecord').map((l) => l.data.content)).toContain(`${secret} likes tea`);
    expect(byType('memoryRecord').map((l) => l.data.recordId)).toContain(`${MEMORY_ID}:${record.memoryRecordId}`);
    // Nothing internal: no keys, no bookkeeping items.
    expect(text).not.toMatch(/"(pk|sk|gsi1pk)":/);
    expect(
      lines
        .map((l) => l.type)
        .filter((t) => !['export', 'profile', 'widget', 'session', 'message', 'feedback', 'file', 'insights', 'usage', 'memoryRecord', 'end'].includes(t)),
    ).toEqual([]);

    // Only the owner reads it; an unknown id is the same 404.
    const otherGet = await api.call('GET', path, { token: b.t });
    expect([otherGet.status, otherGet.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await api.call('GET', `/users/me/exports/${uid('nope')}`, { token: a.t })).status).toBe(404);
    expect(await exportsOf(user)).toHaveLength(1);

    // Erasing the user removes the export too: the object, the records; the other user's data stays.
    expect((await api.call('DELETE', '/users/me', { token: a.t })).status).toBe(202);
    expect((await waitWhileRunning(api, a.t, '/users/me/erasure')).body.status).toBe('done');
    expect(await exportsOf(user)).toEqual([]);
    expect((await api.call('GET', path, { token: a.t })).status).toBe(404);
    expect((await scanAll()).filter((i) => mentions(i, user, secret)).map((i) => i.sk)).toEqual(['ERASURE']);
    expect(await objectsUnder(`files/${encodeURIComponent(other)}/`)).toHaveLength(2);
  }, 180_000);

  it('is refused while the user\u2019s erasure runs, and while another export of theirs runs (409)', async () => {
    const erasing = uid('erasing');
    await startErasure(erasing, 'user'); // the record as the route writes it, without its job: it stays running
    const refused = await api.call('POST', '/users/me/exports', { token: await token(erasing) });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'USER_ERASURE_IN_PROGRESS']);

    const busy = uid('busy');
    const running = await startExport(busy); // no job: it stays running
    const again = await api.call('POST', '/users/me/exports', { token: await token(busy) });
    expect([again.status, again.body.error.code, again.body.error.details]).toEqual([409, 'CONFLICT', { exportId: running.exportId }]);
    expect((await api.call('GET', `/users/me/exports/${running.exportId}`, { token: await token(busy) })).body).toMatchObject({ status: 'running' });

    // A lock whose lease has ended (its job died without a word) blocks nothing.
    const stale = uid('stale');
    await startExport(stale, Date.now() - (EXPORT_LEASE_SECONDS + 60) * 1000);
    expect((await api.call('POST', '/users/me/exports', { token: await token(stale) })).status).toBe(202);
  });

  it('an export whose user is erased meanwhile writes nothing', async () => {
    const user = uid('raced');
    const t = await token(user);
    expect((await api.call('PUT', '/users/me', { token: t, body: { firstName: 'Raced' } })).status).toBe(200);
    const running = await startExport(user);
    await startErasure(user, 'user');
    expect((await deliver({ userId: user, exportId: running.exportId, step: 0 })).batchItemFailures).toEqual([]);
    expect(await getExportRecord(user, running.exportId)).toMatchObject({ status: 'failed', error: { code: 'USER_ERASURE_IN_PROGRESS' } });
    expect(await exportsOf(user)).toEqual([]);
  });

  it('erasing a user while an export of theirs runs aborts its upload: no part, object or record is left', async () => {
    const user = uid('midway');
    const t = await token(user);
    expect((await api.call('PUT', '/users/me', { token: t, body: { firstName: 'Midway' } })).status).toBe(200);
    const running = await startExport(user);
    // A step's checkpoint as the job saves it: an upload with a part sent.
    const writer = await openDocument(running.s3Key, { contentType: 'application/x-ndjson', fileName: 'x.ndjson' });
    expect(await writer.write('x'.repeat(PART_BYTES))).toBe(true);
    expect(await saveExportProgress(user, running.exportId, 0, 1, { cursor: EXPORT_START, upload: writer.state() })).toBe(true);
    expect((await api.call('DELETE', '/users/me', { token: t })).status).toBe(202);
    expect((await waitWhileRunning(api, t, '/users/me/erasure')).body.status).toBe('done');
    await expect(writer.complete()).rejects.toThrow(); // NoSuchUpload: its parts are gone
    // Its next step finds nothing to go on with.
    expect((await deliver({ userId: user, exportId: running.exportId, step: 1 })).batchItemFailures).toEqual([]);
    expect(await exportsOf(user)).toEqual([]);
    expect(await getExportRecord(user, running.exportId)).toBeUndefined();
  });

  it('a big export runs in steps, one part at least each; redelivered steps write one document', async () => {
    const user = uid('big');
    const t = await token(user);
    const session = await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo' } });
    expect(session.status).toBe(201);
    // ~10 MiB of messages: two parts of the multipart upload, so two steps when a step's time is short.
    const big = 'x'.repeat(250_000);
    const count = Math.ceil((PART_BYTES * 1.2) / big.length);
    for (let i = 0; i < count; i++)
      await appendMessage({ userId: user, sessionId: session.body.sessionId, role: 'user', content: `${i} ${big}`, source: 'user' });
    const restore = provideConfig({ LIFECYCLE_STEP_MS: '100' });
    try {
      const running = await startExport(user); // the record; its first step run here, twice at once
      const job = { userId: user, exportId: running.exportId, step: 0 };
      // With its time already up (the worker gives a step at least 1 s, in which a quiet machine writes it all), a
      // step stops at its first part: each delivery sends one, one of them saves its checkpoint.
      expect(await Promise.all([runExportStep(job, 0), runExportStep(job, 0)])).toEqual(['continued', 'continued']);
      // Each sent its part and the next step; one saved its checkpoint. The queue runs step 1 (twice: the second is a no-op).
      let done = await getExportRecord(user, running.exportId);
      while (done?.status === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 50));
        done = await getExportRecord(user, running.exportId);
      }
      expect(done).toMatchObject({ status: 'done', step: 1 });
      expect(done!.progress).toBeUndefined();
      expect(await exportsOf(user)).toEqual([running.s3Key]);
      const head = await s3Client().send(new HeadObjectCommand({ Bucket: filesBucket(), Key: running.s3Key }));
      expect(Number(head.ContentLength)).toBeGreaterThan(PART_BYTES);
      expect(done!.bytes).toBe(Number(head.ContentLength));
      // Stale and finished: nothing is written again.
      await deliver(job, 3);
      await deliver({ ...job, step: 1 }, 2);
      expect(await getExportRecord(user, running.exportId)).toEqual(done);
      const view = await api.call('GET', `/users/me/exports/${running.exportId}`, { token: t });
      const { lines } = await download(view.body.downloadUrl);
      const messages = lines.filter((l) => l.type === 'message').map((l) => String(l.data.content).split(' ')[0]);
      expect(messages).toEqual(Array.from({ length: count }, (_, i) => String(i))); // each once, in order, across the steps
      expect(lines.filter((l) => l.type === 'export')).toHaveLength(1);
      expect(lines.at(-1)).toMatchObject({ type: 'end', counts: { session: 1, message: count } });
    } finally {
      restore();
    }
  }, 120_000);

  it('an early step is delivered again, not run; the due step runs', async () => {
    const user = uid('early');
    const t = await token(user);
    expect((await api.call('PUT', '/users/me', { token: t, body: { firstName: 'Early' } })).status).toBe(200);
    const running = await startExport(user);
    expect((await deliver({ userId: user, exportId: running.exportId, step: 1 })).batchItemFailures).toHaveLength(1);
    expect(await getExportRecord(user, running.exportId)).toMatchObject({ status: 'running', step: 0 });
    expect((await deliver({ userId: user, exportId: running.exportId, step: 0 })).batchItemFailures).toEqual([]);
    expect(await getExportRecord(user, running.exportId)).toMatchObject({ status: 'done', counts: { profile: 1 } });
  });
});
