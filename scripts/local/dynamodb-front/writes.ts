/**
 * Writes (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems): what each costs and leaves, then
 * refused on a held item or a short partition, else charged, held while under way and forwarded.
 */
import type { IncomingMessage } from 'node:http';
import { doomTransactGets, track } from './holds';
import { itemId, itemSize, keyOfItem, knownFrom, scalar, tablePartition, updateEffect } from './items';
import { CONFLICT_MESSAGE, errorBody, forward, jsonAnswer, parse, transactionCanceled, TYPE_PREFIX, withBody } from './protocol';
import { describe, later, lookUp, remember, type FrontState } from './state';
import { charge, countReason, shortPartitions, throttled, throttleReason, writeCharges } from './throttling';
import type { Answer, Item, Json, Known, Table, Touch } from './types';

interface WriteSpec {
  table: Table;
  key: Item;
  touch: Touch;
  after: Known;
}

/** What one Put / Update / Delete / ConditionCheck will cost, and the item as it will be. */
async function planWrite(front: FrontState, kind: 'Put' | 'Update' | 'Delete' | 'ConditionCheck', body: Json, factor: number): Promise<WriteSpec | undefined> {
  const t = await describe(front, String(body.TableName ?? ''));
  if (!t) return undefined;
  const key = kind === 'Put' ? keyOfItem(t, body.Item as Item) : (body.Key as Item);
  if (!key?.[t.pk]) return undefined;
  const id = itemId(t, key);
  if (!front.mode.throttling) return { table: t, key, touch: { table: t, id, charges: new Map() }, after: { exists: true, size: 0, indexKeys: {} } };
  // A Put of an item not seen yet is taken as a create: no read of DynamoDB Local for each new item.
  const before = kind === 'Put' ? (front.known.get(id) ?? knownFrom(t, undefined)) : await lookUp(front, t, key);
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

function afterWrite(front: FrontState, spec: WriteSpec, ok: boolean) {
  if (!ok || !front.mode.throttling || Object.values(spec.after.indexKeys).includes('?')) front.known.delete(spec.touch.id);
  else remember(front, spec.touch.id, spec.after);
}

export async function singleWrite(
  front: FrontState,
  op: 'PutItem' | 'UpdateItem' | 'DeleteItem',
  req: IncomingMessage,
  raw: Buffer,
  body: Json,
): Promise<Answer> {
  const kind = op === 'PutItem' ? 'Put' : op === 'UpdateItem' ? 'Update' : 'Delete';
  const spec = await planWrite(front, kind, body, 1);
  if (!spec) return forward(front, req, raw);
  const { touch } = spec;
  if (front.mode.conflicts && front.held.has(touch.id)) {
    front.counters.conflicts.singleWriteConflicts++;
    return jsonAnswer(400, errorBody(`${TYPE_PREFIX}TransactionConflictException`, { message: CONFLICT_MESSAGE }));
  }
  if (front.mode.throttling) {
    const short = shortPartitions(front, [touch], 'w');
    if (short.size) return throttled(front, throttleReason(touch, short, 'w'));
  }
  for (const [p, u] of touch.charges) charge(front, p, u, 'w');
  doomTransactGets(front, touch.id);
  track(front.writing, [touch.id], 1);
  try {
    const answer = await forward(front, req, raw);
    afterWrite(front, spec, answer.status === 200);
    return answer;
  } finally {
    track(front.writing, [touch.id], -1);
  }
}

export async function batchWrite(front: FrontState, req: IncomingMessage, raw: Buffer, body: Json): Promise<Answer> {
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
        ? await planWrite(front, 'Put', { TableName: name, Item: r.PutRequest.Item }, 1)
        : r.DeleteRequest
          ? await planWrite(front, 'Delete', { TableName: name, Key: r.DeleteRequest.Key }, 1)
          : undefined;
      let refuse = false;
      if (spec && front.mode.conflicts && front.held.has(spec.touch.id)) {
        conflicted++;
        refuse = true;
      } else if (spec && front.mode.throttling) {
        const short = shortPartitions(front, [spec.touch], 'w');
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
          for (const [p, u] of spec.touch.charges) charge(front, p, u, 'w');
          specs.push(spec);
        }
      }
    }
  }
  front.counters.conflicts.batchItemsUnprocessed += conflicted;
  if (throttledItems) {
    front.counters.throttles.batchItems += throttledItems;
    countReason(front, lastReason!.reason);
  }
  if (throttledItems && throttledItems === total && lastReason) {
    front.counters.throttles.batchItems -= throttledItems;
    front.counters.throttles.byReason[lastReason.reason]!--;
    return throttled(front, lastReason);
  }
  if (conflicted + throttledItems === total) return jsonAnswer(200, Buffer.from(JSON.stringify({ UnprocessedItems: unprocessed })));
  const ids = specs.map((s) => s.touch.id);
  for (const id of ids) doomTransactGets(front, id);
  track(front.writing, ids, 1);
  try {
    const changed = conflicted + throttledItems > 0;
    const answer = await forward(front, req, changed ? Buffer.from(JSON.stringify({ ...body, RequestItems: admitted })) : raw);
    for (const s of specs) afterWrite(front, s, answer.status === 200);
    if (!changed || answer.status !== 200) return answer;
    const out = parse(answer.body);
    const merged = (out.UnprocessedItems ?? {}) as Record<string, unknown[]>;
    for (const [name, rs] of Object.entries(unprocessed)) merged[name] = [...(merged[name] ?? []), ...rs];
    return withBody(answer, Buffer.from(JSON.stringify({ ...out, UnprocessedItems: merged })));
  } finally {
    track(front.writing, ids, -1);
  }
}

export async function transactWrite(front: FrontState, req: IncomingMessage, raw: Buffer, body: Json): Promise<Answer> {
  const items = (body.TransactItems ?? []) as Record<string, Json>[];
  const specs: (WriteSpec | undefined)[] = [];
  for (const entry of items) {
    const kind = (['Put', 'Update', 'Delete', 'ConditionCheck'] as const).find((k) => entry[k]);
    specs.push(kind ? await planWrite(front, kind, entry[kind]!, 2) : undefined);
  }
  const reasons: { Code: string; Message?: string }[] = specs.map(() => ({ Code: 'None' }));
  let conflict = false;
  let throttle = false;
  if (front.mode.conflicts) {
    specs.forEach((s, i) => {
      if (s && front.held.has(s.touch.id)) {
        reasons[i] = { Code: 'TransactionConflict', Message: CONFLICT_MESSAGE };
        conflict = true;
      }
    });
  }
  if (front.mode.throttling) {
    const touches = specs.filter((s): s is WriteSpec => s !== undefined).map((s) => s.touch);
    const short = shortPartitions(front, touches, 'w');
    specs.forEach((s, i) => {
      if (s && reasons[i]!.Code === 'None' && [...s.touch.charges.keys()].some((p) => short.has(p))) {
        const r = throttleReason(s.touch, short, 'w');
        reasons[i] = { Code: r.onDemand ? 'ThrottlingError' : 'ProvisionedThroughputExceeded', Message: r.message };
        countReason(front, r.reason);
        throttle = true;
      }
    });
  }
  if (conflict || throttle) {
    if (conflict) front.counters.conflicts.cancelledTransactions++;
    else front.counters.throttles.transactions++;
    return transactionCanceled(reasons);
  }
  const owner = Symbol('transaction');
  const ids = specs.filter((s): s is WriteSpec => s !== undefined).map((s) => s.touch.id);
  for (const s of specs) if (s) for (const [p, u] of s.touch.charges) charge(front, p, u, 'w');
  if (front.mode.conflicts) for (const id of ids) front.held.set(id, owner);
  for (const id of ids) doomTransactGets(front, id);
  try {
    const answer = await forward(front, req, raw);
    for (const s of specs) if (s) afterWrite(front, s, answer.status === 200);
    if (front.mode.conflicts && front.holdMs > 0) await later(front, front.holdMs);
    return answer;
  } finally {
    for (const id of ids) if (front.held.get(id) === owner) front.held.delete(id);
  }
}
