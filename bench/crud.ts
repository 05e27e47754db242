/**
 * CRUD latency through the local HTTP API vs the floor: the same raw DynamoDB call(s) with the same client,
 * interleaved. A third column, a bare HTTP round trip on the same server stack, separates transport from
 * the handler stack (parsing, validation, auth, logging).
 */
import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ddb, tableName } from '../functions/data/client';
import { keys, usageUserDaysPartition, userSessionsPartition } from '../functions/data/keys';
import { usageWrites } from '../functions/data/usage-aggregates';
import { newId } from '../functions/data/items';
import { appendMessage } from '../functions/data/messages';
import { createSession } from '../functions/data/sessions';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { lambdaContext } from '../scripts/local/lambda-context';
import type { BenchStack } from './stack';
import { interleaved, percentile, time } from './stats';

export interface LatencyRow {
  name: string;
  /** The group handler invoked in-process with the API Gateway event (what a Lambda invocation runs). */
  handlerP50: number;
  handlerP99: number;
  handlerFloorP50: number;
  handlerFloorP99: number;
  apiP50: number;
  apiP99: number;
  floorP50: number;
  floorP99: number;
  httpFloorP50: number;
}

async function httpFloor() {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { call: () => fetch(url).then((r) => r.text()), close: () => new Promise<void>((r) => server.close(() => r())) };
}

export async function crudLatency(stack: BenchStack, n: number): Promise<{ rows: LatencyRow[]; rps: { concurrency: number; rps: number }[] }> {
  const userId = 'bench-user';
  const t = await stack.token(userId);
  const headers = { authorization: `Bearer ${t}`, 'content-type': 'application/json' };
  const s = await createSession({ userId, chatAppId: 'demo', agentId: 'echo', title: 'bench' });
  for (let i = 0; i < 25; i++) await createSession({ userId, chatAppId: 'demo', agentId: 'echo' });
  for (let i = 0; i < 60; i++)
    await appendMessage({ userId, sessionId: s.sessionId, role: i % 2 ? 'assistant' : 'user', content: `message ${i} `.repeat(20), source: 'user' });
  // A month of usage for the caller's usage report (one debit per day).
  const days = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2026, 9, 1 + i)).toISOString().slice(0, 10));
  for (const day of days)
    await ddb().send(
      new TransactWriteCommand({
        TransactItems: usageWrites(
          { chatAppId: 'demo', userId, agentId: 'echo', at: `${day}T12:00:00.000Z`, usage: { inputTokens: 100, outputTokens: 50, totalCost: 0.001 }, turns: 1 },
          { sessionId: s.sessionId, debitId: newId() },
        ),
      }),
    );
  const usageQuery = { chatAppId: 'demo', from: days[0]!, to: days.at(-1)! };
  const url = stack.api.url;
  const floorHttp = await httpFloor();
  let k = 0;
  const sessions = (await import('../functions/handlers/sessions')).handler;
  const widgets = (await import('../functions/handlers/widgets')).handler;
  const users = (await import('../functions/handlers/users')).handler;
  // A fresh context per invocation, as Lambda gives: its remaining time counts from the invocation's start.
  const ctx = () => lambdaContext('bench');
  const event = (
    resource: string,
    method: string,
    pathParameters: Record<string, string> | null,
    query: Record<string, string> | null,
    body?: unknown,
  ): APIGatewayProxyEvent => ({
    resource,
    path: resource,
    httpMethod: method,
    headers: headers,
    multiValueHeaders: {},
    queryStringParameters: query,
    multiValueQueryStringParameters: null,
    pathParameters,
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId: 'bench' } as APIGatewayProxyEvent['requestContext'],
  });
  const inProcess: Record<string, () => Promise<unknown>> = {
    'get-session': () => sessions(event('/sessions/{sessionId}', 'GET', { sessionId: s.sessionId }, null), ctx()),
    'list-sessions (20)': () => sessions(event('/sessions', 'GET', null, { limit: '20' }), ctx()),
    'list-messages (50)': () => sessions(event('/sessions/{sessionId}/messages', 'GET', { sessionId: s.sessionId }, { limit: '50' }), ctx()),
    'my usage (30 days)': () => users(event('/users/me/usage', 'GET', null, usageQuery), ctx()),
    'widget partial merge': () =>
      widgets(event('/widget-data/{scope}/{tag}', 'PUT', { scope: 'custom', tag: 'bench' }, null, { data: { [`k${k++ % 10}`]: k }, partial: true }), ctx()),
  };
  const cases: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
    [
      'get-session',
      () => fetch(`${url}/sessions/${s.sessionId}`, { headers }).then((r) => r.text()),
      () => ddb().send(new GetCommand({ TableName: tableName(), Key: keys.session(s.sessionId) })),
    ],
    [
      'list-sessions (20)',
      () => fetch(`${url}/sessions?limit=20`, { headers }).then((r) => r.text()),
      // The page's keys from the index, then the sessions whole (the index carries only what search reads).
      async () => {
        const page = await ddb().send(
          new QueryCommand({
            TableName: tableName(),
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': userSessionsPartition(userId) },
            ScanIndexForward: false,
            Limit: 21,
          }),
        );
        const Keys = (page.Items ?? []).slice(0, 20).map((i) => ({ pk: i.pk, sk: i.sk }));
        if (Keys.length) await ddb().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys } } }));
      },
    ],
    [
      'list-messages (50)',
      () => fetch(`${url}/sessions/${s.sessionId}/messages?limit=50`, { headers }).then((r) => r.text()),
      // The handler reads the session (ownership) and then the page: the floor makes the same two calls.
      async () => {
        await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.session(s.sessionId) }));
        await ddb().send(
          new QueryCommand({
            TableName: tableName(),
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
            ExpressionAttributeValues: { ':pk': keys.sessionPartition(s.sessionId), ':m': 'MSG#' },
            Limit: 51,
            ConsistentRead: true,
          }),
        );
      },
    ],
    [
      'my usage (30 days)',
      () => fetch(`${url}/users/me/usage?${new URLSearchParams(usageQuery)}`, { headers }).then((r) => r.text()),
      // The user's day items (one Query of their partition) and the same days' items of before 0.2 (one BatchGetItem).
      async () => {
        await ddb().send(
          new QueryCommand({
            TableName: tableName(),
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': usageUserDaysPartition(userId, 'demo'), ':from': `D#${usageQuery.from}`, ':to': `D#${usageQuery.to}` },
          }),
        );
        const Keys = days.map((day) => keys.legacyUsageUser(userId, 'demo', `D#${day}`));
        await ddb().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys } } }));
      },
    ],
    [
      'widget partial merge',
      () =>
        fetch(`${url}/widget-data/custom/bench`, { method: 'PUT', headers, body: JSON.stringify({ data: { [`k${k++ % 10}`]: k }, partial: true }) }).then((r) =>
          r.text(),
        ),
      () =>
        ddb().send(
          new UpdateCommand({
            TableName: tableName(),
            Key: keys.widgetData(userId, 'custom', 'bench'),
            UpdateExpression: 'SET #d.#k = :v',
            ExpressionAttributeNames: { '#d': 'data', '#k': `k${k++ % 10}` },
            ExpressionAttributeValues: { ':v': k },
            ReturnValues: 'ALL_NEW',
          }),
        ),
    ],
  ];
  await fetch(`${url}/widget-data/custom/bench`, { method: 'PUT', headers, body: JSON.stringify({ data: { k0: 0 } }) });
  // A measurement of refusals would be no measurement: every in-process answer must be a success.
  const answered = (name: string) => (r: unknown) => {
    const status = (r as { statusCode?: number }).statusCode ?? 0;
    if (status < 200 || status >= 300) throw new Error(`${name}: the handler answered ${status}`);
    return r;
  };
  const rows: LatencyRow[] = [];
  for (const [name, api, floor] of cases) {
    const { a, b } = await interleaved(n, api, floor);
    const direct = await interleaved(n, () => inProcess[name]!().then(answered(name)), floor);
    const transport: number[] = [];
    for (let i = 0; i < Math.min(n, 200); i++) transport.push(await time(floorHttp.call));
    rows.push({
      name,
      handlerP50: percentile(direct.a, 50),
      handlerP99: percentile(direct.a, 99),
      handlerFloorP50: percentile(direct.b, 50),
      handlerFloorP99: percentile(direct.b, 99),
      apiP50: percentile(a, 50),
      apiP99: percentile(a, 99),
      floorP50: percentile(b, 50),
      floorP99: percentile(b, 99),
      httpFloorP50: percentile(transport, 50),
    });
  }
  await floorHttp.close();

  const rps: { concurrency: number; rps: number }[] = [];
  for (const concurrency of [1, 8, 32]) {
    const total = concurrency * 40;
    let done = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (done < total) {
          done++;
          await fetch(`${url}/sessions/${s.sessionId}`, { headers }).then((r) => r.text());
        }
      }),
    );
    rps.push({ concurrency, rps: total / ((performance.now() - started) / 1000) });
  }
  return { rows, rps };
}
