/**
 * Erasing a user (issue 27 item 1) on the local stack: data of every kind is planted for a user and for another
 * user — profile, widget data, sessions with turns (messages, debits, usage, idempotency and rate-limit records),
 * a hidden message, feedback with an internal comment, insights, uploaded files and an object of a session
 * deleted long ago, a budget override, memory events and records, an export of their data — then DELETE /users/me runs the job through
 * the in-process lifecycle queue, and a Scan of the whole table and the bucket listing show nothing of the user
 * but the erasure record; the other user is untouched and the chat app's user report still adds up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIdOf } from 'pika-shared/schemas';
import { startErasure } from '../../functions/data/erasure';
import { actorIdFor } from '../../functions/memory/registry';
import { DEMO_MEMORY_ARN } from '../../scripts/local/demo-memory';
import { token, uid } from '../api/harness';
import { restoreEnv } from '../support/env';
import { converse, useConverse } from './harness';
import { admin, mentions, objectsUnder, plant as plantFor, scanAll, waitWhileRunning } from './user-data';

const { api, emulator } = useConverse();
const MEMORY_ID = memoryIdOf(DEMO_MEMORY_ARN)!;
const saved = { ERASURE_SETTLE_SECONDS: process.env.ERASURE_SETTLE_SECONDS };
// The second pass waits for turns running at the request: one second here (in AWS converse's timeout + 60 s).
beforeAll(() => void (process.env.ERASURE_SETTLE_SECONDS = '1'));
afterAll(() => restoreEnv(saved));

const plant = (userId: string, chatAppId: string, secret: string) => plantFor(api, userId, chatAppId, secret);

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

const waitForErasure = (t: string, path = '/users/me/erasure') => waitWhileRunning(api, t, path);

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
    // An export of the user's data (issue 27 item 2): its document and its records go with the rest.
    const exported = await api.call('POST', '/users/me/exports', { token: a.t });
    expect(exported.status).toBe(202);
    const exportPath = `/users/me/exports/${exported.body.exportId}`;
    expect((await waitWhileRunning(api, a.t, exportPath)).body.status).toBe('done');
    expect(await objectsUnder(`exports/${encodeURIComponent(gone)}/`)).toHaveLength(1);

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
    expect(await objectsUnder(`exports/${encodeURIComponent(gone)}/`)).toEqual([]);
    expect((await api.call('GET', exportPath, { token: a.t })).status).toBe(404);
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
