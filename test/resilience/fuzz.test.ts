/**
 * Property-based fuzzing of every route's body, path and query (fast-check), in-process through the same
 * group handlers API Gateway invokes, plus an HTTP sample of /converse. Every answer is a JSON 4xx — never a
 * 5xx — and requests that are rejected change nothing in the database.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ddb, tableName } from '../../functions/data/client';
import { appendMessage } from '../../functions/data/messages';
import { ROUTES, type RouteDef, type RouteGroup } from '../../functions/http/routes';
import { lambdaContext } from '../../scripts/local/lambda-context';
import { ROLES, token, uid } from '../api/harness';
import { converse, useConverse } from '../converse/harness';
import { memoryIdOf } from 'pika-shared/schemas';
import { actorIdFor } from '../../functions/memory/registry';
import { DEMO_MEMORY_ARN } from '../../scripts/local/demo-memory';
import { uploadFile } from '../api/files-harness';
import { expectDeclared } from '../api/declared';

const { api, emulator } = useConverse();

// Reproducible by default (CI must not flake on a new seed); FUZZ_SEED=random explores, and a failure
// prints its seed for replay.
const seed = process.env.FUZZ_SEED === 'random' ? Date.now() : Number(process.env.FUZZ_SEED ?? 20261124);
fc.configureGlobal({ seed });

type Handler = (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>;
const handlers = {} as Record<Exclude<RouteGroup, 'converse'>, Handler>;
let owner: string;
let ownerToken: string;
let adminToken: string;
let ids: Record<string, string>;
let cases = 0;

beforeAll(async () => {
  for (const g of ['users', 'sessions', 'feedback', 'insights', 'widgets', 'admin'] as const) {
    handlers[g] = (await import(`../../functions/handlers/${g}.ts`)).handler as Handler;
  }
  owner = uid('fuzz');
  ownerToken = await token(owner);
  // Site- and content-admin at once: role checks pass, so inputs reach validation on admin routes too.
  adminToken = await token(owner, [ROLES.siteAdmin, ROLES.contentAdmin, ROLES.service]);
  const session = (await api.call('POST', '/sessions', { token: ownerToken, body: { chatAppId: 'demo', title: 'fuzz target' } })).body;
  await appendMessage({ userId: owner, sessionId: session.sessionId, role: 'user', content: 'keep me', source: 'user' });
  const fb = (
    await api.call('POST', `/sessions/${session.sessionId}/feedback`, {
      token: ownerToken,
      body: { type: 'other', severity: 'low', title: 't', description: 'd' },
    })
  ).body;
  await api.call('PUT', '/widget-data/custom/fuzz', { token: ownerToken, body: { data: { keep: true } } });
  await api.call('PUT', '/users/me', { token: ownerToken, body: { firstName: 'Fuzz' } });
  const file = await uploadFile(api, ownerToken, session.sessionId, 'fuzz.txt', 'text/plain', 'fuzz');
  ids = {
    sessionId: session.sessionId,
    feedbackId: fb.feedbackId,
    userId: owner,
    scope: 'custom',
    tag: 'fuzz',
    chatAppId: 'demo',
    agentId: 'echo',
    recordId: `${memoryIdOf(DEMO_MEMORY_ARN)}:mem-fuzz`,
    fileId: file.fileId,
    s3Key: file.s3Key,
    entityId: 'fuzz-entity',
  };
});

/** Every item of the fuzz user's partitions: what rejected requests must leave untouched. */
async function snapshot(): Promise<string> {
  const parts = [`USER#${owner}`, `SESSION#${ids.sessionId}`, 'CHATAPP#demo', 'AGENT#echo', 'BUDGET#A#demo'];
  const items = [];
  for (const pk of parts)
    items.push(
      ...((await ddb().send(new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } })))
        .Items ?? []),
    );
  return JSON.stringify(items);
}

function event(
  route: RouteDef,
  opts: { params?: Record<string, string>; query?: Record<string, string> | null; body?: string | null; base64?: boolean; token?: string },
): APIGatewayProxyEvent {
  const params = opts.params ?? Object.fromEntries([...route.path.matchAll(/\{(\w+)\}/g)].map((m) => [m[1]!, ids[m[1]!]!]));
  return {
    resource: route.path,
    path: route.path.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(params[n] ?? '')),
    httpMethod: route.method,
    headers: { authorization: `Bearer ${opts.token ?? adminToken}`, 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: opts.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: Object.keys(params).length ? params : null,
    stageVariables: null,
    body: opts.body ?? null,
    isBase64Encoded: Boolean(opts.base64),
    requestContext: { requestId: 'fuzz', resourcePath: route.path, httpMethod: route.method } as APIGatewayProxyEvent['requestContext'],
  };
}

async function call(route: RouteDef, e: APIGatewayProxyEvent) {
  cases++;
  const res = await handlers[route.group as Exclude<RouteGroup, 'converse'>](e, lambdaContext('fuzz'));
  let body: any;
  try {
    body = JSON.parse(res.body);
  } catch {
    throw new Error(`${route.id}: non-JSON answer ${res.statusCode} ${res.body.slice(0, 100)}`);
  }
  if (res.statusCode >= 500) throw new Error(`${route.id}: ${res.statusCode} ${res.body.slice(0, 300)} for ${String(e.body).slice(0, 200)}`);
  if (res.statusCode >= 400 && (typeof body?.error?.code !== 'string' || typeof body.error.message !== 'string'))
    throw new Error(`${route.id}: bad error shape ${res.body}`);
  expectDeclared(route.id, res.statusCode, res.headers, String(e.body).slice(0, 200));
  return { status: res.statusCode, body };
}

const jsonRoutes = ROUTES.filter((r) => !('streaming' in r && r.streaming)) as RouteDef[];
const weird = fc.oneof(
  fc.string(),
  fc.string({ minLength: 200, maxLength: 5000 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', '../../etc', '%00', 'a#b', '💥', ' ', ''),
);
const deep = (depth: number): unknown => (depth === 0 ? 1 : { n: deep(depth - 1) });
/** Ways to break a body that is otherwise anything: each makes it invalid for every route. */
const breaker = fc.oneof(
  fc.record({ kind: fc.constant('unknownKey' as const), key: weird, value: fc.jsonValue() }),
  fc.record({ kind: fc.constant('proto' as const), key: fc.constantFrom('__proto__', 'constructor', 'prototype') }),
  fc.record({ kind: fc.constant('deep' as const), depth: fc.integer({ min: 40, max: 300 }) }),
  fc.record({
    kind: fc.constant('notJson' as const),
    text: fc.string({ minLength: 1 }).filter((t) => {
      try {
        JSON.parse(t);
        return false;
      } catch {
        return true;
      }
    }),
  }),
  fc.record({
    kind: fc.constant('badUtf8' as const),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(b)])),
  }),
  fc.record({
    kind: fc.constant('wrongType' as const),
    value: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue(), { maxLength: 3 }), fc.string()),
  }),
  fc.record({ kind: fc.constant('huge' as const), size: fc.integer({ min: 300 * 1024, max: 400 * 1024 }) }),
  // Values DynamoDB cannot store, in free-form data and in typed fields alike.
  fc.record({
    kind: fc.constant('unstorable' as const),
    value: fc.oneof(
      fc.constantFrom('1e400', '-1e400', '9007199254740993', '-9007199254740993', '1e-131', '-5e-324', '"\\ud800"', '"a\\udfffb"', '{"":1}', '{"\\udc00":1}'),
      fc.bigInt({ min: 2n ** 53n, max: 2n ** 80n }).map((n) => String(n)),
      fc.double({ min: 1e-300, max: 1e-131, noNaN: true }).map((n) => String(n)),
    ),
  }),
);

function brokenBody(b: any): { body: string; base64?: boolean } {
  switch (b.kind) {
    case 'unknownKey':
      return { body: JSON.stringify({ [`x-${b.key}`]: b.value }) };
    case 'proto':
      return { body: `{"data":{"${b.key}":{"polluted":true}},"customData":{"${b.key}":{"polluted":true}},"${b.key}":{"polluted":true}}` };
    case 'deep':
      return { body: JSON.stringify({ data: deep(b.depth), customData: deep(b.depth), title: deep(3) }) };
    case 'notJson':
      return { body: b.text };
    case 'badUtf8':
      return { body: (b.bytes as Buffer).toString('base64'), base64: true };
    case 'wrongType':
      return { body: JSON.stringify(b.value) };
    case 'unstorable':
      return { body: `{"data":{"x":[${b.value}]},"customData":{"k":${b.value}},"message":${b.value},"title":${b.value},"inputTokens":${b.value}}` };
    default:
      return { body: JSON.stringify({ data: { blob: 'x'.repeat(b.size) } }) };
  }
}

describe('fuzzing every route', () => {
  it('broken bodies, paths and queries: always a JSON 4xx, and the database is unchanged', async () => {
    const before = await snapshot();
    for (const route of jsonRoutes) {
      await fc.assert(
        fc.asyncProperty(breaker, fc.option(fc.dictionary(weird, weird, { maxKeys: 3 }), { nil: undefined }), async (b, query) => {
          const { body, base64 } = brokenBody(b);
          const r = await call(route, event(route, { body, ...(base64 ? { base64 } : {}), query: query ?? null }));
          expect(r.status, `${route.id} accepted a broken body: ${body.slice(0, 120)}`).toBeGreaterThanOrEqual(400);
        }),
        { numRuns: 250 },
      );
      const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      if (pathParams.length) {
        await fc.assert(
          fc.asyncProperty(fc.tuple(...pathParams.map(() => weird)), async (values) => {
            const params = Object.fromEntries(pathParams.map((p, i) => [p, values[i]!]));
            const r = await call(route, event(route, { params, body: route.body ? '{"x-unknown":1}' : null }));
            // Any valid user id names a user whose memory may simply be empty.
            const valid = route.params!.safeParse(params).success;
            if (route.id === 'listUserMemory' && valid) expect(r.body.items).toEqual([]);
            // Any valid user id names a user a site admin may erase (one without data here): 202.
            else if (route.id === 'eraseUser' && valid) expect(r.status).toBe(202);
            // … and whose erasure, asked just before with the same generated id, can be read.
            else if (route.id === 'getUserErasure' && valid) expect([200, 404]).toContain(r.status);
            // Any valid export id names no export of the caller's: 404, never another user's export.
            else if (route.id === 'getMyExport' && valid) expect(r.status).toBe(404);
            else expect(r.status).toBeGreaterThanOrEqual(400);
          }),
          { numRuns: 100 },
        );
      }
    }
    expect(await snapshot()).toBe(before);
    expect(cases).toBeGreaterThanOrEqual(7_000);
  }, 240_000);

  it('random JSON bodies and queries never produce a 5xx or a non-JSON answer', async () => {
    const start = cases;
    for (const route of jsonRoutes) {
      await fc.assert(
        fc.asyncProperty(
          fc.option(fc.jsonValue({ maxDepth: 4 }), { nil: undefined }),
          fc.option(fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), { maxKeys: 4 }), { nil: undefined }),
          async (value, query) => {
            // Erasing oneself succeeds without body and query: a throwaway user, not the fuzz owner the next tests use.
            const as = route.id === 'eraseMe' ? await token(uid('fuzzerase')) : ownerToken;
            await call(route, event(route, { body: value === undefined ? null : JSON.stringify(value), query: query ?? null, token: as }));
          },
        ),
        { numRuns: 120 },
      );
    }
    expect(cases - start).toBeGreaterThanOrEqual(3_000);
  }, 240_000);

  it('tampered and replayed cursors are rejected', async () => {
    const route = ROUTES.find((r) => r.id === 'listMessages')! as RouteDef;
    // A session of its own: the random phase above may have renamed or deleted the shared one.
    const session = (await api.call('POST', '/sessions', { token: ownerToken, body: { chatAppId: 'demo' } })).body;
    for (let i = 0; i < 3; i++) await appendMessage({ userId: owner, sessionId: session.sessionId, role: 'user', content: `m${i}`, source: 'user' });
    const params = { sessionId: session.sessionId };
    const first = await call(route, event(route, { params, query: { limit: '1' }, token: ownerToken }));
    const cursor: string = first.body.nextCursor;
    expect(cursor).toBeTruthy();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: cursor.length - 1 }),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'),
        async (at, ch) => {
          fc.pre(cursor[at] !== ch);
          const tampered = cursor.slice(0, at) + ch + cursor.slice(at + 1);
          const r = await call(route, event(route, { params, query: { limit: '1', cursor: tampered }, token: ownerToken }));
          expect(r.status).toBe(400);
          expect(r.body.error.code).toBe('INVALID_CURSOR');
        },
      ),
      { numRuns: 300 },
    );
    // Replayed on another list, or by another user: rejected too.
    const feedbackList = ROUTES.find((r) => r.id === 'listSessionFeedback')! as RouteDef;
    expect((await call(feedbackList, event(feedbackList, { params, query: { cursor }, token: ownerToken }))).body.error.code).toBe('INVALID_CURSOR');
    expect((await call(route, event(route, { params, query: { cursor }, token: await token(uid(), [ROLES.contentAdmin]) }))).body.error.code).toBe(
      'INVALID_CURSOR',
    );
  });

  it('memory cursors (a provider nextToken wrapped and signed): tampered or replayed by another caller or for another user are rejected', async () => {
    const route = ROUTES.find((r) => r.id === 'listMyMemory')! as RouteDef;
    const me = uid('fuzzmem');
    const meToken = await token(me);
    for (let i = 0; i < 3; i++) emulator().memory.addRecord(memoryIdOf(DEMO_MEMORY_ARN)!, actorIdFor(me), `fact ${i}`);
    const first = await call(route, event(route, { query: { limit: '1' }, token: meToken }));
    expect(first.body.items, JSON.stringify(first.body)).toHaveLength(1);
    const cursor: string = first.body.nextCursor;
    expect(cursor).toBeTruthy();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: cursor.length - 1 }),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'),
        async (at, ch) => {
          fc.pre(cursor[at] !== ch);
          const r = await call(route, event(route, { query: { limit: '1', cursor: cursor.slice(0, at) + ch + cursor.slice(at + 1) }, token: meToken }));
          expect(r.status).toBe(400);
          expect(r.body.error.code).toBe('INVALID_CURSOR');
        },
      ),
      { numRuns: 150 },
    );
    expect((await call(route, event(route, { query: { cursor }, token: ownerToken }))).body.error.code).toBe('INVALID_CURSOR');
    const adminList = ROUTES.find((r) => r.id === 'listUserMemory')! as RouteDef;
    expect((await call(adminList, event(adminList, { params: { userId: me }, query: { cursor } }))).body.error.code).toBe('INVALID_CURSOR');
    expect((await call(route, event(route, { query: { cursor }, token: meToken }))).body.items).toHaveLength(2);
  });

  it('usage reports and budget overrides: any dates, groupings, limits, cursors and amounts are a 2xx or a JSON 4xx', async () => {
    const day = fc.oneof(
      fc.date({ min: new Date('1900-01-01'), max: new Date('2200-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      weird,
      fc.constantFrom('2026-02-30', '2026-13-01', '0000-00-00', '2026-1-1'),
    );
    const query = fc.record(
      {
        chatAppId: fc.oneof(fc.constant('demo'), weird),
        from: day,
        to: day,
        groupBy: fc.oneof(fc.constantFrom('day', 'user', 'entity', 'agent'), weird),
        limit: fc.oneof(fc.integer({ min: -5, max: 500 }).map(String), weird),
        cursor: weird,
      },
      { requiredKeys: [] },
    );
    for (const id of ['getUsageReport', 'getMyUsage', 'getMyBudget'] as const) {
      const route = ROUTES.find((r) => r.id === id)! as RouteDef;
      await fc.assert(
        fc.asyncProperty(query, async (q) => {
          const r = await call(route, event(route, { query: q as Record<string, string> }));
          expect(r.status === 200 || (r.status >= 400 && r.status < 500), `${id} ${JSON.stringify(q)}: ${r.status}`).toBe(true);
        }),
        { numRuns: 200 },
      );
    }
    const amount = fc.record(
      { usd: fc.oneof(fc.double(), fc.integer(), fc.string()), tokens: fc.oneof(fc.double(), fc.integer(), fc.constant(1e300)) },
      { requiredKeys: [] },
    );
    const put = ROUTES.find((r) => r.id === 'putEntityBudget')! as RouteDef;
    // Overrides apply only in a chat app with budgets (demo has none: 409 for any body).
    const budgeted = uid('fuzz-budgets');
    expect(
      (await api.call('PUT', `/admin/chat-apps/${budgeted}`, { token: adminToken, body: { title: 'Fuzz', enabled: true, agentId: 'echo', budgets: {} } }))
        .status,
    ).toBe(200);
    await fc.assert(
      fc.asyncProperty(fc.record({ daily: amount, monthly: amount }, { requiredKeys: [] }), async (body) => {
        const r = await call(put, event(put, { params: { chatAppId: budgeted, entityId: 'fuzz-entity' }, body: JSON.stringify(body) }));
        expect(r.status === 200 || (r.status >= 400 && r.status < 500)).toBe(true);
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it('/converse over HTTP: broken bodies are JSON 4xx and start nothing', async () => {
    const before = (await api.call('GET', '/sessions', { token: ownerToken })).body.items.length;
    await fc.assert(
      fc.asyncProperty(breaker, async (b) => {
        const { body, base64 } = brokenBody(b);
        const res = await fetch(`${api.url}/converse`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
          body: base64 ? Buffer.from(body, 'base64') : body,
        });
        const text = await res.text();
        expectDeclared('converse', res.status, res.headers, text);
        expect(res.status, text).toBeGreaterThanOrEqual(400);
        expect(res.status, text).toBeLessThan(500);
        expect(JSON.parse(text).error.code).toBeTruthy();
      }),
      { numRuns: 150 },
    );
    expect((await converse(api.url, ownerToken, { chatAppId: 'demo', message: 'still works' })).status).toBe(200);
    expect((await api.call('GET', '/sessions', { token: ownerToken })).body.items.length).toBe(before + 1);
  }, 120_000);

  it('/converse files over HTTP: random, forged and foreign file references are JSON 4xx and store nothing', async () => {
    const session = (await api.call('POST', '/sessions', { token: ownerToken, body: { chatAppId: 'demo' } })).body;
    const real = { fileId: ids.fileId!, fileName: 'fuzz.txt', mimeType: 'text/plain', size: 4, s3Key: ids.s3Key!, uploadDate: new Date().toISOString() };
    const fileRef = fc.record({
      fileId: fc.oneof(fc.constant(real.fileId), fc.stringMatching(/^[A-Za-z0-9._:@-]{1,40}$/), weird),
      fileName: fc.oneof(fc.constant(real.fileName), weird),
      mimeType: fc.oneof(fc.constant(real.mimeType), weird),
      size: fc.oneof(fc.constant(real.size), fc.integer({ min: -5, max: 2 ** 40 }), fc.double()),
      s3Key: fc.oneof(fc.constant(real.s3Key), weird, fc.constant(`files/someone-else/${session.sessionId}/x`)),
      uploadDate: fc.oneof(fc.constant(real.uploadDate), weird),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fileRef, { minLength: 1, maxLength: 3 }), fc.boolean(), async (files, ownSession) => {
        // The real file is only valid in its own session: in another one every reference must be refused.
        fc.pre(ownSession === false || files.some((f) => f.fileId !== real.fileId || f.s3Key !== real.s3Key));
        const res = await fetch(`${api.url}/converse`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ sessionId: ownSession ? ids.sessionId : session.sessionId, message: 'fuzz', files }),
        });
        const text = await res.text();
        expectDeclared('converse', res.status, res.headers, text);
        expect(res.status, text).toBeGreaterThanOrEqual(400);
        expect(res.status, text).toBeLessThan(500);
        expect(JSON.parse(text).error.code).toBeTruthy();
      }),
      { numRuns: 150 },
    );
    expect((await api.call('GET', `/sessions/${session.sessionId}/messages`, { token: ownerToken })).body.items).toEqual([]);
  }, 120_000);
});
