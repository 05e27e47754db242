import { describe, expect, it } from 'vitest';
import { appendMessage } from '../../functions/data/messages';
import { expectErrorShape, ROLES, token, uid, useApi } from './harness';

const api = useApi();

describe('sessions and messages over HTTP', () => {
  it('creates, reads, lists, renames and deletes a session', async () => {
    const t = await token(uid());
    const created = await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo', title: 'First' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ chatAppId: 'demo', agentId: 'echo', title: 'First' });
    const id = created.body.sessionId;

    expect((await api.call('GET', `/sessions/${id}`, { token: t })).body.sessionId).toBe(id);
    const list = await api.call('GET', '/sessions?chatAppId=demo', { token: t });
    expect(list.body.items.map((s: any) => s.sessionId)).toEqual([id]);

    const renamed = await api.call('PATCH', `/sessions/${id}`, { token: t, body: { title: 'Renamed' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.title).toBe('Renamed');

    expect((await api.call('DELETE', `/sessions/${id}`, { token: t })).body).toEqual({ deleted: true });
    expectErrorShape(await api.call('GET', `/sessions/${id}`, { token: t }), 404, 'NOT_FOUND');
  });

  it('rejects unknown chat apps, disallowed agents and bad bodies with JSON 4xx', async () => {
    const t = await token(uid());
    expectErrorShape(await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'no-such-app' } }), 404, 'NOT_FOUND');
    expectErrorShape(await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo', agentId: 'faulty' } }), 403, 'FORBIDDEN');
    const bad = await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'has spaces', userId: 'x' } });
    expectErrorShape(bad, 400, 'VALIDATION_FAILED');
    expect(bad.body.error.details.map((d: any) => d.path)).toEqual(expect.arrayContaining(['body.chatAppId', 'body']));
    expectErrorShape(
      await api.call('POST', '/sessions', { token: t, raw: '{"chatAppId":', headers: { 'content-type': 'application/json' } }),
      400,
      'INVALID_JSON',
    );
    expectErrorShape(await api.call('PATCH', '/sessions/abc', { token: t, body: {} }), 400, 'VALIDATION_FAILED');
    expectErrorShape(await api.call('GET', '/sessions?limit=0', { token: t }), 400, 'VALIDATION_FAILED');
    expectErrorShape(await api.call('GET', '/sessions?unknown=1', { token: t }), 400, 'VALIDATION_FAILED');
  });

  it('pages through messages oldest first to the last page, hiding component messages', async () => {
    const user = uid();
    const t = await token(user);
    const { body: session } = await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo' } });
    const written: string[] = [];
    for (let i = 0; i < 7; i++) {
      const m = await appendMessage({ userId: user, sessionId: session.sessionId, role: i % 2 ? 'assistant' : 'user', content: `m${i}`, source: 'user' });
      written.push(m.messageId);
    }
    await appendMessage({ userId: user, sessionId: session.sessionId, role: 'user', content: 'hidden', source: 'component' });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await api.call('GET', `/sessions/${session.sessionId}/messages?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: t });
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((m: any) => m.messageId));
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(written);
    expect(pages).toBe(3);
  });

  it('opens a session at its newest messages (order=desc) and pages backwards; refuses bad orders and crossed cursors', async () => {
    const user = uid();
    const t = await token(user);
    const { body: session } = await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo' } });
    const written: string[] = [];
    for (let i = 0; i < 7; i++)
      written.push(
        (await appendMessage({ userId: user, sessionId: session.sessionId, role: i % 2 ? 'assistant' : 'user', content: `m${i}`, source: 'user' })).messageId,
      );
    const url = `/sessions/${session.sessionId}/messages`;
    const newest = await api.call('GET', `${url}?order=desc&limit=3`, { token: t });
    expect(newest.status).toBe(200);
    expect(newest.body.items.map((m: any) => m.messageId)).toEqual([written[6], written[5], written[4]]);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await api.call('GET', `${url}?order=desc&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: t });
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((m: any) => m.messageId));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...written].reverse());
    expect((await api.call('GET', `${url}?order=asc&limit=3`, { token: t })).body.items.map((m: any) => m.messageId)).toEqual(written.slice(0, 3));

    const descCursor = encodeURIComponent(newest.body.nextCursor);
    const ascCursor = encodeURIComponent((await api.call('GET', `${url}?limit=3`, { token: t })).body.nextCursor);
    expectErrorShape(await api.call('GET', `${url}?cursor=${descCursor}`, { token: t }), 400, 'INVALID_CURSOR');
    expectErrorShape(await api.call('GET', `${url}?order=desc&cursor=${ascCursor}`, { token: t }), 400, 'INVALID_CURSOR');
    for (const bad of ['DESC', 'newest', '', 'asc,desc']) {
      const r = await api.call('GET', `${url}?order=${encodeURIComponent(bad)}`, { token: t });
      expectErrorShape(r, 400, 'VALIDATION_FAILED');
      expect(r.body.error.details.map((d: any) => d.path)).toContain('query.order');
    }
  });

  it('rejects a cursor from another list or another user', async () => {
    const a = uid();
    const ta = await token(a);
    for (let i = 0; i < 3; i++) await api.call('POST', '/sessions', { token: ta, body: { chatAppId: 'demo' } });
    const first = await api.call('GET', '/sessions?limit=1', { token: ta });
    const cursor = encodeURIComponent(first.body.nextCursor);
    expect((await api.call('GET', `/sessions?limit=1&cursor=${cursor}`, { token: ta })).status).toBe(200);
    expectErrorShape(await api.call('GET', `/sessions?limit=1&cursor=${cursor}`, { token: await token(uid()) }), 400, 'INVALID_CURSOR');
    expectErrorShape(await api.call('GET', `/sessions?limit=1&chatAppId=demo&cursor=${cursor}`, { token: ta }), 400, 'INVALID_CURSOR');
    const tampered = first.body.nextCursor.replace(/^./, (c: string) => (c === 'A' ? 'B' : 'A'));
    expectErrorShape(await api.call('GET', `/sessions?limit=1&cursor=${encodeURIComponent(tampered)}`, { token: ta }), 400, 'INVALID_CURSOR');
  });

  it('lets content admins read and flag, but not rename or delete, other users\u2019 sessions', async () => {
    const owner = uid();
    const t = await token(owner);
    const admin = await token(uid('admin'), [ROLES.contentAdmin]);
    const { body: s } = await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo' } });
    expect((await api.call('GET', `/sessions/${s.sessionId}`, { token: admin })).status).toBe(200);
    expect((await api.call('GET', `/sessions/${s.sessionId}/messages`, { token: admin })).status).toBe(200);
    const flagged = await api.call('PATCH', `/sessions/${s.sessionId}`, { token: admin, body: { flaggedForHumanReview: true } });
    expect(flagged.body.flaggedForHumanReview).toBe(true);
    expectErrorShape(await api.call('PATCH', `/sessions/${s.sessionId}`, { token: admin, body: { title: 'x' } }), 403);
    expectErrorShape(await api.call('DELETE', `/sessions/${s.sessionId}`, { token: admin }), 404);
    expectErrorShape(await api.call('PATCH', `/sessions/${s.sessionId}`, { token: t, body: { flaggedForHumanReview: true } }), 403);
  });

  it('searches: own sessions for users, any user\u2019s for admins', async () => {
    const owner = uid();
    const t = await token(owner);
    const ids: string[] = [];
    for (const title of ['alpha order', 'beta', 'gamma order'])
      ids.push((await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo', title } })).body.sessionId);
    const mine = await api.call('POST', '/sessions/search', { token: t, body: { titlePartial: 'order', size: 10 } });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ success: true, total: 2, pageSize: 10 });
    expect(mine.body.sessions.map((s: any) => s.title).sort()).toEqual(['alpha order', 'gamma order']);
    expectErrorShape(await api.call('POST', '/sessions/search', { token: t, body: { userId: uid() } }), 403);
    const admin = await token(uid('admin'), [ROLES.contentAdmin]);
    const theirs = await api.call('POST', '/sessions/search', { token: admin, body: { userId: owner, sortBy: [{ field: 'lastUpdate', order: 'asc' }] } });
    expect(theirs.body.sessions.map((s: any) => s.sessionId)).toEqual(ids);
    // Every field is served now (test/api/session-search.test.ts): customData and a sort on cost included.
    const costly = await api.call('POST', '/sessions/search', {
      token: t,
      body: { customUserData: { a: 1 }, sortBy: [{ field: 'totalCost', order: 'desc' }] },
    });
    expect(costly.status).toBe(200);
    expect(costly.body).toMatchObject({ success: true, sessions: [], total: 0 });
  });
});
