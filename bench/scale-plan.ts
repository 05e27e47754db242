/**
 * The write plan of a converse turn (issue 25): every DynamoDB request of one new-session turn and one
 * existing-session turn in a chat app with budgets, observed on the document client the handlers use (a
 * middleware on ddb(), nothing mocked). For each item written: its key class (per session, per user, shared),
 * whether it is written in a transaction, its size once the turn is over and what DynamoDB bills for it.
 */
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { readServerSentEvents } from 'pika-shared/client';
import { ddb, tableName } from '../functions/data/client';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../scripts/local/dynamodb-local';
import type { BenchStack } from './stack';

export type KeyClass = 'per session' | 'per user' | 'shared';

/** docs/data-model.md#a-turns-writes: a partition key value's class. */
export function keyClass(pk: string): KeyClass {
  if (pk.startsWith('SESSION#')) return 'per session';
  if (pk.startsWith('USAGE#U#') || pk.startsWith('RATE#') || pk.startsWith('USER#')) return 'per user';
  return 'shared';
}

export interface PlannedItem {
  request: number;
  command: string;
  op: string;
  pk: string;
  sk: string;
  keyClass: KeyClass;
  inTransaction: boolean;
  /** Size of the item once the turn is over (DynamoDB's rules, estimated from its attributes); 0 if gone. */
  bytes: number;
  /** What DynamoDB bills for the table write: ceil(KB), twice in a transaction. */
  wcuBilled: number;
}

export interface PlannedRequest {
  command: string;
  items: number;
  /** WCU (or RCU) as DynamoDB Local reports it with ReturnConsumedCapacity INDEXES: the table, the indexes. */
  tableUnits: number;
  indexUnits: number;
}

export interface TurnPlan {
  name: string;
  writes: PlannedItem[];
  writeRequests: PlannedRequest[];
  reads: { command: string; classes: KeyClass[]; rcu: number }[];
  /** Requests of the usage stream consumer seen meanwhile (recognised by their applied markers, DEBITED#…). */
  consumerRequests: number;
  sharedWrites: number;
  wcuBilled: number;
  indexWcuLocal: number;
  rcu: number;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const READS = new Set(['GetItem', 'Query', 'BatchGetItem', 'TransactGetItems']);

type Key = { pk: string; sk: string };
type Op = { op: string; key: Key };

/** The items a write request (document client input) touches. */
function writeItems(name: string, input: Record<string, any>): Op[] {
  const k = (x: Record<string, unknown> | undefined): Key => ({ pk: String(x?.pk ?? ''), sk: String(x?.sk ?? '') });
  if (name === 'TransactWriteItems')
    return (input.TransactItems as Record<string, any>[]).map((t) => {
      const [op, body] = Object.entries(t)[0]!;
      return { op, key: k(body.Key ?? body.Item) };
    });
  if (name === 'BatchWriteItem')
    return Object.values(input.RequestItems as Record<string, Record<string, any>[]>)
      .flat()
      .map((r) => (r.PutRequest ? { op: 'Put', key: k(r.PutRequest.Item) } : { op: 'Delete', key: k(r.DeleteRequest?.Key) }));
  return [{ op: name.replace(/Item$/, ''), key: k(input.Key ?? input.Item) }];
}

function readKeys(name: string, input: Record<string, any>): Key[] {
  if (name === 'BatchGetItem') return Object.values(input.RequestItems as Record<string, { Keys: Key[] }>).flatMap((r) => r.Keys);
  if (name === 'TransactGetItems') return (input.TransactItems as { Get: { Key: Key } }[]).map((t) => t.Get.Key);
  if (name === 'Query') return [{ pk: String(Object.values(input.ExpressionAttributeValues ?? {})[0] ?? ''), sk: '' }];
  return [input.Key as Key];
}

/** DynamoDB's item size: attribute names and values in bytes (numbers about one byte per two digits). */
export function itemBytes(item: Record<string, AttributeValue>): number {
  const value = (v: AttributeValue): number => {
    if (v.S !== undefined) return Buffer.byteLength(v.S);
    if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
    if (v.B !== undefined) return v.B.length;
    if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
    if (v.SS) return v.SS.reduce((s, x) => s + Buffer.byteLength(x), 0);
    if (v.NS) return v.NS.reduce((s, x) => s + Math.ceil(x.length / 2) + 1, 0);
    if (v.L) return 3 + v.L.reduce((s, x) => s + value(x) + 1, 0);
    if (v.M) return 3 + Object.entries(v.M).reduce((s, [n, x]) => s + Buffer.byteLength(n) + value(x) + 1, 0);
    return 0;
  };
  return Object.entries(item).reduce((s, [n, v]) => s + Buffer.byteLength(n) + value(v), 0);
}

interface Seen {
  name: string;
  ops: Op[];
  reads: Key[];
  table: number;
  index: number;
}

/** Observes every request on ddb() while `fn` runs (the client of the moment: resetConfig makes a new one). */
async function observe(fn: () => Promise<void>): Promise<Seen[]> {
  const seen: Seen[] = [];
  const client = ddb();
  client.middlewareStack.add(
    ((next: any, context: any) => async (args: any) => {
      const name = String(context.commandName ?? '').replace(/Command$/, '');
      if (!WRITES.has(name) && !READS.has(name)) return next(args);
      args.input.ReturnConsumedCapacity = 'INDEXES';
      const out = await next(args);
      const caps = [out.output.ConsumedCapacity].flat().filter(Boolean) as {
        CapacityUnits?: number;
        Table?: { CapacityUnits?: number };
        GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
      }[];
      const table = caps.reduce((s, c) => s + (c.Table?.CapacityUnits ?? c.CapacityUnits ?? 0), 0);
      const index = caps.reduce((s, c) => s + Object.values(c.GlobalSecondaryIndexes ?? {}).reduce((t, g) => t + (g.CapacityUnits ?? 0), 0), 0);
      const w = WRITES.has(name);
      seen.push({ name, ops: w ? writeItems(name, args.input) : [], reads: w ? [] : readKeys(name, args.input), table, index });
      return out;
    }) as never,
    { step: 'initialize', name: 'benchWritePlan' },
  );
  try {
    await fn();
  } finally {
    client.middlewareStack.remove('benchWritePlan');
  }
  return seen;
}

/** POST /converse read to its end: the session id and how the stream ended. */
export async function converseTurn(url: string, token: string, body: Record<string, unknown>) {
  const t0 = performance.now();
  const res = await fetch(`${url}/converse`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  let sessionId = typeof body.sessionId === 'string' ? body.sessionId : '';
  // Refused before the stream (a JSON 4xx/5xx: nothing stored, the client may retry) is not an answer lost.
  let end: 'done' | 'error' | 'none' | 'refused' = res.ok ? 'none' : 'refused';
  let firstChunkMs = NaN;
  let error = res.ok ? '' : `HTTP ${res.status} ${await res.text()}`;
  if (res.ok && res.body)
    for await (const e of readServerSentEvents(res.body)) {
      const data = e.data as { sessionId?: string; code?: string; message?: string };
      if (e.event === 'session' && data.sessionId) sessionId = data.sessionId;
      if (e.event === 'chunk' && Number.isNaN(firstChunkMs)) firstChunkMs = performance.now() - t0;
      if (e.event === 'done') end = 'done';
      if (e.event === 'error') {
        end = 'error';
        error = `${data.code ?? ''} ${data.message ?? ''}`;
      }
    }
  return { sessionId, end, firstChunkMs, error };
}

export async function writePlan(stack: BenchStack, chatAppId: string, userId: string): Promise<TurnPlan[]> {
  const token = await stack.token(userId);
  const get = (path: string) => fetch(`${stack.api.url}${path}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
  const titled = async (sessionId: string) => {
    for (let i = 0; i < 100; i++) {
      if (((await get(`/sessions/${sessionId}`)) as { title?: string }).title) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 150)); // anything after the answer (the title) is part of the turn
  };
  const warm = await converseTurn(stack.api.url, token, { chatAppId, message: 'warm the config cache' });
  await titled(warm.sessionId);
  await stack.settleUsage();
  let sessionId = '';
  const created = await observe(async () => {
    sessionId = (await converseTurn(stack.api.url, token, { chatAppId, message: 'a new session: what is my plan?' })).sessionId;
    await titled(sessionId);
  });
  await stack.settleUsage();
  const existing = await observe(async () => {
    await converseTurn(stack.api.url, token, { sessionId, message: 'and the next question in it' });
    await new Promise((r) => setTimeout(r, 150));
  });
  const local = new DynamoDBClient({ endpoint: stack.db.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    return [await planOf('new session (title joins the answer)', created, local), await planOf('existing session', existing, local)];
  } finally {
    local.destroy();
  }
}

async function planOf(name: string, seen: Seen[], local: DynamoDBClient): Promise<TurnPlan> {
  const isConsumer = (s: Seen) => [...s.ops.map((o) => o.key), ...s.reads].some((k) => k.pk.startsWith('DEBITED#'));
  const turn = seen.filter((s) => !isConsumer(s));
  const writes: PlannedItem[] = [];
  const writeRequests: PlannedRequest[] = [];
  for (const s of turn.filter((x) => WRITES.has(x.name))) {
    writeRequests.push({ command: s.name, items: s.ops.length, tableUnits: s.table, indexUnits: s.index });
    const inTransaction = s.name === 'TransactWriteItems';
    for (const o of s.ops) {
      const got = await local.send(new GetItemCommand({ TableName: tableName(), Key: marshall(o.key) }));
      const bytes = got.Item ? itemBytes(got.Item) : 0;
      const units = o.op === 'ConditionCheck' || !bytes ? 1 : Math.ceil(bytes / 1024);
      writes.push({
        request: writeRequests.length,
        command: s.name,
        op: o.op,
        pk: o.key.pk,
        sk: o.key.sk,
        keyClass: keyClass(o.key.pk),
        inTransaction,
        bytes,
        wcuBilled: units * (inTransaction ? 2 : 1),
      });
    }
  }
  const reads = turn.filter((x) => READS.has(x.name)).map((s) => ({ command: s.name, classes: s.reads.map((k) => keyClass(k.pk)), rcu: s.table + s.index }));
  return {
    name,
    writes,
    writeRequests,
    reads,
    consumerRequests: seen.length - turn.length,
    sharedWrites: writes.filter((w) => w.keyClass === 'shared').length,
    wcuBilled: writes.reduce((s, w) => s + w.wcuBilled, 0),
    indexWcuLocal: writeRequests.reduce((s, r) => s + r.indexUnits, 0),
    rcu: reads.reduce((s, r) => s + r.rcu, 0),
  };
}
