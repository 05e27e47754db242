/**
 * The request pipeline's two execution modes (functions/http/handler.ts): JSON route groups and the streaming
 * converse route share route lookup, authentication, validation, error mapping, CORS and the access log.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { handler as usersHandler } from '../../functions/handlers/users';
import { lambdaContext } from '../../scripts/local/lambda-context';
import { token, uid } from '../api/harness';
import { captureLogs } from '../support/output';
import { restoreEnv } from '../support/env';
import { converse, useConverse } from './harness';

const { api } = useConverse();
const origin = 'https://app.example.com';

/** The access-log lines (`"message":"request"`) among captured lines. */
const accessLines = (lines: string[]) =>
  lines
    .filter((l) => l.includes('"message":"request"'))
    .map((l) => JSON.parse(l) as { routeId: string; method: string; status: number; userId?: string; replay?: boolean });

const corsOf = (headers: Headers) => ({
  contentType: headers.get('content-type'),
  allowOrigin: headers.get('access-control-allow-origin'),
  expose: headers.get('access-control-expose-headers'),
  vary: headers.get('vary'),
});

describe('request pipeline', () => {
  it('a refusal is the same JSON error, status and CORS headers from a JSON route and from the streaming route', async () => {
    const t = await token(uid());
    const refusals: [string, { token?: string; body: unknown }][] = [
      ['no token', { body: { chatAppId: 'demo' } }],
      ['invalid body', { token: t, body: { chatAppId: 'demo', unknownField: 1 } }],
    ];
    for (const [what, { token: tk, body }] of refusals) {
      const asJson = await api.call('POST', '/sessions', { token: tk, body, headers: { origin } });
      const res = await fetch(`${api.url}/converse`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json', ...(tk ? { authorization: `Bearer ${tk}` } : {}) },
        body: JSON.stringify(body),
      });
      const streamed = { status: res.status, body: (await res.json()) as { error: { code: string } }, headers: res.headers };
      expect(streamed.status, what).toBe(asJson.status);
      expect(streamed.status, what).toBeGreaterThanOrEqual(400);
      expect(streamed.body.error.code, what).toBe(asJson.body.error.code);
      expect(corsOf(streamed.headers), what).toEqual(corsOf(asJson.headers));
      expect(corsOf(streamed.headers).allowOrigin, what).toBe(origin);
    }
  });

  it('one access-log line per request in both modes, with the route, method, status and user', async () => {
    const user = uid();
    const t = await token(user);
    // A titled session: the turn has no title step after its stream, so its log line is written as the stream ends.
    const sessionId = (await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo', title: 'logged' } })).body.sessionId;
    let turn: Awaited<ReturnType<typeof converse>> | undefined;
    const lines = await captureLogs(async () => {
      await api.call('GET', '/users/me', { token: t });
      await converse(api.url, t, { chatAppId: 'no-such-app', message: 'hi' });
      turn = await converse(api.url, t, { chatAppId: 'demo', sessionId, message: 'hi' });
    });
    expect(turn!.events.at(-1)!.event).toBe('done');
    expect(accessLines(lines)).toEqual([
      expect.objectContaining({ routeId: 'getMe', method: 'GET', status: 200, userId: user }),
      expect.objectContaining({ routeId: 'converse', method: 'POST', status: 404, userId: user }),
      expect.objectContaining({ routeId: 'converse', method: 'POST', status: 200, userId: user, replay: false }),
    ]);
  });

  it('JSON mode: a request still running at the function timeout answers 504 with CORS, not the gateway’s bare error', async () => {
    // A DynamoDB endpoint that accepts connections and never answers: the request cannot finish on its own.
    const sockets = new Set<Socket>();
    const silent = createServer((s) => void sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    const saved = { DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT, DYNAMODB_MAX_ATTEMPTS: process.env.DYNAMODB_MAX_ATTEMPTS };
    Object.assign(process.env, { DYNAMODB_ENDPOINT: endpoint, DYNAMODB_MAX_ATTEMPTS: '1' });
    try {
      const event = {
        resource: '/users/me',
        path: '/users/me',
        httpMethod: 'GET',
        headers: { authorization: `Bearer ${await token(uid())}`, origin },
        multiValueHeaders: {},
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        pathParameters: null,
        stageVariables: null,
        body: null,
        isBase64Encoded: false,
        requestContext: { requestId: 'timeout' },
      } as unknown as APIGatewayProxyEvent;
      const result = await usersHandler(event, lambdaContext('pika-users', 300));
      expect(result.statusCode).toBe(504);
      expect(JSON.parse(result.body).error.code).toBe('DEPENDENCY_TIMEOUT');
      expect(result.headers?.['access-control-allow-origin']).toBe(origin);
      expect(sockets.size).toBeGreaterThan(0); // it was waiting on DynamoDB
    } finally {
      restoreEnv(saved);
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
