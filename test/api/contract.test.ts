/** Everything derived from the route table stays in step with it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPikaClient, PikaApiError } from 'pika-shared/client';
import { describe, expect, it } from 'vitest';
import { buildOpenApi, clientRoutesSource } from '../../functions/http/openapi';
import { RESPONSES } from '../../functions/http/responses';
import { ROUTES } from '../../functions/http/routes';
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

describe('docs/api.md', () => {
  it('lists every route of the route table', () => {
    const doc = readFileSync(join(root, 'docs/api.md'), 'utf8');
    for (const r of ROUTES) expect(doc, r.id).toMatch(new RegExp(`\\| ${r.id} \\| ${r.method} \\| ${r.path.replace(/[{}]/g, '\\$&')}`));
  });
});
