import { describe, expect, it } from 'vitest';
import { expectErrorShape, ROLES, token, uid, useApi } from './harness';
import { sampleInsights } from '../data/fixtures';

const api = useApi();

const insights = sampleInsights();

describe('users', () => {
  it('me: read and rename; admins: get, prefix search, put', async () => {
    const id = uid('prefixy');
    const t = await token(id, [], { userType: 'external-user' });
    expect((await api.call('GET', '/users/me', { token: t })).body).toMatchObject({ userId: id, userType: 'external-user' });
    expect((await api.call('PUT', '/users/me', { token: t, body: { firstName: 'Ada', lastName: 'L' } })).body).toMatchObject({ userId: id, firstName: 'Ada' });
    const admin = await token(uid(), [ROLES.contentAdmin]);
    expect((await api.call('GET', `/users/${id}`, { token: admin })).body.firstName).toBe('Ada');
    expectErrorShape(await api.call('GET', `/users/${uid()}`, { token: admin }), 404);
    const found = await api.call('GET', `/users?prefix=${id.slice(0, 12)}`, { token: admin });
    expect(found.body.items.map((u: any) => u.userId)).toContain(id);
    expectErrorShape(await api.call('GET', '/users?prefix=ab', { token: admin }), 400);
    const site = await token(uid(), [ROLES.siteAdmin]);
    const put = await api.call('PUT', `/users/${id}`, { token: site, body: { firstName: 'Ada', customData: { accountId: 'a1' }, roles: [] } });
    expect(put.body).toMatchObject({ userId: id, customData: { accountId: 'a1' } });
    expectErrorShape(await api.call('PUT', `/users/${id}`, { token: site, body: { customData: JSON.parse('{"__proto__":{"x":1}}') } }), 400);
  });
});

describe('feedback', () => {
  it('users report on their sessions; content admins triage with optimistic concurrency', async () => {
    const t = await token(uid());
    const { body: s } = await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo' } });
    const fb = await api.call('POST', `/sessions/${s.sessionId}/feedback`, {
      token: t,
      body: { type: 'incorrect_response', severity: 'high', title: 'Wrong', description: 'It said 3' },
    });
    expect(fb.status).toBe(201);
    expect(fb.body).toMatchObject({ status: 'new', reportedByHuman: true, createdByCustomer: true });
    expect((await api.call('GET', `/sessions/${s.sessionId}/feedback`, { token: t })).body.items).toHaveLength(1);
    expectErrorShape(await api.call('PATCH', `/sessions/${s.sessionId}/feedback/${fb.body.feedbackId}`, { token: t, body: { status: 'resolved' } }), 403);

    const admin = await token(uid(), [ROLES.contentAdmin]);
    const updated = await api.call('PATCH', `/sessions/${s.sessionId}/feedback/${fb.body.feedbackId}`, {
      token: admin,
      body: { status: 'in_progress', expectedLastUpdate: fb.body.lastUpdate },
    });
    expect(updated.body.status).toBe('in_progress');
    const stale = await api.call('PATCH', `/sessions/${s.sessionId}/feedback/${fb.body.feedbackId}`, {
      token: admin,
      body: { status: 'resolved', expectedLastUpdate: fb.body.lastUpdate },
    });
    expectErrorShape(stale, 409, 'CONFLICT');
    const commented = await api.call('POST', `/sessions/${s.sessionId}/feedback/${fb.body.feedbackId}/comments`, {
      token: admin,
      body: { comment: 'looking' },
    });
    expect(commented.status).toBe(201);
    expect(commented.body.internalComments).toHaveLength(1);
    const listed = await api.call('GET', '/feedback?status=in_progress&severity=high&limit=100', { token: admin });
    expect(listed.body.items.map((f: any) => f.feedbackId)).toContain(fb.body.feedbackId);
    expectErrorShape(await api.call('PATCH', `/sessions/${s.sessionId}/feedback/${uid()}`, { token: admin, body: { status: 'resolved' } }), 404);
    expectErrorShape(await api.call('GET', '/feedback?status=closed', { token: admin }), 400);
  });
});

describe('insights', () => {
  it('the service writes, the owner reads; unknown sessions are 404', async () => {
    const t = await token(uid());
    const svc = await token(uid('svc'), [ROLES.service]);
    const { body: s } = await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo' } });
    expectErrorShape(await api.call('GET', `/sessions/${s.sessionId}/insights`, { token: t }), 404);
    expect((await api.call('PUT', `/sessions/${s.sessionId}/insights`, { token: svc, body: insights })).status).toBe(200);
    expect((await api.call('GET', `/sessions/${s.sessionId}/insights`, { token: t })).body).toEqual(insights);
    expectErrorShape(await api.call('PUT', `/sessions/${uid()}/insights`, { token: svc, body: insights }), 404);
    expectErrorShape(await api.call('PUT', `/sessions/${s.sessionId}/insights`, { token: svc, body: { ...insights, generateDate: 'yesterday' } }), 400);
  });
});

describe('widget data', () => {
  it('replaces, merges, reads and deletes', async () => {
    const t = await token(uid());
    expectErrorShape(await api.call('GET', '/widget-data/custom/form', { token: t }), 404);
    await api.call('PUT', '/widget-data/custom/form', { token: t, body: { data: { a: 1, b: { c: 2 } } } });
    const merged = await api.call('PUT', '/widget-data/custom/form', { token: t, body: { data: { d: 4 }, partial: true } });
    expect(merged.body.data).toEqual({ a: 1, b: { c: 2 }, d: 4 });
    const replaced = await api.call('PUT', '/widget-data/custom/form', { token: t, body: { data: { z: 0 } } });
    expect(replaced.body.data).toEqual({ z: 0 });
    expect((await api.call('GET', '/widget-data/custom/form', { token: t })).body).toEqual({ scope: 'custom', tag: 'form', data: { z: 0 } });
    expect((await api.call('DELETE', '/widget-data/custom/form', { token: t })).body).toEqual({ deleted: true });
    expectErrorShape(await api.call('DELETE', '/widget-data/custom/form', { token: t }), 404);
    expectErrorShape(await api.call('PUT', '/widget-data/custom/form', { token: t, body: { data: { big: 'x'.repeat(70 * 1024) } } }), 413);
  });
});

describe('admin config', () => {
  it('site admins put and get chat apps and agents; bad config is a 400', async () => {
    const site = await token(uid(), [ROLES.siteAdmin]);
    const appId = uid('app');
    const put = await api.call('PUT', `/admin/chat-apps/${appId}`, {
      token: site,
      body: { title: 'Support', enabled: true, agentId: 'echo', access: { userTypes: ['internal-user'] } },
    });
    expect(put.status).toBe(200);
    expect((await api.call('GET', `/admin/chat-apps/${appId}`, { token: site })).body).toMatchObject({ chatAppId: appId, title: 'Support' });
    expectErrorShape(await api.call('PUT', `/admin/chat-apps/${appId}`, { token: site, body: { title: 'x' } }), 400);
    const agent = await api.call('PUT', `/admin/agents/${uid('agent')}`, {
      token: site,
      body: {
        agent: { kind: 'bedrock-agent', bedrockAgentId: 'ABC', bedrockAgentAliasId: 'DEF' },
        pricing: { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 },
      },
    });
    expect(agent.status).toBe(200);
    expectErrorShape(await api.call('GET', `/admin/agents/${uid()}`, { token: site }), 404);

    // The access rules apply: an external user may not start a session in an internal-only app.
    const external = await token(uid(), [], { userType: 'external-user' });
    expectErrorShape(await api.call('POST', '/sessions', { token: external, body: { chatAppId: appId } }), 403);
    const internal = await token(uid(), [], { userType: 'internal-user' });
    expect((await api.call('POST', '/sessions', { token: internal, body: { chatAppId: appId } })).status).toBe(201);
  });
});
