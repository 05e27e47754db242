/** Everything derived from the route table stays in step with it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPikaClient, PikaApiError } from 'pika-shared/client';
import { SESSION_INSIGHT_USER_SENTIMENTS } from 'pika-shared/types/chatbot/chatbot-types';
import { describe, expect, it } from 'vitest';
import { buildOpenApi, clientRoutesSource } from '../../functions/http/openapi';
import { RESPONSES } from '../../functions/http/responses';
import { ROUTES, type RouteDef } from '../../functions/http/routes';
import { ERROR_STATUS } from '../../functions/http/errors';
import { routeErrors } from '../../functions/http/route-errors';
import { declaredStatuses, expectDeclared, undeclared } from './declared';
import { token, uid, useApi } from './harness';

const root = join(import.meta.dirname, '../..');
const api = useApi();

describe('route table contract', () => {
  it('docs/openapi.json is what `npm run openapi` generates now', () => {
    const committed = JSON.parse(readFileSync(join(root, 'docs/openapi.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildOpenApi())));
  });

  it('the typed client ships the current route list', () => {
    expect(readFileSync(join(root, 'shared-types/src/client/routes.gen.ts'), 'utf8')).toBe(clientRoutesSource());
  });

  it('every route is in the OpenAPI document with its method', () => {
    const doc = buildOpenApi() as { paths: Record<string, Record<string, { operationId: string }>> };
    for (const r of ROUTES) expect(doc.paths[r.path]?.[r.method.toLowerCase()]?.operationId).toBe(r.id);
  });

  it('every route has its answer schema in responses.ts, and the route table holds none (functions do not bundle them)', () => {
    expect(Object.keys(RESPONSES).sort()).toEqual(ROUTES.map((r) => r.id).sort());
    for (const r of ROUTES) expect(r, r.id).not.toHaveProperty('response');
  });

  it('the typed client talks to the local API and surfaces error codes', async () => {
    const t = await token(uid());
    const client = createPikaClient({ baseUrl: api.url, token: () => t });
    const s = await client.call('createSession', { body: { chatAppId: 'demo', title: 'via client' } });
    const page = await client.call('listSessions', { query: { limit: 5 } });
    expect(page.items.map((x) => x.sessionId)).toContain(s.sessionId);
    const err = await client.call('getSession', { params: { sessionId: 'nope' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PikaApiError);
    expect(err).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });
});

type Schema = Record<string, unknown>;
/** Request strings without maxLength and arrays without maxItems (enums and constants are bounded by their values). */
function unbounded(s: unknown, at: string, out: string[] = []): string[] {
  if (!s || typeof s !== 'object') return out;
  if (Array.isArray(s)) for (const [i, x] of s.entries()) unbounded(x, `${at}[${i}]`, out);
  else {
    const o = s as Schema;
    if (o.type === 'string' && o.maxLength === undefined && !o.enum && o.const === undefined) out.push(at);
    if (o.type === 'array' && o.maxItems === undefined) out.push(at);
    for (const [k, v] of Object.entries(o)) unbounded(v, `${at}.${k}`, out);
  }
  return out;
}

describe('the document tells every status a route can answer', () => {
  const doc = buildOpenApi() as { paths: Record<string, Record<string, Schema & { parameters: Schema[]; requestBody?: Schema }>> };

  it('each route declares the statuses of its codes (ERROR_STATUS) and no other', () => {
    for (const r of ROUTES as readonly RouteDef[]) {
      const expected = [r.status ?? 200, ...routeErrors(r).map((c) => ERROR_STATUS[c])];
      expect(declaredStatuses(r.id).sort(), r.id).toEqual([...new Set(expected)].sort());
    }
    expect(declaredStatuses('converse').sort((a, b) => a - b)).toEqual([200, 400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 502, 503, 504]);
  });

  it('a route answering a status it does not declare fails the check (as the matrix and fuzz tests apply it)', () => {
    expect(undeclared('getMe', 404)).toMatch(/getMe answered 404/);
    expect(() => expectDeclared('cancelSession', 422)).toThrow(/not in its declared statuses/);
    expect(undeclared('updateFeedback', 409, { 'retry-after': '3' })).toMatch(/Retry-After/);
    expect(undeclared('converse', 409, { 'retry-after': '3' })).toBeUndefined();
    expect(undeclared('updateMe', 429, { 'retry-after': '3' })).toBeUndefined();
  });

  it('every request string and array has a bound', () => {
    const found = Object.values(doc.paths).flatMap((ops) =>
      Object.values(ops).flatMap((op) => [...unbounded(op.parameters, `${op.operationId}.parameters`), ...unbounded(op.requestBody, `${op.operationId}.body`)]),
    );
    expect(found).toEqual([]);
  });

  it('answers the pipeline gives are declared, with their headers', async () => {
    const t = await token(uid());
    const asText = await api.call('PUT', '/users/me', { token: t, raw: '{"firstName":"A"}', headers: { 'content-type': 'text/plain' } });
    expect(asText.status).toBe(415);
    expectDeclared('updateMe', asText.status, asText.headers);
    const big = await api.call('PUT', '/users/me', { token: t, body: { firstName: 'x'.repeat(300 * 1024) } });
    expect(big.status).toBe(413);
    expectDeclared('updateMe', big.status, big.headers);
    const badKey = await api.call('POST', '/converse', { token: t, body: { chatAppId: 'demo', message: 'hi' }, headers: { 'idempotency-key': 'not a key' } });
    expect(badKey.status).toBe(400);
    expect(badKey.body.error.details[0].path).toBe('header.idempotency-key');
    expectDeclared('converse', badKey.status, badKey.headers);
  });

  it('the per-user write rate limit is a declared 429 with Retry-After', async () => {
    const t = await token(uid());
    let last = await api.call('PUT', '/users/me', { token: t, body: { firstName: 'A' } });
    for (let i = 0; i < 200 && last.status === 200; i++) last = await api.call('PUT', '/users/me', { token: t, body: { firstName: 'A' } });
    expect(last.status).toBe(429);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expectDeclared('updateMe', last.status, last.headers);
  });

  it('GET /sessions/search is a 405 with Allow, and the document does not take "search" for a session id', async () => {
    const r = await api.call('GET', '/sessions/search', { token: await token(uid()) });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
    const param = doc.paths['/sessions/{sessionId}']!.get!.parameters[0] as { schema: { not?: { enum: string[] } } };
    expect(param.schema.not?.enum).toContain('search');
  });

  it('the session search enum filters take at most as many items as their enum has values', async () => {
    const t = await token(uid());
    const many = await api.call('POST', '/sessions/search', {
      token: t,
      body: { insights: { sentiment: [...SESSION_INSIGHT_USER_SENTIMENTS, 'mixed'] } },
    });
    expect(many.status).toBe(400);
    expect(JSON.stringify(many.body.error.details)).toContain('body.insights.sentiment');
    const all = await api.call('POST', '/sessions/search', { token: t, body: { insights: { sentiment: [...SESSION_INSIGHT_USER_SENTIMENTS] } } });
    expect(all.status).toBe(200);
  });
});

describe('docs/api.md', () => {
  it('lists every route of the route table', () => {
    const doc = readFileSync(join(root, 'docs/api.md'), 'utf8');
    for (const r of ROUTES) expect(doc, r.id).toMatch(new RegExp(`\\| ${r.id} \\| ${r.method} \\| ${r.path.replace(/[{}]/g, '\\$&')}`));
  });
});
