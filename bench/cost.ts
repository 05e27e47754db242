/**
 * DynamoDB requests and consumed capacity per route and per converse turn, observed on the document
 * client every handler uses (the API runs in this process). Scans are counted too: there must be none.
 */
import { ddb } from '../functions/data/client';
import { sampleInsights } from '../test/data/fixtures';
import type { BenchStack } from './stack';
import { resetConfig } from '../functions/platform/config';

interface Tally {
  reads: number;
  writes: number;
  scans: number;
  rcu: number;
  wcu: number;
  commands: string[];
  /** Usage aggregate items (USAGE#…) written, inside transactions or alone. */
  aggregateWrites: number;
  /** WCU of each write request, in order (with its item count). */
  perWrite: string[];
  /** WCU by where it was spent: the table and each GSI (write amplification), as DynamoDB Local reports it. */
  wcuBy: Record<string, number>;
  /**
   * A lower bound of what DynamoDB bills for the writes: DynamoDB Local reports a transaction as if it wrote
   * one item (measured: 8 small updates in one TransactWriteItems report 2 WCU), while DynamoDB bills 2 WCU per
   * item and KB, condition checks included. Per transaction: max(Local's figure, 2 × its items).
   */
  wcuBilledAtLeast: number;
}

/** How many of a write request's items are usage aggregates. */
function aggregateItems(input: Record<string, unknown>): number {
  const isUsage = (key: unknown) => String((key as { pk?: unknown } | undefined)?.pk ?? '').startsWith('USAGE#');
  const items = (input.TransactItems as Array<Record<string, { Key?: unknown; Item?: unknown }>> | undefined) ?? [];
  return items.filter((i) => Object.values(i).some((op) => isUsage(op.Key ?? op.Item))).length + (isUsage(input.Key) ? 1 : 0);
}

/** Names as the low-level client reports them (commandName without the `Command` suffix). */
const READS = new Set(['GetItem', 'Query', 'BatchGetItem', 'TransactGetItems']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

let tally: Tally | undefined;
/** The client the tap is on: ddb() makes a new one when the configuration is parsed again (resetConfig). */
let tapped: ReturnType<typeof ddb> | undefined;

function install() {
  if (tapped === ddb()) return;
  tapped = ddb();
  tapped.middlewareStack.add(
    ((next: any, context: any) => async (args: any) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'INDEXES';
      const out = (await next(args)) as { output: { ConsumedCapacity?: unknown } };
      const name = String((context as { commandName?: string }).commandName ?? 'unknown').replace(/Command$/, '');
      if (tally) {
        tally.commands.push(name);
        if (READS.has(name)) tally.reads++;
        if (WRITES.has(name)) tally.writes++;
        if (name.startsWith('Scan')) tally.scans++;
        if (WRITES.has(name)) tally.aggregateWrites += aggregateItems(input);
        const caps = [out.output.ConsumedCapacity].flat().filter(Boolean) as {
          ReadCapacityUnits?: number;
          WriteCapacityUnits?: number;
          CapacityUnits?: number;
        }[];
        let wcu = 0;
        for (const c of caps) {
          tally.rcu += c.ReadCapacityUnits ?? (READS.has(name) ? (c.CapacityUnits ?? 0) : 0);
          if (!WRITES.has(name)) continue;
          wcu += c.WriteCapacityUnits ?? c.CapacityUnits ?? 0;
          const parts = c as { Table?: { CapacityUnits?: number }; GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }> };
          tally.wcuBy.table = (tally.wcuBy.table ?? 0) + (parts.Table?.CapacityUnits ?? 0);
          for (const [index, used] of Object.entries(parts.GlobalSecondaryIndexes ?? {}))
            tally.wcuBy[index] = (tally.wcuBy[index] ?? 0) + (used.CapacityUnits ?? 0);
        }
        tally.wcu += wcu;
        const items = (input.TransactItems as unknown[] | undefined)?.length;
        tally.wcuBilledAtLeast += items ? Math.max(wcu, 2 * items) : wcu;
        if (WRITES.has(name)) tally.perWrite.push(`${name}${items ? `(${items})` : ''} ${wcu}`);
      }
      return out;
    }) as never,
    { step: 'initialize', name: 'benchCapacity' },
  );
}

async function measure(fn: () => Promise<unknown>): Promise<Tally> {
  install();
  tally = { reads: 0, writes: 0, scans: 0, rcu: 0, wcu: 0, commands: [], aggregateWrites: 0, perWrite: [], wcuBy: {}, wcuBilledAtLeast: 0 };
  await fn();
  await new Promise((r) => setTimeout(r, 150)); // work after the response (titles) is part of the turn
  const t = tally;
  tally = undefined;
  return t;
}

const INSIGHTS = sampleInsights('bench');

export async function dynamoCost(stack: BenchStack) {
  // The write rate limit is off in the bench stack (latency runs would hit it); its write is counted here.
  process.env.WRITE_RATE_LIMIT = '100000';
  resetConfig();
  const user = 'bench-cost';
  const t = await stack.token(user);
  const admin = await stack.token('bench-cost-admin', ['pika:site-admin', 'pika:content-admin', 'pika:service']);
  const h = (tok: string) => ({ authorization: `Bearer ${tok}`, 'content-type': 'application/json' });
  const call = (method: string, path: string, body?: unknown, tok = t) =>
    fetch(`${stack.api.url}${path}`, { method, headers: h(tok), ...(body ? { body: JSON.stringify(body) } : {}) }).then(async (r) =>
      r.headers.get('content-type')?.includes('json') ? r.json() : r.text(),
    );
  await call('PUT', '/users/me', { firstName: 'Cost' });
  const session = (await call('POST', '/sessions', { chatAppId: 'demo', title: 'cost' })) as { sessionId: string };
  const converseTurn = (body: unknown) => call('POST', '/converse', body);
  await converseTurn({ sessionId: session.sessionId, message: 'warm the config cache' });
  const fb = (await call('POST', `/sessions/${session.sessionId}/feedback`, { type: 'other', severity: 'low', title: 't', description: 'd' })) as {
    feedbackId: string;
  };
  const s = session.sessionId;
  // A chat app with budgets: its turns read the budget state (one BatchGetItem) before the user message.
  const demo = (await call('GET', '/admin/chat-apps/demo', undefined, admin)) as Record<string, unknown>;
  const { chatAppId: _id, createDate: _c, lastUpdate: _l, ...demoConfig } = demo;
  await call(
    'PUT',
    '/admin/chat-apps/bench-budget',
    { ...demoConfig, title: 'Budgeted demo', budgets: { user: { daily: { usd: 1000 } }, chatApp: { monthly: { usd: 100000 } } } },
    admin,
  );
  const budgeted = (await call('POST', '/sessions', { chatAppId: 'bench-budget', title: 'cost' })) as { sessionId: string };
  await converseTurn({ sessionId: budgeted.sessionId, message: 'warm the config cache' });
  const rows: [string, () => Promise<unknown>][] = [
    ['GET /users/me', () => call('GET', '/users/me')],
    ['PUT /users/me', () => call('PUT', '/users/me', { firstName: 'C' })],
    ['POST /sessions', () => call('POST', '/sessions', { chatAppId: 'demo' })],
    ['GET /sessions', () => call('GET', '/sessions?limit=20')],
    ['GET /sessions/{id}', () => call('GET', `/sessions/${s}`)],
    ['PATCH /sessions/{id}', () => call('PATCH', `/sessions/${s}`, { title: 'renamed' })],
    ['GET /sessions/{id}/messages', () => call('GET', `/sessions/${s}/messages?limit=50`)],
    ['POST /sessions/search', () => call('POST', '/sessions/search', { titlePartial: 'ren', size: 20 })],
    ['POST /sessions/{id}/feedback', () => call('POST', `/sessions/${s}/feedback`, { type: 'other', severity: 'low', title: 't', description: 'd' })],
    ['PATCH /sessions/{id}/feedback/{fid}', () => call('PATCH', `/sessions/${s}/feedback/${fb.feedbackId}`, { status: 'in_progress' }, admin)],
    ['GET /feedback', () => call('GET', '/feedback?limit=20', undefined, admin)],
    ['PUT /sessions/{id}/insights', () => call('PUT', `/sessions/${s}/insights`, INSIGHTS, admin)],
    ['PUT /widget-data (partial)', () => call('PUT', '/widget-data/custom/cost', { data: { a: 1 }, partial: true })],
    ['GET /widget-data', () => call('GET', '/widget-data/custom/cost')],
    ['converse turn, existing session (rate limit off)', () => converseTurn({ sessionId: s, message: 'hello' })],
    ['converse turn, new session + title (rate limit off)', () => converseTurn({ chatAppId: 'demo', message: 'hello' })],
    ['converse turn, existing session, chat app with budgets (rate limit off)', () => converseTurn({ sessionId: budgeted.sessionId, message: 'hello' })],
    ['GET /users/me/budget', () => call('GET', '/users/me/budget')],
    ['GET /users/me/usage (this month)', () => call('GET', '/users/me/usage?chatAppId=demo')],
    ['GET /admin/usage?groupBy=user (this month)', () => call('GET', '/admin/usage?chatAppId=demo&groupBy=user', undefined, admin)],
  ];
  const results: (Tally & { name: string })[] = [];
  for (const [name, fn] of rows) results.push({ name, ...(await measure(fn)) });
  process.env.CONVERSE_RATE_LIMIT = '1000';
  resetConfig();
  results.push({ name: 'converse turn, existing session (rate limit on)', ...(await measure(() => converseTurn({ sessionId: s, message: 'hello again' }))) });
  process.env.CONVERSE_RATE_LIMIT = '0';
  process.env.WRITE_RATE_LIMIT = '0';
  resetConfig();
  return results;
}
