/**
 * Batched reads and deletes: BatchGetItem in chunks of 100 and BatchWriteItem deletes in chunks of 25, each
 * retrying unprocessed keys with backoff until none are left.
 */
import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DataError } from './errors';
import { ddb, tableName } from './client';
import { backoffMs, sleep } from './retry';

const BATCH_SIZE = 25;
const GET_BATCH_SIZE = 100;
const MAX_ROUNDS = 12;

type ItemKey = { pk: string; sk: string };
const keyString = (k: Record<string, unknown>) => `${String(k.pk)}\u0000${String(k.sk)}`;

/**
 * The items of `keys` in the order of `keys` (a key without an item is left out: deleted since it was listed).
 * Eventually consistent unless `consistent`: the lists that use it read their keys from an index, which is.
 */
export async function batchGet(keys: readonly ItemKey[], opts: { consistent?: boolean } = {}): Promise<Record<string, unknown>[]> {
  return (await batchGetEach(keys, opts)).filter((item): item is Record<string, unknown> => item !== undefined);
}

/** The item of each key, or undefined where there is none, aligned with `keys`. */
export async function batchGetEach(keys: readonly ItemKey[], opts: { consistent?: boolean } = {}): Promise<(Record<string, unknown> | undefined)[]> {
  const found = new Map<string, Record<string, unknown>>();
  const unique = [...new Map(keys.map((k) => [keyString(k), { pk: k.pk, sk: k.sk }])).values()];
  const chunks: ItemKey[][] = [];
  for (let i = 0; i < unique.length; i += GET_BATCH_SIZE) chunks.push(unique.slice(i, i + GET_BATCH_SIZE));
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending: Record<string, unknown>[] = chunk;
      for (let round = 0; pending.length > 0; round++) {
        if (round >= MAX_ROUNDS) throw new DataError('DEPENDENCY_THROTTLED', 'The database kept throttling a batch read; retry');
        if (round > 0) await sleep(backoffMs(round, 20, 1000));
        const out = await ddb().send(
          new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ...(opts.consistent ? { ConsistentRead: true } : {}) } } }),
        );
        for (const item of out.Responses?.[tableName()] ?? []) found.set(keyString(item), item);
        pending = out.UnprocessedKeys?.[tableName()]?.Keys ?? [];
      }
    }),
  );
  return keys.map((k) => found.get(keyString(k)));
}

export async function batchDelete(keys: ItemKey[]): Promise<void> {
  for (let i = 0; i < keys.length; i += BATCH_SIZE) {
    let requests = keys.slice(i, i + BATCH_SIZE).map((Key) => ({ DeleteRequest: { Key } }));
    for (let round = 0; requests.length > 0; round++) {
      if (round >= MAX_ROUNDS) throw new DataError('DEPENDENCY_THROTTLED', 'The database kept throttling a batch delete; retry');
      if (round > 0) await sleep(backoffMs(round, 50, 2000));
      const out = await ddb().send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }));
      requests = (out.UnprocessedItems?.[tableName()] ?? []) as typeof requests;
    }
  }
}
