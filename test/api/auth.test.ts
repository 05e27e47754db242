import { describe, expect, it } from 'vitest';
import { badTokens, expectErrorShape, ROLES, token, uid, useApi } from './harness';

const api = useApi();

describe('authentication and errors', () => {
  it('refuses missing, expired, forged, wrong-audience, unsigned and expiry-less tokens with 401 JSON', async () => {
    expectErrorShape(await api.call('GET', '/users/me'), 401, 'UNAUTHORIZED');
    expectErrorShape(await api.call('GET', '/users/me', { headers: { authorization: 'Basic abc' } }), 401, 'UNAUTHORIZED');
    for (const [kind, t] of Object.entries(await badTokens(uid()))) {
      const r = await api.call('GET', '/users/me', { token: t });
      expect(r.status, kind).toBe(401);
      expectErrorShape(r, 401, 'UNAUTHORIZED');
    }
    expect((await api.call('GET', '/users/me', { token: await token(uid()) })).status).toBe(200);
  });

  it('answers unknown routes 404 and wrong methods 405, as JSON', async () => {
    const t = await token(uid());
    expectErrorShape(await api.call('GET', '/nothing-here', { token: t }), 404, 'NOT_FOUND');
    const r = await api.call('DELETE', '/sessions', { token: t });
    expectErrorShape(r, 405, 'METHOD_NOT_ALLOWED');
    expect(r.headers.get('allow')).toContain('GET');
  });

  it('refuses oversized bodies with 413 and non-JSON bodies with 415', async () => {
    const t = await token(uid());
    const big = JSON.stringify({ data: { blob: 'x'.repeat(300 * 1024) } });
    expectErrorShape(
      await api.call('PUT', '/widget-data/custom/big', { token: t, raw: big, headers: { 'content-type': 'application/json' } }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expectErrorShape(await api.call('PUT', '/users/me', { token: t, raw: 'firstName=x', headers: { 'content-type': 'text/plain' } }), 415);
    expectErrorShape(
      await api.call('PUT', '/users/me', { token: t, raw: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), headers: { 'content-type': 'application/json' } }),
      400,
      'INVALID_JSON',
    );
  });

  it('keeps admin routes to their roles (403 for others)', async () => {
    const user = await token(uid());
    const content = await token(uid(), [ROLES.contentAdmin]);
    const site = await token(uid(), [ROLES.siteAdmin]);
    expectErrorShape(await api.call('GET', '/admin/chat-apps/demo', { token: user }), 403, 'FORBIDDEN');
    expectErrorShape(await api.call('GET', '/admin/chat-apps/demo', { token: content }), 403, 'FORBIDDEN');
    expect((await api.call('GET', '/admin/chat-apps/demo', { token: site })).status).toBe(200);
    expectErrorShape(await api.call('GET', '/feedback', { token: user }), 403);
    expectErrorShape(await api.call('GET', '/users?prefix=abc', { token: user }), 403);
    expectErrorShape(await api.call('PUT', `/sessions/x/insights`, { token: content, body: {} }), 403);
  });

  it('takes roles from the stored user as well as from the token', async () => {
    const id = uid('promoted');
    const service = await token(uid('svc'), [ROLES.service]);
    const t = await token(id);
    expectErrorShape(await api.call('GET', '/feedback', { token: t }), 403);
    expect((await api.call('PUT', `/users/${id}`, { token: service, body: { roles: [ROLES.contentAdmin], userType: 'internal-user' } })).status).toBe(200);
    expect((await api.call('GET', '/feedback', { token: t })).status).toBe(200);
  });

  it('sends CORS headers for allowed origins only', async () => {
    const t = await token(uid());
    const ok = await api.call('GET', '/users/me', { token: t, headers: { origin: 'https://app.example.com' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const other = await api.call('GET', '/users/me', { token: t, headers: { origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example.com');
  });

  it('lets a web app read Retry-After and Allow, on answers and errors alike, and preflights only for allowed origins', async () => {
    const origin = 'https://app.example.com';
    const t = await token(uid());
    const answers = [
      await api.call('GET', '/users/me', { token: t, headers: { origin } }),
      await api.call('GET', '/sessions/nope', { token: t, headers: { origin } }),
      await api.call('GET', '/users/me', { headers: { origin } }),
    ];
    for (const r of answers) {
      expect(r.headers.get('access-control-allow-origin')).toBe(origin);
      expect(r.headers.get('access-control-expose-headers')).toBe('Retry-After, Allow');
      expect(r.headers.get('vary')).toContain('Origin');
    }
    const preflight = (o: string) =>
      fetch(`${api.url}/converse`, {
        method: 'OPTIONS',
        headers: { origin: o, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
      });
    const allowed = await preflight(origin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
    expect(allowed.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type, Idempotency-Key');
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    const refused = await preflight('https://evil.example.com');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});
