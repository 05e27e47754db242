/**
 * The API's answers against docs/openapi.json. Every call the API suites make through the harness (test/api,
 * test/converse) is checked as it is answered (test/support/openapi-check.ts: declared status, declared and valid
 * headers, content type, JSON body against the response schema); this file proves the check refuses what the
 * document does not say, and replays a sweep of the whole route table (new routes are in it by construction):
 * each route without a token, as a plain user and as an admin, with an empty body where it takes one, and
 * every method its path does not define.
 */
import { describe, expect, it } from 'vitest';
import { HTTP_METHODS, ROUTES, type RouteDef } from '../../functions/http/routes';
import { checked, openApiMismatches } from '../support/openapi-check';
import { ROLES, token, uid, useApi } from './harness';

const api = useApi();
const json = (o: Record<string, string> = {}) => new Headers({ 'content-type': 'application/json', ...o });
const error = (code: string) => ({ error: { code, message: 'm' } });

describe('the OpenAPI check', () => {
  it('refuses an undeclared status, an undeclared (any but HTTP’s own) or invalid header, a missing required header, a body off its schema, a wrong content type', () => {
    const bad = [
      { method: 'GET', path: '/users/me', status: 418, headers: json(), body: error('INTERNAL') },
      { method: 'GET', path: '/users/me', status: 401, headers: json({ 'retry-after': '3' }), body: error('UNAUTHORIZED') },
      { method: 'PUT', path: '/users/me', status: 429, headers: json({ 'retry-after': 'soon' }), body: error('RATE_LIMITED') },
      { method: 'GET', path: '/sessions/search', status: 405, headers: json(), body: error('METHOD_NOT_ALLOWED') },
      { method: 'GET', path: '/users/me', status: 401, headers: json(), body: error('NOT_FOUND') },
      { method: 'GET', path: '/users/me', status: 401, headers: json({ 'x-debug': 'stack' }), body: error('UNAUTHORIZED') },
      { method: 'POST', path: '/converse', status: 200, headers: new Headers({ 'content-type': 'text/event-stream' }) },
      { method: 'GET', path: '/users/me', status: 200, headers: json(), body: {} },
      { method: 'GET', path: '/users/me', status: 401, headers: new Headers({ 'content-type': 'text/html' }), body: '<h1>401</h1>' },
      { method: 'DELETE', path: '/users/me', status: 200, headers: json(), body: {} },
    ];
    for (const x of bad) expect(openApiMismatches(x), `${x.method} ${x.path} ${x.status}`).not.toEqual([]);
    const good = { method: 'PUT', path: '/users/me', status: 429, headers: json({ 'retry-after': '3' }), body: error('RATE_LIMITED') };
    expect(openApiMismatches(good)).toEqual([]);
    const stream = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };
    expect(openApiMismatches({ method: 'POST', path: '/converse', status: 200, headers: new Headers(stream) })).toEqual([]);
    expect(openApiMismatches({ ...good, path: '/playground/config.json' })).toEqual([]);
  });

  it('every route of the table, as an outsider, a user and an admin, and every method its path does not define, answers as documented', async () => {
    const user = await token(uid());
    const admin = await token(uid(), [ROLES.siteAdmin, ROLES.contentAdmin]);
    const routes = ROUTES as readonly RouteDef[];
    const concrete = new Map(routes.map((r) => [r.path, r.path.replace(/\{[^}]+\}/g, () => uid())]));
    for (const r of routes) {
      const path = concrete.get(r.path)!;
      const body = r.body ? {} : undefined;
      // The harness's call checks each answer against the document and throws, naming the call, when it breaks it.
      await api.call(r.method, path, { body });
      await api.call(r.method, path, { token: user, body });
      await api.call(r.method, path, { token: admin, body });
    }
    for (const [template, path] of concrete) {
      const defined = routes.filter((r) => r.path === template).map((r) => r.method);
      for (const m of HTTP_METHODS.filter((x) => !defined.includes(x))) {
        const r = await api.call(m, path, { token: user, body: m === 'GET' || m === 'DELETE' ? undefined : {} });
        expect(r.status, `${m} ${template}`).toBe(405);
      }
    }
    expect(routes.filter((r) => !checked.get(r.id)).map((r) => r.id)).toEqual([]);
  });
});
