/**
 * Hostile and unlucky input (issue 11, items 11–13, 17, 18): each case failed before its fix.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addInternalComment, createFeedback } from '../../functions/data/feedback';
import { newId, nowIso } from '../../functions/data/items';
import { expectErrorShape, ROLES, token, uid, useApi } from './harness';
import { restoreEnv } from '../support/env';

const api = useApi();
const admin = () => token(uid('ca'), [ROLES.contentAdmin]);

async function sessionOf(t: string, extra: Record<string, unknown> = {}) {
  const r = await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo', ...extra } });
  expect(r.status).toBe(201);
  return r.body as { sessionId: string; createDate: string; userId: string };
}

afterEach(() => {
  delete process.env.WRITE_RATE_LIMIT;
  delete process.env.WRITE_RATE_WINDOW_SECONDS;
});

describe('feedback internal comments', () => {
  it('are shown to content admins, never to the session owner', async () => {
    const owner = uid();
    const t = await token(owner);
    const s = await sessionOf(t);
    const fb = await createFeedback({
      sessionId: s.sessionId,
      userId: owner,
      type: 'incorrect_response',
      severity: 'low',
      title: 'Broken',
      description: 'x',
      reportedByHuman: true,
      createdByCustomer: true,
    });
    await addInternalComment(s.sessionId, fb.feedbackId, { commentId: newId(), comment: 'customer is wrong', createdBy: 'admin-7', createDate: nowIso() });

    const mine = await api.call('GET', `/sessions/${s.sessionId}/feedback`, { token: t });
    expect(mine.status).toBe(200);
    expect(mine.body.items).toHaveLength(1);
    expect(mine.body.items[0]).not.toHaveProperty('internalComments');
    expect(JSON.stringify(mine.body)).not.toContain('admin-7');

    const theirs = await api.call('GET', `/sessions/${s.sessionId}/feedback`, { token: await admin() });
    expect(theirs.body.items[0].internalComments).toEqual([expect.objectContaining({ comment: 'customer is wrong', createdBy: 'admin-7' })]);
  });
});

describe('values DynamoDB cannot store', () => {
  const cases: [string, string, string][] = [
    ['a number beyond 2^53 - 1', '{"n": 9007199254740993}', 'body.customData.n'],
    ['a non-finite number', '{"a": {"b": [1, 1e400]}}', 'body.customData.a.b.1'],
    ['a number below 1e-130', '{"tiny": -1e-200}', 'body.customData.tiny'],
    ['an empty key', '{"ok": {"": 1}}', 'body.customData.ok'],
    ['a lone-surrogate key', '{"\\ud800x": 1}', 'body.customData'],
    ['a lone-surrogate string', '{"s": "a\\udc00b"}', 'body.customData.s'],
  ];
  it.each(cases)('%s anywhere in a body is a 400 naming the field, and nothing is written', async (_name, customData, path) => {
    const t = await token(uid());
    const r = await api.call('POST', '/sessions', {
      token: t,
      raw: `{"chatAppId":"demo","customData":${customData}}`,
      headers: { 'content-type': 'application/json' },
    });
    expectErrorShape(r, 400, 'VALIDATION_FAILED');
    expect(r.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect((await api.call('GET', '/sessions', { token: t })).body.items).toEqual([]);
  });

  it('in widget data, and numeric fields, too; storable extremes still pass', async () => {
    const t = await token(uid());
    const bad = await api.call('PUT', '/widget-data/w/t', {
      token: t,
      raw: '{"data":{"x":[0, 1e300, -9007199254740992]}}',
      headers: { 'content-type': 'application/json' },
    });
    expectErrorShape(bad, 400, 'VALIDATION_FAILED');
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.data.x.1', 'body.data.x.2']);
    expect((await api.call('GET', '/widget-data/w/t', { token: t })).status).toBe(404);
    const edge = { x: [0, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e-130, -0.5] };
    const ok = await api.call('PUT', '/widget-data/w/t', { token: t, body: { data: edge } });
    expect(ok.status).toBe(200);
    expect((await api.call('GET', '/widget-data/w/t', { token: t })).body.data).toEqual(edge);
  });
});

describe('session search dates', () => {
  it('bounds with an offset or without milliseconds find the sessions they cover', async () => {
    const t = await token(uid());
    const s = await sessionOf(t);
    const created = new Date(s.createDate);
    // The same instants, spelled differently: one second before creation in +05:00, the next second without ms.
    const before = new Date(created.getTime() - 1000);
    const shifted = new Date(before.getTime() + 5 * 3600_000).toISOString().replace(/\.\d{3}Z$/, '+05:00');
    const after = new Date(Math.ceil((created.getTime() + 1) / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
    for (const dateType of ['created', 'updated'] as const) {
      const r = await api.call('POST', '/sessions/search', { token: t, body: { dateFilter: { dateType, startDate: shifted, endDate: after } } });
      expect(r.status).toBe(200);
      expect(r.body.sessions.map((x: { sessionId: string }) => x.sessionId)).toEqual([s.sessionId]);
    }
    // The session's own second, without milliseconds, as the lower bound.
    const sameSecond = created.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const r = await api.call('POST', '/sessions/search', { token: t, body: { dateFilter: { dateType: 'created', startDate: sameSecond } } });
    expect(r.body.sessions.map((x: { sessionId: string }) => x.sessionId)).toEqual([s.sessionId]);
  });

  it('an endDate before the startDate is a 400, for both date types', async () => {
    const t = await token(uid());
    for (const dateType of ['created', 'updated'] as const) {
      const r = await api.call('POST', '/sessions/search', {
        token: t,
        body: { dateFilter: { dateType, startDate: '2025-01-02T00:00:00Z', endDate: '2025-01-01T23:00:00+00:00' } },
      });
      expectErrorShape(r, 400, 'VALIDATION_FAILED');
      expect(r.body.error.details[0].path).toBe('body.dateFilter.endDate');
    }
  });

  it('a database outage during a lookup by session id is a 503, not an empty result', async () => {
    const t = await admin();
    const saved = {
      DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT,
      AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB,
      DYNAMODB_MAX_ATTEMPTS: process.env.DYNAMODB_MAX_ATTEMPTS,
    };
    Object.assign(process.env, { DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9', DYNAMODB_MAX_ATTEMPTS: '1' });
    try {
      const r = await api.call('POST', '/sessions/search', { token: t, body: { sessionId: newId() } });
      expectErrorShape(r, 503, 'DEPENDENCY_UNAVAILABLE');
    } finally {
      restoreEnv(saved);
    }
  });
});

describe('tokens and user ids', () => {
  it('takes the Bearer scheme in any case', async () => {
    const t = await token(uid());
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const r = await api.call('GET', '/users/me', { headers: { authorization: `${scheme} ${t}` } });
      expect(r.status, scheme).toBe(200);
    }
  });

  it('accepts identity-provider subjects such as auth0|abc and google-oauth2|123 as user ids', async () => {
    for (const userId of [`auth0|${newId()}`, `google-oauth2|${Date.now()}${Math.random().toString().slice(2, 8)}`]) {
      const t = await token(userId);
      const s = await sessionOf(t);
      expect(s.userId).toBe(userId);
      const list = await api.call('GET', '/sessions', { token: t });
      expect(list.body.items.map((x: { sessionId: string }) => x.sessionId)).toEqual([s.sessionId]);
      const svc = await token(uid('svc'), [ROLES.service]);
      const put = await api.call('PUT', `/users/${encodeURIComponent(userId)}`, { token: svc, body: { firstName: 'Ada' } });
      expect(put.status).toBe(200);
      expect((await api.call('GET', `/users/${encodeURIComponent(userId)}`, { token: svc })).body).toMatchObject({ userId, firstName: 'Ada' });
      expect((await api.call('GET', '/users/me', { token: t })).body).toMatchObject({ userId, firstName: 'Ada' });
    }
    // '#' (the key separator) stays impossible, in tokens and in paths.
    expectErrorShape(await api.call('GET', '/users/me', { token: await token('auth0#USER') }), 401, 'UNAUTHORIZED');
    const svc = await token(uid('svc'), [ROLES.service]);
    expectErrorShape(await api.call('GET', `/users/${encodeURIComponent('a#b')}`, { token: svc }), 400, 'VALIDATION_FAILED');
  });
});

describe('per-user write rate limit', () => {
  it('limits the write routes, says when to retry, and spends nothing on refused requests', async () => {
    // A day-long window: a fixed window that rolled over mid-test would reset the count.
    Object.assign(process.env, { WRITE_RATE_LIMIT: '3', WRITE_RATE_WINDOW_SECONDS: '86400' });
    const t = await token(uid());
    // Refused before any work: invalid bodies do not count.
    for (let i = 0; i < 5; i++) expectErrorShape(await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo', bogus: i } }), 400);
    // Refused by the route itself (valid, authorized, but nothing of theirs): given back.
    for (let i = 0; i < 5; i++) expectErrorShape(await api.call('DELETE', `/sessions/nosuch${i}`, { token: t }), 404);
    for (let i = 0; i < 3; i++) expect((await api.call('PUT', `/widget-data/w/k${i}`, { token: t, body: { data: { i } } })).status).toBe(200);
    const limited = await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo' } });
    expectErrorShape(limited, 429, 'RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBe(limited.body.error.details.retryAfterSeconds);
    // Reads are not limited, and other users are not affected.
    expect((await api.call('GET', '/sessions', { token: t })).status).toBe(200);
    expect((await api.call('POST', '/sessions', { token: await token(uid()), body: { chatAppId: 'demo' } })).status).toBe(201);
  });
});
