/**
 * A wire-level HTTP front for DynamoDB Local that refuses what DynamoDB refuses and Local does not: transaction
 * conflicts on items held by an in-flight transaction, and per-partition throughput limits (hot keys, GSI
 * back-pressure). The real SDK talks to it through `endpoint`; what it lets through reaches DynamoDB Local
 * unchanged. Error shapes, approximations and deviations: docs/dynamodb-front.md.
 */
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, type AttributeValue, type TableDescription } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './dynamodb-local';

export interface DynamoDbFrontOptions {
  /** DynamoDB Local's endpoint. */
  target: string;
  /** How long a transaction keeps its items after DynamoDB Local answered (default 15 ms). */
  holdMs?: number;
  /** Divides the per-partition limits (1,000 WCU/s, 3,000 RCU/s); default 1. */
  scale?: number;
  /** Seconds of a partition's rate it may save up and spend at once (default 1). */
  burstSeconds?: number;
  /** Enforce transaction conflicts (default true). */
  conflicts?: boolean;
  /** Enforce per-partition throughput (default true). */
  throttling?: boolean;
  /** Hottest partitions listed by stats() (default 10). */
  topN?: number;
  /** Default: a free port on 127.0.0.1. */
  port?: number;
}

export interface HotPartition {
  partition: string;
  units: number;
}

export interface DynamoDbFrontStats {
  /** Requests received, per operation (`DynamoDB_20120810.PutItem` → `PutItem`; streams calls under their own name). */
  requests: Record<string, number>;
  conflicts: {
    /** TransactWriteItems refused with TransactionConflict reasons. */
    cancelledTransactions: number;
    /** TransactGetItems refused or cancelled because a write held one of its items. */
    cancelledTransactGets: number;
    /** PutItem / UpdateItem / DeleteItem refused with TransactionConflictException. */
    singleWriteConflicts: number;
    /** BatchWriteItem requests returned as UnprocessedItems because a transaction held the item. */
    batchItemsUnprocessed: number;
  };
  throttles: {
    /** Single requests refused whole (ThrottlingException / ProvisionedThroughputExceededException). */
    requests: number;
    /** Transactions cancelled with a ThrottlingError reason. */
    transactions: number;
    /** Batch requests returned as UnprocessedItems / UnprocessedKeys. */
    batchItems: number;
    /** Per ThrottlingReason (`TableWriteKeyRangeThroughputExceeded`, …). */
    byReason: Record<string, number>;
  };
  /** Writes answered 500 InternalServerError by refuseWrites(). */
  refusedWrites: number;
  /** Now: items held by transactions, items being written by single and batch writes, TransactGetItems under way. */
  inFlight: { heldItems: number; writtenItems: number; transactGets: number };
  /** Units charged to admitted requests. */
  consumed: { wcu: number; rcu: number };
  /** The partitions that consumed most, `table pk=value` or `table/index/gsi pk=value`. */
  hotPartitions: { wcu: HotPartition[]; rcu: HotPartition[] };
}

export interface DynamoDbFront {
  endpoint: string;
  port: number;
  stats(): DynamoDbFrontStats;
  resetStats(): void;
  setMode(mode: { conflicts?: boolean; throttling?: boolean }): void;
  /** Every write is answered 500 InternalServerError for `ms` (0 ends it now); reads go on. */
  refuseWrites(ms: number): void;
  stop(): Promise<void>;
}

type Av = AttributeValue;
type Item = Record<string, Av>;
type Json = Record<string, unknown>;

const PARTITION_WCU = 1_000;
const PARTITION_RCU = 3_000;
const TYPE_PREFIX = 'com.amazonaws.dynamodb.v20120810#';
const ON_DEMAND_TABLE_MESSAGE =
  'Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly. If exceptions persist, check if you have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html';
const ON_DEMAND_INDEX_MESSAGE =
  'Throughput exceeds the current capacity for one or more global secondary indexes. DynamoDB is automatically scaling your index so please try again shortly.';
const PROVISIONED_TABLE_MESSAGE =
  'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.';
const PROVISIONED_INDEX_MESSAGE =
  'The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API';
const CONFLICT_MESSAGE = 'Transaction is ongoing for the item';
const WRITE_OPS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems', 'ExecuteTransaction', 'BatchExecuteStatement']);

interface Index {
  name: string;
  arn: string;
  pk: string;
  sk: string | undefined;
  /** undefined: every attribute (ALL). */
  projected: Set<string> | undefined;
}

interface Table {
  name: string;
  arn: string;
  pk: string;
  sk: string | undefined;
  onDemand: boolean;
  indexes: Index[];
}

/** What the front knows of an item: its size and its index keys (undefined: not in that index). */
interface Known {
  exists: boolean;
  size: number;
  indexKeys: Record<string, string | undefined>;
}

/** One item a request touches, with what it costs where. */
interface Touch {
  table: Table;
  id: string;
  /** Partition → units (writes: charged before; reads: the minimum to be admitted). */
  charges: Map<string, number>;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface TransactGet {
  index: Map<string, number>;
  doomed: Set<number>;
}

// ---- sizes (DynamoDB's item size rules, approximately) ----

function valueSize(v: Av): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').replace(/^0+/, '').length / 2) + 1;
  if (v.B !== undefined) return Buffer.byteLength(String(v.B), 'base64');
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS) return v.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (v.NS) return v.NS.reduce((n, s) => n + valueSize({ N: s }), 0);
  if (v.BS) return v.BS.reduce((n, b) => n + Buffer.byteLength(String(b), 'base64'), 0);
  if (v.L) return 3 + v.L.reduce((n, e) => n + 1 + valueSize(e), 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + 1 + Buffer.byteLength(k) + valueSize(e), 0);
  return 1;
}

export function itemSize(item: Item): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) n += Buffer.byteLength(k) + valueSize(v);
  return n;
}

const scalar = (v: Av | undefined): string | undefined => (v ? String(v.S ?? v.N ?? v.B ?? JSON.stringify(v)) : undefined);

// ---- update expressions: which top-level attributes change, and plain `name = :value` assignments ----

interface UpdateEffect {
  touched: Set<string>;
  assigned: Map<string, Av>;
  removed: Set<string>;
  valueBytes: number;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

export function updateEffect(input: Json): UpdateEffect {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Item;
  const effect: UpdateEffect = { touched: new Set(), assigned: new Map(), removed: new Set(), valueBytes: 0 };
  const top = (path: string) => {
    const head = path.trim().split(/[.[\s]/)[0] ?? '';
    return names[head] ?? head;
  };
  const legacy = input.AttributeUpdates as Record<string, { Action?: string; Value?: Av }> | undefined;
  for (const [name, u] of Object.entries(legacy ?? {})) {
    effect.touched.add(name);
    if (u.Action === 'DELETE' && !u.Value) effect.removed.add(name);
    else if (u.Value) {
      effect.valueBytes += valueSize(u.Value);
      if ((u.Action ?? 'PUT') === 'PUT') effect.assigned.set(name, u.Value);
    }
  }
  const expr = typeof input.UpdateExpression === 'string' ? input.UpdateExpression : '';
  const clauses = expr.split(/\b(SET|REMOVE|ADD|DELETE)\b/i);
  for (let i = 1; i < clauses.length; i += 2) {
    const kind = clauses[i]!.toUpperCase();
    for (const action of splitTopLevel(clauses[i + 1] ?? '')) {
      if (kind === 'SET') {
        const eq = action.indexOf('=');
        const name = top(action.slice(0, eq));
        const rhs = action.slice(eq + 1).trim();
        effect.touched.add(name);
        for (const ref of rhs.match(/:[A-Za-z0-9_]+/g) ?? []) if (values[ref]) effect.valueBytes += valueSize(values[ref]);
        const plain = values[rhs];
        if (/^:[A-Za-z0-9_]+$/.test(rhs) && plain && !action.slice(0, eq).trim().match(/[.[]/)) effect.assigned.set(name, plain);
      } else if (kind === 'REMOVE') {
        const name = top(action);
        effect.touched.add(name);
        if (!/[.[]/.test(action)) effect.removed.add(name);
      } else {
        const [path, ref] = action.split(/\s+/);
        effect.touched.add(top(path ?? ''));
        if (ref && values[ref]) effect.valueBytes += valueSize(values[ref]);
      }
    }
  }
  return effect;
}

// ---- the wire ----

function errorBody(type: string, fields: Json): Buffer {
  return Buffer.from(JSON.stringify({ __type: type, ...fields }));
}

function jsonAnswer(status: number, body: Buffer): Answer {
  return {
    status,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': String(body.length),
      'x-amzn-requestid': randomUUID().replace(/-/g, '').toUpperCase(),
      'x-amz-crc32': String(crc32(body)),
    },
    body,
  };
}

function withBody(answer: Answer, body: Buffer): Answer {
  return { ...answer, headers: { ...answer.headers, 'content-length': String(body.length), 'x-amz-crc32': String(crc32(body)) }, body };
}

const cancellationMessage = (codes: string[]) => `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`;

function transactionCanceled(reasons: { Code: string; Message?: string }[]): Answer {
  return jsonAnswer(
    400,
    errorBody(`${TYPE_PREFIX}TransactionCanceledException`, { Message: cancellationMessage(reasons.map((r) => r.Code)), CancellationReasons: reasons }),
  );
}

class Bucket {
  tokens: number;
  private last = performance.now();
  constructor(
    readonly rate: number,
    readonly capacity: number,
  ) {
    this.tokens = capacity;
  }
  refill(now: number): this {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    return this;
  }
  /** Room for `units`, or full: a request larger than the burst still passes on a rested partition. */
  admits(units: number): boolean {
    return this.tokens >= units || this.tokens >= this.capacity;
  }
}

function emptyStats(): DynamoDbFrontStats {
  return {
    requests: {},
    conflicts: { cancelledTransactions: 0, cancelledTransactGets: 0, singleWriteConflicts: 0, batchItemsUnprocessed: 0 },
    throttles: { requests: 0, transactions: 0, batchItems: 0, byReason: {} },
    refusedWrites: 0,
    inFlight: { heldItems: 0, writtenItems: 0, transactGets: 0 },
    consumed: { wcu: 0, rcu: 0 },
    hotPartitions: { wcu: [], rcu: [] },
  };
}

export async function startDynamoDbFront(opts: DynamoDbFrontOptions): Promise<DynamoDbFront> {
  const target = new URL(opts.target);
  const holdMs = opts.holdMs ?? 15;
  const scale = opts.scale ?? 1;
  const burstSeconds = opts.burstSeconds ?? 1;
  const topN = opts.topN ?? 10;
  const mode = { conflicts: opts.conflicts ?? true, throttling: opts.throttling ?? true };
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const admin = new DynamoDBClient({ endpoint: opts.target, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 2 });

  let counters = emptyStats();
  let wcuBy = new Map<string, number>();
  let rcuBy = new Map<string, number>();
  let refuseUntil = 0;
  const timers = new Set<NodeJS.Timeout>();

  const tables = new Map<string, Promise<Table | undefined>>();
  const known = new Map<string, Known>();
  const buckets = new Map<string, Bucket>();
  /** Items of in-flight TransactWriteItems (until holdMs after DynamoDB Local answered). */
  const held = new Map<string, symbol>();
  /** Items of in-flight single and batch writes. */
  const writing = new Map<string, number>();
  const transactGets = new Map<string, Set<TransactGet>>();

  // ---- tables, keys, items ----

  const tableName = (nameOrArn: string) => (nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.indexOf(':table/') + 7) : nameOrArn);

  function describe(nameOrArn: string): Promise<Table | undefined> {
    const name = tableName(nameOrArn);
    let t = tables.get(name);
    if (!t) {
      t = admin.send(new DescribeTableCommand({ TableName: name })).then(
        (out) => toTable(out.Table!),
        () => {
          tables.delete(name);
          return undefined;
        },
      );
      tables.set(name, t);
    }
    return t;
  }

  function toTable(d: TableDescription): Table {
    const keyOf = (schema: { AttributeName?: string; KeyType?: string }[] | undefined, type: string) => schema?.find((k) => k.KeyType === type)?.AttributeName;
    return {
      name: d.TableName!,
      arn: d.TableArn ?? `arn:aws:dynamodb:${LOCAL_REGION}:000000000000:table/${d.TableName}`,
      pk: keyOf(d.KeySchema, 'HASH')!,
      sk: keyOf(d.KeySchema, 'RANGE'),
      onDemand: d.BillingModeSummary?.BillingMode !== 'PROVISIONED',
      indexes: (d.GlobalSecondaryIndexes ?? []).map((g) => ({
        name: g.IndexName!,
        arn: g.IndexArn ?? `${d.TableArn}/index/${g.IndexName}`,
        pk: keyOf(g.KeySchema, 'HASH')!,
        sk: keyOf(g.KeySchema, 'RANGE'),
        projected:
          g.Projection?.ProjectionType === 'ALL'
            ? undefined
            : new Set([d.KeySchema, g.KeySchema].flatMap((s) => (s ?? []).map((k) => k.AttributeName!)).concat(g.Projection?.NonKeyAttributes ?? [])),
      })),
    };
  }

  const itemId = (t: Table, key: Item) => `${t.name}\u0000${scalar(key[t.pk])}\u0000${t.sk ? scalar(key[t.sk]) : ''}`;
  const keyOfItem = (t: Table, item: Item): Item => ({ [t.pk]: item[t.pk]!, ...(t.sk && item[t.sk] ? { [t.sk]: item[t.sk]! } : {}) });
  const tablePartition = (t: Table, key: Item) => `${t.name} ${t.pk}=${scalar(key[t.pk])}`;
  const indexPartition = (t: Table, g: Index, value: string) => `${t.name}/index/${g.name} ${g.pk}=${value}`;

  function knownFrom(t: Table, item: Item | undefined): Known {
    if (!item) return { exists: false, size: 0, indexKeys: {} };
    const indexKeys: Record<string, string | undefined> = {};
    for (const g of t.indexes) indexKeys[g.name] = item[g.pk] && (!g.sk || item[g.sk]) ? scalar(item[g.pk]) : undefined;
    return { exists: true, size: itemSize(item), indexKeys };
  }

  function remember(id: string, k: Known) {
    if (known.size > 100_000) known.clear();
    known.set(id, k);
  }

  /** The item as the front last saw it; read from DynamoDB Local the first time. */
  async function lookUp(t: Table, key: Item): Promise<Known> {
    const id = itemId(t, key);
    const k = known.get(id);
    if (k) return k;
    const out = await admin.send(new GetItemCommand({ TableName: t.name, Key: keyOfItem(t, key), ConsistentRead: true }));
    const fresh = knownFrom(t, out.Item);
    remember(id, fresh);
    return fresh;
  }

  // ---- capacity ----

  function bucket(partition: string, kind: 'w' | 'r'): Bucket {
    const key = `${kind}\u0000${partition}`;
    let b = buckets.get(key);
    if (!b) {
      if (buckets.size > 200_000) for (const [k, old] of buckets) if (old.refill(performance.now()).tokens >= old.capacity) buckets.delete(k);
      const rate = (kind === 'w' ? PARTITION_WCU : PARTITION_RCU) / scale;
      b = new Bucket(rate, Math.max(rate * burstSeconds, 1));
      buckets.set(key, b);
    }
    return b.refill(performance.now());
  }

  /** Partitions (of `charges` summed over `touches`) without room, given what the same request asks of each. */
  function shortPartitions(touches: Touch[], kind: 'w' | 'r'): Set<string> {
    const demand = new Map<string, number>();
    for (const t of touches) for (const [p, u] of t.charges) demand.set(p, (demand.get(p) ?? 0) + u);
    const short = new Set<string>();
    for (const [p, u] of demand) if (!bucket(p, kind).admits(u)) short.add(p);
    return short;
  }

  function charge(partition: string, units: number, kind: 'w' | 'r') {
    if (units <= 0) return;
    if (mode.throttling) bucket(partition, kind).tokens -= units;
    const by = kind === 'w' ? wcuBy : rcuBy;
    by.set(partition, (by.get(partition) ?? 0) + units);
    if (kind === 'w') counters.consumed.wcu += units;
    else counters.consumed.rcu += units;
  }

  /** The units a write of one item costs on its table partition and its index partitions. */
  function writeCharges(t: Table, key: Item, before: Known, after: Known, touched: Set<string> | undefined, factor: number): Map<string, number> {
    const charges = new Map<string, number>();
    const add = (p: string, u: number) => charges.set(p, (charges.get(p) ?? 0) + u * factor);
    add(tablePartition(t, key), Math.max(1, Math.ceil(Math.max(before.size, after.size) / 1024)));
    for (const g of t.indexes) {
      const old = before.indexKeys[g.name];
      const now = after.indexKeys[g.name];
      if (old === undefined && now === undefined) continue;
      const relevant = !touched || [...touched].some((a) => a === g.pk || a === g.sk || !g.projected || g.projected.has(a));
      if (!relevant) continue;
      const entry = Math.max(1, Math.ceil((g.projected ? Math.min(after.size || before.size, 1024) : after.size || before.size) / 1024));
      const keyChanged = touched ? touched.has(g.pk) || (g.sk !== undefined && touched.has(g.sk)) : old !== now;
      if (old !== undefined && (now === undefined || old !== now || keyChanged)) add(indexPartition(t, g, old), 1);
      if (now !== undefined) add(indexPartition(t, g, now), entry);
    }
    return charges;
  }

  interface WriteSpec {
    table: Table;
    key: Item;
    touch: Touch;
    after: Known;
  }

  /** What one Put / Update / Delete / ConditionCheck will cost, and the item as it will be. */
  async function planWrite(kind: 'Put' | 'Update' | 'Delete' | 'ConditionCheck', body: Json, factor: number): Promise<WriteSpec | undefined> {
    const t = await describe(String(body.TableName ?? ''));
    if (!t) return undefined;
    const key = kind === 'Put' ? keyOfItem(t, body.Item as Item) : (body.Key as Item);
    if (!key?.[t.pk]) return undefined;
    const id = itemId(t, key);
    if (!mode.throttling) return { table: t, key, touch: { table: t, id, charges: new Map() }, after: { exists: true, size: 0, indexKeys: {} } };
    // A Put of an item not seen yet is taken as a create: no read of DynamoDB Local for each new item.
    const before = kind === 'Put' ? (known.get(id) ?? knownFrom(t, undefined)) : await lookUp(t, key);
    let after: Known = before;
    let touched: Set<string> | undefined;
    if (kind === 'Put') after = knownFrom(t, body.Item as Item);
    else if (kind === 'Delete') after = { exists: false, size: 0, indexKeys: {} };
    else if (kind === 'Update') {
      const e = updateEffect(body);
      touched = e.touched;
      const indexKeys = { ...before.indexKeys };
      for (const g of t.indexes) {
        if (e.removed.has(g.pk) || (g.sk && e.removed.has(g.sk))) indexKeys[g.name] = undefined;
        else if (e.assigned.has(g.pk)) indexKeys[g.name] = scalar(e.assigned.get(g.pk));
        else if (e.touched.has(g.pk)) indexKeys[g.name] = before.indexKeys[g.name] ?? '?';
      }
      const keyBytes = itemSize(keyOfItem(t, key));
      after = { exists: true, size: Math.max(before.size, keyBytes + e.valueBytes), indexKeys };
    } else touched = new Set();
    const charges =
      kind === 'ConditionCheck'
        ? new Map([[tablePartition(t, key), Math.max(1, Math.ceil(before.size / 1024)) * factor]])
        : writeCharges(t, key, before, after, touched, factor);
    return { table: t, key, touch: { table: t, id, charges }, after };
  }

  /** The reason a throttled touch gives, and the ThrottlingReason DynamoDB would name. */
  function throttleReason(touch: Touch, short: Set<string>, kind: 'w' | 'r') {
    const t = touch.table;
    const op = kind === 'w' ? 'Write' : 'Read';
    const onTable = [...touch.charges.keys()].some((p) => short.has(p) && !p.includes('/index/'));
    const index = onTable
      ? undefined
      : t.indexes.find((g) => [...touch.charges.keys()].some((p) => short.has(p) && p.startsWith(`${t.name}/index/${g.name} `)));
    const reason = `${onTable || !index ? 'Table' : 'Index'}${op}KeyRangeThroughputExceeded`;
    const resource = index ? index.arn : t.arn;
    const message = t.onDemand ? (index ? ON_DEMAND_INDEX_MESSAGE : ON_DEMAND_TABLE_MESSAGE) : index ? PROVISIONED_INDEX_MESSAGE : PROVISIONED_TABLE_MESSAGE;
    return { reason, resource, message, onDemand: t.onDemand };
  }

  function throttled(r: ReturnType<typeof throttleReason>): Answer {
    counters.throttles.requests++;
    counters.throttles.byReason[r.reason] = (counters.throttles.byReason[r.reason] ?? 0) + 1;
    const reasons = [{ reason: r.reason, resource: r.resource }];
    return r.onDemand
      ? jsonAnswer(400, errorBody('com.amazon.coral.availability#ThrottlingException', { message: r.message, throttlingReasons: reasons }))
      : jsonAnswer(400, errorBody(`${TYPE_PREFIX}ProvisionedThroughputExceededException`, { message: r.message, ThrottlingReasons: reasons }));
  }

  const countReason = (reason: string) => {
    counters.throttles.byReason[reason] = (counters.throttles.byReason[reason] ?? 0) + 1;
  };

  // ---- conflicts ----

  function doomTransactGets(id: string) {
    for (const tg of transactGets.get(id) ?? []) tg.doomed.add(tg.index.get(id)!);
  }

  function track(map: Map<string, number>, ids: string[], delta: 1 | -1) {
    for (const id of ids) {
      const n = (map.get(id) ?? 0) + delta;
      if (n > 0) map.set(id, n);
      else map.delete(id);
    }
  }

  // ---- forwarding ----

  function forward(req: IncomingMessage, body: Buffer): Promise<Answer> {
    const headers: IncomingHttpHeaders = { ...req.headers, host: target.host };
    delete headers.connection;
    delete headers['keep-alive'];
    delete headers['transfer-encoding'];
    headers['content-length'] = String(body.length);
    return new Promise((resolve, reject) => {
      const out = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      out.on('error', reject);
      out.end(body);
    });
  }

  const parse = (b: Buffer): Json => {
    try {
      return JSON.parse(b.toString('utf8')) as Json;
    } catch {
      return {};
    }
  };

  const later = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  // ---- reads: admitted while the partition has room for the least a read costs, charged from the answer ----

  const readUnits = (bytes: number, consistent: boolean, factor = 1) => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5) * factor;

  function learnItems(t: Table, items: Item[] | undefined, projected: boolean) {
    if (projected || !items) return;
    for (const item of items) if (item[t.pk]) remember(itemId(t, item), knownFrom(t, item));
  }

  async function getItem(req: IncomingMessage, raw: Buffer, body: Json): Promise<Answer> {
    const t = await describe(String(body.TableName ?? ''));
    const key = body.Key as Item | undefined;
    if (!t || !key?.[t.pk]) return forward(req, raw);
    const consistent = body.ConsistentRead === true;
    const partition = tablePartition(t, key);
    if (mode.throttling && !bucket(partition, 'r').admits(readUnits(0, consistent))) {
      const touch = { table: t, id: itemId(t, key), charges: new Map([[partition, 1]]) };
      return throttled(throttleReason(touch, new Set([partition]), 'r'));
    }
    const answer = await forward(req, raw);
    if (answer.status === 200) {
      const item = parse(answer.body).Item as Item | undefined;
      charge(partition, readUnits(item ? itemSize(item) : 0, consistent), 'r');
      learnItems(t, item ? [item] : undefined, body.ProjectionExpression !== undefined || body.AttributesToGet !== undefined);
    }
    return answer;
  }

  /** The partition key value a Query's key condition names. */
  function queryPartition(t: Table, body: Json): { partition: string; index: Index | undefined } | undefined {
    const index = body.IndexName ? t.indexes.find((g) => g.name === body.IndexName) : undefined;
    if (body.IndexName && !index) return undefined;
    const pkName = index ? index.pk : t.pk;
    const names = (body.ExpressionAttributeNames ?? {}) as Record<string, string>;
    const values = (body.ExpressionAttributeValues ?? {}) as Item;
    let value: string | undefined;
    const cond = typeof body.KeyConditionExpression === 'string' ? body.KeyConditionExpression : '';
    for (const m of cond.matchAll(/([#A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)/g)) if ((names[m[1]!] ?? m[1]) === pkName) value = scalar(values[m[2]!]);
    const legacy = (body.KeyConditions as Record<string, { AttributeValueList?: Av[] }> | undefined)?.[pkName];
    value ??= scalar(legacy?.AttributeValueList?.[0]);
    if (value === undefined) return undefined;
    return { partition: index ? indexPartition(t, index, value) : `${t.name} ${t.pk}=${value}`, index };
  }

  async function query(req: IncomingMessage, raw: Buffer, body: Json): Promise<Answer> {
    const t = await describe(String(body.TableName ?? ''));
    const where = t && queryPartition(t, body);
    if (!t || !where) return forward(req, raw);
    const consistent = body.ConsistentRead === true && !where.index;
    if (mode.throttling && !bucket(where.partition, 'r').admits(readUnits(0, consistent))) {
      return throttled(throttleReason({ table: t, id: '', charges: new Map([[where.partition, 1]]) }, new Set([where.partition]), 'r'));
    }
    const answer = await forward(req, raw);
    if (answer.status === 200) {
      const items = parse(answer.body).Items as Item[] | undefined;
      charge(
        where.partition,
        readUnits(
          (items ?? []).reduce((n, i) => n + itemSize(i), 0),
          consistent,
        ),
        'r',
      );
      learnItems(t, items, where.index !== undefined || body.ProjectionExpression !== undefined || body.AttributesToGet !== undefined);
    }
    return answer;
  }

  async function batchGet(req: IncomingMessage, raw: Buffer, body: Json): Promise<Answer> {
    const requested = (body.RequestItems ?? {}) as Record<string, Json & { Keys?: Item[]; ConsistentRead?: boolean }>;
    const admitted: Record<string, Json> = {};
    const unprocessed: Record<string, Json> = {};
    let refused = 0;
    let total = 0;
    let lastReason: ReturnType<typeof throttleReason> | undefined;
    for (const [name, spec] of Object.entries(requested)) {
      const t = await describe(name);
      const keep: Item[] = [];
      const drop: Item[] = [];
      for (const key of spec.Keys ?? []) {
        total++;
        const p = t && key[t.pk] ? tablePartition(t, key) : undefined;
        if (mode.throttling && t && p && !bucket(p, 'r').admits(readUnits(0, spec.ConsistentRead === true))) {
          drop.push(key);
          lastReason = throttleReason({ table: t, id: '', charges: new Map([[p, 1]]) }, new Set([p]), 'r');
        } else keep.push(key);
      }
      if (keep.length) admitted[name] = { ...spec, Keys: keep };
      if (drop.length) unprocessed[name] = { ...spec, Keys: drop };
      refused += drop.length;
    }
    if (refused && refused === total && lastReason) return throttled(lastReason);
    const answer = refused ? await forward(req, Buffer.from(JSON.stringify({ ...body, RequestItems: admitted }))) : await forward(req, raw);
    if (answer.status !== 200) return answer;
    const out = parse(answer.body);
    for (const [name, items] of Object.entries((out.Responses ?? {}) as Record<string, Item[]>)) {
      const t = await describe(name);
      if (!t) continue;
      const consistent = requested[name]?.ConsistentRead === true;
      for (const item of items) if (item[t.pk]) charge(tablePartition(t, item), readUnits(itemSize(item), consistent), 'r');
      learnItems(t, items, requested[name]?.ProjectionExpression !== undefined || requested[name]?.AttributesToGet !== undefined);
    }
    if (!refused) return answer;
    counters.throttles.batchItems += refused;
    countReason(lastReason!.reason);
    const merged = (out.UnprocessedKeys ?? {}) as Record<string, Json & { Keys?: Item[] }>;
    for (const [name, spec] of Object.entries(unprocessed)) {
      merged[name] = { ...spec, Keys: [...(merged[name]?.Keys ?? []), ...((spec.Keys as Item[]) ?? [])] };
    }
    return withBody(answer, Buffer.from(JSON.stringify({ ...out, UnprocessedKeys: merged })));
  }

  async function transactGet(req: IncomingMessage, raw: Buffer, body: Json): Promise<Answer> {
    const items = (body.TransactItems ?? []) as { Get?: Json & { Key?: Item } }[];
    const touches: (Touch | undefined)[] = [];
    for (const entry of items) {
      const get = entry.Get;
      const t = get && (await describe(String(get.TableName ?? '')));
      touches.push(t && get?.Key?.[t.pk] ? { table: t, id: itemId(t, get.Key), charges: new Map([[tablePartition(t, get.Key), 2]]) } : undefined);
    }
    const reasons: { Code: string; Message?: string }[] = touches.map(() => ({ Code: 'None' }));
    let cancel = false;
    if (mode.conflicts) {
      touches.forEach((t, i) => {
        if (t && (held.has(t.id) || writing.has(t.id))) {
          reasons[i] = { Code: 'TransactionConflict', Message: CONFLICT_MESSAGE };
          cancel = true;
        }
      });
      if (cancel) counters.conflicts.cancelledTransactGets++;
    }
    if (mode.throttling) {
      const present = touches.filter((t): t is Touch => t !== undefined);
      const short = shortPartitions(present, 'r');
      touches.forEach((t, i) => {
        if (t && reasons[i]!.Code === 'None' && [...t.charges.keys()].some((p) => short.has(p))) {
          const r = throttleReason(t, short, 'r');
          reasons[i] = { Code: r.onDemand ? 'ThrottlingError' : 'ProvisionedThroughputExceeded', Message: r.message };
          countReason(r.reason);
          if (!cancel) counters.throttles.transactions++;
          cancel = true;
        }
      });
    }
    if (cancel) return transactionCanceled(reasons);
    const tg: TransactGet = { index: new Map(), doomed: new Set() };
    touches.forEach((t, i) => {
      if (!t) return;
      tg.index.set(t.id, i);
      let set = transactGets.get(t.id);
      if (!set) transactGets.set(t.id, (set = new Set()));
      set.add(tg);
    });
    try {
      const answer = await forward(req, raw);
      if (tg.doomed.size && mode.conflicts) {
        counters.conflicts.cancelledTransactGets++;
        return transactionCanceled(touches.map((_, i) => (tg.doomed.has(i) ? { Code: 'TransactionConflict', Message: CONFLICT_MESSAGE } : { Code: 'None' })));
      }
      if (answer.status === 200) {
        const responses = (parse(answer.body).Responses ?? []) as { Item?: Item }[];
        touches.forEach((t, i) => {
          if (t) charge([...t.charges.keys()][0]!, readUnits(responses[i]?.Item ? itemSize(responses[i].Item) : 0, true, 2), 'r');
        });
      }
      return answer;
    } finally {
      for (const [id] of tg.index) {
        const set = transactGets.get(id);
        set?.delete(tg);
        if (set?.size === 0) transactGets.delete(id);
      }
    }
  }

  // ---- writes ----

  function afterWrite(spec: WriteSpec, ok: boolean) {
    if (!ok || !mode.throttling || Object.values(spec.after.indexKeys).includes('?')) known.delete(spec.touch.id);
    else remember(spec.touch.id, spec.after);
  }

  async function singleWrite(op: 'PutItem' | 'UpdateItem' | 'DeleteItem', req: IncomingMessage, raw: Buffer, body: Json): Promise<Answer> {
    const kind = op === 'PutItem' ? 'Put' : op === 'UpdateItem' ? 'Update' : 'Delete';
    const spec = await planWrite(kind, body, 1);
    if (!spec) return forward(req, raw);
    const { touch } = spec;
    if (mode.conflicts && held.has(touch.id)) {
      counters.conflicts.singleWriteConflicts++;
      return jsonAnswer(400, errorBody(`${TYPE_PREFIX}TransactionConflictException`, { message: CONFLICT_MESSAGE }));
    }
    if (mode.throttling) {
      const short = shortPartitions([touch], 'w');
      if (short.size) return throttled(throttleReason(touch, short, 'w'));
    }
    for (const [p, u] of touch.charges) charge(p, u, 'w');
    doomTransactGets(touch.id);
    track(writing, [touch.id], 1);
    try {
      const answer = await forward(req, raw);
      afterWrite(spec, answer.status === 200);
      return answer;
    } finally {
      track(writing, [touch.id], -1);
    }
  }

  async function batchWrite(req: IncomingMessage, raw: Buffer, body: Json): Promise<Answer> {
    const requested = (body.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>;
    const admitted: Record<string, unknown[]> = {};
    const unprocessed: Record<string, unknown[]> = {};
    const specs: WriteSpec[] = [];
    let total = 0;
    let conflicted = 0;
    let throttledItems = 0;
    let lastReason: ReturnType<typeof throttleReason> | undefined;
    for (const [name, requests] of Object.entries(requested)) {
      for (const r of requests) {
        total++;
        const spec = r.PutRequest
          ? await planWrite('Put', { TableName: name, Item: r.PutRequest.Item }, 1)
          : r.DeleteRequest
            ? await planWrite('Delete', { TableName: name, Key: r.DeleteRequest.Key }, 1)
            : undefined;
        let refuse = false;
        if (spec && mode.conflicts && held.has(spec.touch.id)) {
          conflicted++;
          refuse = true;
        } else if (spec && mode.throttling) {
          const short = shortPartitions([spec.touch], 'w');
          if (short.size) {
            throttledItems++;
            lastReason = throttleReason(spec.touch, short, 'w');
            refuse = true;
          }
        }
        if (refuse) (unprocessed[name] ??= []).push(r);
        else {
          (admitted[name] ??= []).push(r);
          if (spec) {
            for (const [p, u] of spec.touch.charges) charge(p, u, 'w');
            specs.push(spec);
          }
        }
      }
    }
    counters.conflicts.batchItemsUnprocessed += conflicted;
    if (throttledItems) {
      counters.throttles.batchItems += throttledItems;
      countReason(lastReason!.reason);
    }
    if (throttledItems && throttledItems === total && lastReason) {
      counters.throttles.batchItems -= throttledItems;
      counters.throttles.byReason[lastReason.reason]!--;
      return throttled(lastReason);
    }
    if (conflicted + throttledItems === total) return jsonAnswer(200, Buffer.from(JSON.stringify({ UnprocessedItems: unprocessed })));
    const ids = specs.map((s) => s.touch.id);
    for (const id of ids) doomTransactGets(id);
    track(writing, ids, 1);
    try {
      const changed = conflicted + throttledItems > 0;
      const answer = await forward(req, changed ? Buffer.from(JSON.stringify({ ...body, RequestItems: admitted })) : raw);
      for (const s of specs) afterWrite(s, answer.status === 200);
      if (!changed || answer.status !== 200) return answer;
      const out = parse(answer.body);
      const merged = (out.UnprocessedItems ?? {}) as Record<string, unknown[]>;
      for (const [name, rs] of Object.entries(unprocessed)) merged[name] = [...(merged[name] ?? []), ...rs];
      return withBody(answer, Buffer.from(JSON.stringify({ ...out, UnprocessedItems: merged })));
    } finally {
      track(writing, ids, -1);
    }
  }

  async function transactWrite(req: IncomingMessage, raw: Buffer, body: Json): Promise<Answer> {
    const items = (body.TransactItems ?? []) as Record<string, Json>[];
    const specs: (WriteSpec | undefined)[] = [];
    for (const entry of items) {
      const kind = (['Put', 'Update', 'Delete', 'ConditionCheck'] as const).find((k) => entry[k]);
      specs.push(kind ? await planWrite(kind, entry[kind]!, 2) : undefined);
    }
    const reasons: { Code: string; Message?: string }[] = specs.map(() => ({ Code: 'None' }));
    let conflict = false;
    let throttle = false;
    if (mode.conflicts) {
      specs.forEach((s, i) => {
        if (s && held.has(s.touch.id)) {
          reasons[i] = { Code: 'TransactionConflict', Message: CONFLICT_MESSAGE };
          conflict = true;
        }
      });
    }
    if (mode.throttling) {
      const touches = specs.filter((s): s is WriteSpec => s !== undefined).map((s) => s.touch);
      const short = shortPartitions(touches, 'w');
      specs.forEach((s, i) => {
        if (s && reasons[i]!.Code === 'None' && [...s.touch.charges.keys()].some((p) => short.has(p))) {
          const r = throttleReason(s.touch, short, 'w');
          reasons[i] = { Code: r.onDemand ? 'ThrottlingError' : 'ProvisionedThroughputExceeded', Message: r.message };
          countReason(r.reason);
          throttle = true;
        }
      });
    }
    if (conflict || throttle) {
      if (conflict) counters.conflicts.cancelledTransactions++;
      else counters.throttles.transactions++;
      return transactionCanceled(reasons);
    }
    const owner = Symbol('transaction');
    const ids = specs.filter((s): s is WriteSpec => s !== undefined).map((s) => s.touch.id);
    for (const s of specs) if (s) for (const [p, u] of s.touch.charges) charge(p, u, 'w');
    if (mode.conflicts) for (const id of ids) held.set(id, owner);
    for (const id of ids) doomTransactGets(id);
    try {
      const answer = await forward(req, raw);
      for (const s of specs) if (s) afterWrite(s, answer.status === 200);
      if (mode.conflicts && holdMs > 0) await later(holdMs);
      return answer;
    } finally {
      for (const id of ids) if (held.get(id) === owner) held.delete(id);
    }
  }

  // ---- the server ----

  async function handle(req: IncomingMessage, raw: Buffer): Promise<Answer> {
    const targetHeader = String(req.headers['x-amz-target'] ?? '');
    const [service, op = ''] = targetHeader.split('.');
    const name = service === 'DynamoDB_20120810' ? op : targetHeader || `${req.method} ${req.url}`;
    counters.requests[name] = (counters.requests[name] ?? 0) + 1;
    if (service !== 'DynamoDB_20120810') return forward(req, raw);
    if (WRITE_OPS.has(op) && Date.now() < refuseUntil) {
      counters.refusedWrites++;
      return jsonAnswer(500, errorBody(`${TYPE_PREFIX}InternalServerError`, { message: 'Internal server error' }));
    }
    if (op === 'CreateTable' || op === 'DeleteTable' || op === 'UpdateTable') {
      const body = parse(raw);
      tables.delete(tableName(String(body.TableName ?? '')));
      if (op === 'DeleteTable') known.clear();
      return forward(req, raw);
    }
    if (!mode.conflicts && !mode.throttling) return forward(req, raw);
    const body = parse(raw);
    switch (op) {
      case 'PutItem':
      case 'UpdateItem':
      case 'DeleteItem':
        return singleWrite(op, req, raw, body);
      case 'BatchWriteItem':
        return batchWrite(req, raw, body);
      case 'TransactWriteItems':
        return transactWrite(req, raw, body);
      case 'TransactGetItems':
        return transactGet(req, raw, body);
      case 'GetItem':
        return mode.throttling ? getItem(req, raw, body) : forward(req, raw);
      case 'Query':
        return mode.throttling ? query(req, raw, body) : forward(req, raw);
      case 'BatchGetItem':
        return mode.throttling ? batchGet(req, raw, body) : forward(req, raw);
      default:
        return forward(req, raw);
    }
  }

  function stats(): DynamoDbFrontStats {
    const top = (by: Map<string, number>) =>
      [...by]
        .sort((a, b) => b[1] - a[1])
        .slice(0, topN)
        .map(([partition, units]) => ({ partition, units }));
    const gets = new Set([...transactGets.values()].flatMap((set) => [...set])).size;
    const inFlight = { heldItems: held.size, writtenItems: writing.size, transactGets: gets };
    return structuredClone({ ...counters, inFlight, hotPartitions: { wcu: top(wcuBy), rcu: top(rcuBy) } });
  }

  function resetStats() {
    counters = emptyStats();
    wcuBy = new Map();
    rcuBy = new Map();
  }

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
        if (req.method === 'POST' && req.url === '/_front/stats/reset') resetStats();
        const known = req.url === '/_front/stats' || req.url === '/_front/stats/reset';
        const body = Buffer.from(JSON.stringify(known ? stats() : { message: 'GET /_front/stats, POST /_front/stats/reset' }));
        return send({ status: known ? 200 : 404, headers: { 'content-type': 'application/json', 'content-length': String(body.length) }, body });
      }
      handle(req, raw).then(send, (err: unknown) => {
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
    stats,
    resetStats,
    setMode(m) {
      if (m.conflicts !== undefined) mode.conflicts = m.conflicts;
      if (m.throttling !== undefined) mode.throttling = m.throttling;
      known.clear();
    },
    refuseWrites(ms) {
      refuseUntil = ms > 0 ? Date.now() + ms : 0;
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
      admin.destroy();
    },
  };
}
