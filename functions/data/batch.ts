/** BatchWriteItem deletes in chunks of 25, retrying UnprocessedItems with backoff until none are left. */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DataError } from './errors';
import { ddb, tableName } from './client';
import { backoffMs, sleep } from './retry';

const BATCH_SIZE = 25;
const MAX_ROUNDS = 12;

export async function batchDelete(keys: Array<{ pk: string; sk: string }>): Promise<void> {
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
