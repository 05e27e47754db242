/** User B can read or change nothing of user A's: every attempt is a 404 (existence never revealed). */
import { describe, expect, it } from 'vitest';
import { appendMessage } from '../../functions/data/messages';
import { expectErrorShape, ROLES, token, uid, useApi } from './harness';

const api = useApi();

describe('cross-user isolation', () => {
  it('B gets 404 on every route that touches A\u2019s session, and A\u2019s data is unchanged', async () => {
    const a = uid('a');
    const ta = await token(a);
    const tb = await token(uid('b'));
    const { body: s } = await api.call('POST', '/sessions', { token: ta, body: { chatAppId: 'demo', title: 'A' } });
    await appendMessage({ userId: a, sessionId: s.sessionId, role: 'user', content: 'secret', source: 'user' });
    const { body: fb } = await api.call('POST', `/sessions/${s.sessionId}/feedback`, {
      token: ta,
      body: { type: 'other', severity: 'low', title: 't', description: 'd' },
    });
    await api.call('PUT', '/widget-data/custom/w', { token: ta, body: { data: { mine: true } } });

    const attempts: [string, string, unknown?][] = [
      ['GET', `/sessions/${s.sessionId}`],
      ['PATCH', `/sessions/${s.sessionId}`, { title: 'stolen' }],
      ['DELETE', `/sessions/${s.sessionId}`],
      ['GET', `/sessions/${s.sessionId}/messages`],
      ['GET', `/sessions/${s.sessionId}/feedback`],
      ['POST', `/sessions/${s.sessionId}/feedback`, { type: 'other', severity: 'low', title: 't', description: 'd' }],
      ['GET', `/sessions/${s.sessionId}/insights`],
    ];
    for (const [method, path, body] of attempts) {
      const r = await api.call(method, path, { token: tb, ...(body ? { body } : {}) });
      expectErrorShape(r, 404, 'NOT_FOUND');
      expect(JSON.stringify(r.body)).not.toContain('secret');
    }
    expectErrorShape(await api.call('GET', '/widget-data/custom/w', { token: tb }), 404);
    expectErrorShape(await api.call('PATCH', `/sessions/${s.sessionId}/feedback/${fb.feedbackId}`, { token: tb, body: { status: 'dismissed' } }), 403);
    const bList = await api.call('GET', '/sessions', { token: tb });
    expect(bList.body.items).toEqual([]);
    const bSearch = await api.call('POST', '/sessions/search', { token: tb, body: { sessionId: s.sessionId } });
    expect(bSearch.body.sessions).toEqual([]);

    // Nothing changed for A.
    expect((await api.call('GET', `/sessions/${s.sessionId}`, { token: ta })).body.title).toBe('A');
    expect((await api.call('GET', `/sessions/${s.sessionId}/messages`, { token: ta })).body.items).toHaveLength(1);
    expect((await api.call('GET', `/sessions/${s.sessionId}/feedback`, { token: ta })).body.items).toHaveLength(1);
    expect((await api.call('GET', '/widget-data/custom/w', { token: ta })).body.data).toEqual({ mine: true });
    // A content admin can read it (and that is the only way in).
    const admin = await token(uid(), [ROLES.contentAdmin]);
    expect((await api.call('GET', `/sessions/${s.sessionId}/messages`, { token: admin })).body.items).toHaveLength(1);
  });
});
