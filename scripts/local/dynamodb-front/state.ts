/**
 * What one running front holds (its options, mode, counters, caches, holds and timers) and the helpers that only
 * read or fill it: table descriptions, what the front knows of items, delays the front can cancel on stop.
 */
import { DescribeTableCommand, GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Agent } from 'node:http';
import { itemId, keyOfItem, knownFrom, tableName, toTable } from './items';
import type { Bucket } from './token-bucket';
import type { DynamoDbFrontStats, Item, Known, Table, TransactGet } from './types';

export interface FrontState {
  /** DynamoDB Local. */
  target: URL;
  holdMs: number;
  scale: number;
  burstSeconds: number;
  topN: number;
  mode: { conflicts: boolean; throttling: boolean };
  agent: Agent;
  admin: DynamoDBClient;
  counters: DynamoDbFrontStats;
  wcuBy: Map<string, number>;
  rcuBy: Map<string, number>;
  refuseUntil: number;
  timers: Set<NodeJS.Timeout>;
  tables: Map<string, Promise<Table | undefined>>;
  known: Map<string, Known>;
  buckets: Map<string, Bucket>;
  /** Items of in-flight TransactWriteItems (until holdMs after DynamoDB Local answered). */
  held: Map<string, symbol>;
  /** Items of in-flight single and batch writes. */
  writing: Map<string, number>;
  transactGets: Map<string, Set<TransactGet>>;
}

export function describe(front: FrontState, nameOrArn: string): Promise<Table | undefined> {
  const name = tableName(nameOrArn);
  let t = front.tables.get(name);
  if (!t) {
    t = front.admin.send(new DescribeTableCommand({ TableName: name })).then(
      (out) => toTable(out.Table!),
      () => {
        front.tables.delete(name);
        return undefined;
      },
    );
    front.tables.set(name, t);
  }
  return t;
}

export function remember(front: FrontState, id: string, k: Known) {
  if (front.known.size > 100_000) front.known.clear();
  front.known.set(id, k);
}

/** The item as the front last saw it; read from DynamoDB Local the first time. */
export async function lookUp(front: FrontState, t: Table, key: Item): Promise<Known> {
  const id = itemId(t, key);
  const k = front.known.get(id);
  if (k) return k;
  const out = await front.admin.send(new GetItemCommand({ TableName: t.name, Key: keyOfItem(t, key), ConsistentRead: true }));
  const fresh = knownFrom(t, out.Item);
  remember(front, id, fresh);
  return fresh;
}

export const later = (front: FrontState, ms: number) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      front.timers.delete(t);
      resolve();
    }, ms);
    front.timers.add(t);
  });
