/**
 * The server: startDynamoDbFront builds the front's state, routes each DynamoDB operation to its read or write
 * handler (the outage switch first), serves /_front/stats, and hands back the DynamoDbFront handle.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../dynamodb-local';
import { tableName } from './items';
import { errorBody, forward, jsonAnswer, parse, TYPE_PREFIX, WRITE_OPS } from './protocol';
import { batchGet, getItem, query, transactGet } from './reads';
import type { FrontState } from './state';
import { emptyStats, resetStats, stats } from './stats';
import type { Answer, DynamoDbFront, DynamoDbFrontOptions } from './types';
import { batchWrite, singleWrite, transactWrite } from './writes';

async function handle(front: FrontState, req: IncomingMessage, raw: Buffer): Promise<Answer> {
  const targetHeader = String(req.headers['x-amz-target'] ?? '');
  const [service, op = ''] = targetHeader.split('.');
  const name = service === 'DynamoDB_20120810' ? op : targetHeader || `${req.method} ${req.url}`;
  front.counters.requests[name] = (front.counters.requests[name] ?? 0) + 1;
  if (service !== 'DynamoDB_20120810') return forward(front, req, raw);
  if (WRITE_OPS.has(op) && Date.now() < front.refuseUntil) {
    front.counters.refusedWrites++;
    return jsonAnswer(500, errorBody(`${TYPE_PREFIX}InternalServerError`, { message: 'Internal server error' }));
  }
  if (op === 'CreateTable' || op === 'DeleteTable' || op === 'UpdateTable') {
    const body = parse(raw);
    front.tables.delete(tableName(String(body.TableName ?? '')));
    if (op === 'DeleteTable') front.known.clear();
    return forward(front, req, raw);
  }
  if (!front.mode.conflicts && !front.mode.throttling) return forward(front, req, raw);
  const body = parse(raw);
  switch (op) {
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return singleWrite(front, op, req, raw, body);
    case 'BatchWriteItem':
      return batchWrite(front, req, raw, body);
    case 'TransactWriteItems':
      return transactWrite(front, req, raw, body);
    case 'TransactGetItems':
      return transactGet(front, req, raw, body);
    case 'GetItem':
      return front.mode.throttling ? getItem(front, req, raw, body) : forward(front, req, raw);
    case 'Query':
      return front.mode.throttling ? query(front, req, raw, body) : forward(front, req, raw);
    case 'BatchGetItem':
      return front.mode.throttling ? batchGet(front, req, raw, body) : forward(front, req, raw);
    default:
      return forward(front, req, raw);
  }
}

export async function startDynamoDbFront(opts: DynamoDbFrontOptions): Promise<DynamoDbFront> {
  const front: FrontState = {
    target: new URL(opts.target),
    holdMs: opts.holdMs ?? 15,
    scale: opts.scale ?? 1,
    burstSeconds: opts.burstSeconds ?? 1,
    topN: opts.topN ?? 10,
    mode: { conflicts: opts.conflicts ?? true, throttling: opts.throttling ?? true },
    agent: new Agent({ keepAlive: true, maxSockets: 64 }),
    admin: new DynamoDBClient({ endpoint: opts.target, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 2 }),
    counters: emptyStats(),
    wcuBy: new Map(),
    rcuBy: new Map(),
    refuseUntil: 0,
    timers: new Set(),
    tables: new Map(),
    known: new Map(),
    buckets: new Map(),
    held: new Map(),
    writing: new Map(),
    transactGets: new Map(),
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const send = (a: Answer) => {
        if (res.destroyed) return;
        // The body is sent whole: framing headers are this connection's, not DynamoDB Local's.
        const { connection: _c, 'keep-alive': _k, 'transfer-encoding': _t, ...headers } = a.headers;
        res.writeHead(a.status, { ...headers, 'content-length': String(a.body.length) });
        res.end(a.body);
      };
      if (req.url?.startsWith('/_front/')) {
        if (req.method === 'POST' && req.url === '/_front/stats/reset') resetStats(front);
        const known = req.url === '/_front/stats' || req.url === '/_front/stats/reset';
        const body = Buffer.from(JSON.stringify(known ? stats(front) : { message: 'GET /_front/stats, POST /_front/stats/reset' }));
        return send({ status: known ? 200 : 404, headers: { 'content-type': 'application/json', 'content-length': String(body.length) }, body });
      }
      handle(front, req, raw).then(send, (err: unknown) => {
        const body = errorBody(`${TYPE_PREFIX}InternalServerError`, { message: `dynamodb-front: ${String(err)}` });
        send(jsonAnswer(500, body));
      });
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stats: () => stats(front),
    resetStats: () => resetStats(front),
    setMode(m) {
      if (m.conflicts !== undefined) front.mode.conflicts = m.conflicts;
      if (m.throttling !== undefined) front.mode.throttling = m.throttling;
      front.known.clear();
    },
    refuseWrites(ms) {
      front.refuseUntil = ms > 0 ? Date.now() + ms : 0;
    },
    async stop() {
      for (const t of front.timers) clearTimeout(t);
      front.timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      front.agent.destroy();
      front.admin.destroy();
    },
  };
}
