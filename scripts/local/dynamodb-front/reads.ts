/**
 * Reads (GetItem, Query, BatchGetItem, TransactGetItems): admitted while the partition has room for the least a
 * read costs, charged from the answer; a TransactGetItems also meets the writes holding its items.
 */
import type { IncomingMessage } from 'node:http';
import { itemId, itemSize, indexPartition, knownFrom, scalar, tablePartition } from './items';
import { CONFLICT_MESSAGE, forward, parse, transactionCanceled, withBody } from './protocol';
import { describe, remember, type FrontState } from './state';
import { bucket, charge, countReason, readUnits, shortPartitions, throttled, throttleReason } from './throttling';
import type { Answer, Av, Index, Item, Json, Table, Touch, TransactGet } from './types';

function learnItems(front: FrontState, t: Table, items: Item[] | undefined, projected: boolean) {
  if (projected || !items) return;
  for (const item of items) if (item[t.pk]) remember(front, itemId(t, item), knownFrom(t, item));
}

export async function getItem(front: FrontState, req: IncomingMessage, raw: Buffer, body: Json): Promise<Answer> {
  const t = await describe(front, String(body.TableName ?? ''));
  const key = body.Key as Item | undefined;
  if (!t || !key?.[t.pk]) return forward(front, req, raw);
  const consistent = body.ConsistentRead === true;
  const partition = tablePartition(t, key);
  if (front.mode.throttling && !bucket(front, partition, 'r').admits(readUnits(0, consistent))) {
    const touch = { table: t, id: itemId(t, key), charges: new Map([[partition, 1]]) };
    return throttled(front, throttleReason(touch, new Set([partition]), 'r'));
  }
  const answer = await forward(front, req, raw);
  if (answer.status === 200) {
    const item = parse(answer.body).Item as Item | undefined;
    charge(front, partition, readUnits(item ? itemSize(item) : 0, consistent), 'r');
    learnItems(front, t, item ? [item] : undefined, body.ProjectionExpression !== undefined || body.AttributesToGet !== undefined);
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

export async function query(front: FrontState, req: IncomingMessage, raw: Buffer, body: Json): Promise<Answer> {
  const t = await describe(front, String(body.TableName ?? ''));
  const where = t && queryPartition(t, body);
  if (!t || !where) return forward(front, req, raw);
  const consistent = body.ConsistentRead === true && !where.index;
  if (front.mode.throttling && !bucket(front, where.partition, 'r').admits(readUnits(0, consistent))) {
    return throttled(front, throttleReason({ table: t, id: '', charges: new Map([[where.partition, 1]]) }, new Set([where.partition]), 'r'));
  }
  const answer = await forward(front, req, raw);
  if (answer.status === 200) {
    const items = parse(answer.body).Items as Item[] | undefined;
    charge(
      front,
      where.partition,
      readUnits(
        (items ?? []).reduce((n, i) => n + itemSize(i), 0),
        consistent,
      ),
      'r',
    );
    learnItems(front, t, items, where.index !== undefined || body.ProjectionExpression !== undefined || body.AttributesToGet !== undefined);
  }
  return answer;
}

export async function batchGet(front: FrontState, req: IncomingMessage, raw: Buffer, body: Json): Promise<Answer> {
  const requested = (body.RequestItems ?? {}) as Record<string, Json & { Keys?: Item[]; ConsistentRead?: boolean }>;
  const admitted: Record<string, Json> = {};
  const unprocessed: Record<string, Json> = {};
  let refused = 0;
  let total = 0;
  let lastReason: ReturnType<typeof throttleReason> | undefined;
  for (const [name, spec] of Object.entries(requested)) {
    const t = await describe(front, name);
    const keep: Item[] = [];
    const drop: Item[] = [];
    for (const key of spec.Keys ?? []) {
      total++;
      const p = t && key[t.pk] ? tablePartition(t, key) : undefined;
      if (front.mode.throttling && t && p && !bucket(front, p, 'r').admits(readUnits(0, spec.ConsistentRead === true))) {
        drop.push(key);
        lastReason = throttleReason({ table: t, id: '', charges: new Map([[p, 1]]) }, new Set([p]), 'r');
      } else keep.push(key);
    }
    if (keep.length) admitted[name] = { ...spec, Keys: keep };
    if (drop.length) unprocessed[name] = { ...spec, Keys: drop };
    refused += drop.length;
  }
  if (refused && refused === total && lastReason) return throttled(front, lastReason);
  const answer = refused ? await forward(front, req, Buffer.from(JSON.stringify({ ...body, RequestItems: admitted }))) : await forward(front, req, raw);
  if (answer.status !== 200) return answer;
  const out = parse(answer.body);
  for (const [name, items] of Object.entries((out.Responses ?? {}) as Record<string, Item[]>)) {
    const t = await describe(front, name);
    if (!t) continue;
    const consistent = requested[name]?.ConsistentRead === true;
    for (const item of items) if (item[t.pk]) charge(front, tablePartition(t, item), readUnits(itemSize(item), consistent), 'r');
    learnItems(front, t, items, requested[name]?.ProjectionExpression !== undefined || requested[name]?.AttributesToGet !== undefined);
  }
  if (!refused) return answer;
  front.counters.throttles.batchItems += refused;
  countReason(front, lastReason!.reason);
  const merged = (out.UnprocessedKeys ?? {}) as Record<string, Json & { Keys?: Item[] }>;
  for (const [name, spec] of Object.entries(unprocessed)) {
    merged[name] = { ...spec, Keys: [...(merged[name]?.Keys ?? []), ...((spec.Keys as Item[]) ?? [])] };
  }
  return withBody(answer, Buffer.from(JSON.stringify({ ...out, UnprocessedKeys: merged })));
}

export async function transactGet(front: FrontState, req: IncomingMessage, raw: Buffer, body: Json): Promise<Answer> {
  const items = (body.TransactItems ?? []) as { Get?: Json & { Key?: Item } }[];
  const touches: (Touch | undefined)[] = [];
  for (const entry of items) {
    const get = entry.Get;
    const t = get && (await describe(front, String(get.TableName ?? '')));
    touches.push(t && get?.Key?.[t.pk] ? { table: t, id: itemId(t, get.Key), charges: new Map([[tablePartition(t, get.Key), 2]]) } : undefined);
  }
  const reasons: { Code: string; Message?: string }[] = touches.map(() => ({ Code: 'None' }));
  let cancel = false;
  if (front.mode.conflicts) {
    touches.forEach((t, i) => {
      if (t && (front.held.has(t.id) || front.writing.has(t.id))) {
        reasons[i] = { Code: 'TransactionConflict', Message: CONFLICT_MESSAGE };
        cancel = true;
      }
    });
    if (cancel) front.counters.conflicts.cancelledTransactGets++;
  }
  if (front.mode.throttling) {
    const present = touches.filter((t): t is Touch => t !== undefined);
    const short = shortPartitions(front, present, 'r');
    touches.forEach((t, i) => {
      if (t && reasons[i]!.Code === 'None' && [...t.charges.keys()].some((p) => short.has(p))) {
        const r = throttleReason(t, short, 'r');
        reasons[i] = { Code: r.onDemand ? 'ThrottlingError' : 'ProvisionedThroughputExceeded', Message: r.message };
        countReason(front, r.reason);
        if (!cancel) front.counters.throttles.transactions++;
        cancel = true;
      }
    });
  }
  if (cancel) return transactionCanceled(reasons);
  const tg: TransactGet = { index: new Map(), doomed: new Set() };
  touches.forEach((t, i) => {
    if (!t) return;
    tg.index.set(t.id, i);
    let set = front.transactGets.get(t.id);
    if (!set) front.transactGets.set(t.id, (set = new Set()));
    set.add(tg);
  });
  try {
    const answer = await forward(front, req, raw);
    if (tg.doomed.size && front.mode.conflicts) {
      front.counters.conflicts.cancelledTransactGets++;
      return transactionCanceled(touches.map((_, i) => (tg.doomed.has(i) ? { Code: 'TransactionConflict', Message: CONFLICT_MESSAGE } : { Code: 'None' })));
    }
    if (answer.status === 200) {
      const responses = (parse(answer.body).Responses ?? []) as { Item?: Item }[];
      touches.forEach((t, i) => {
        if (t) charge(front, [...t.charges.keys()][0]!, readUnits(responses[i]?.Item ? itemSize(responses[i].Item) : 0, true, 2), 'r');
      });
    }
    return answer;
  } finally {
    for (const [id] of tg.index) {
      const set = front.transactGets.get(id);
      set?.delete(tg);
      if (set?.size === 0) front.transactGets.delete(id);
    }
  }
}
