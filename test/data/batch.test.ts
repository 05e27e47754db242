/** Batched reads (functions/data/batch.ts) against DynamoDB Local: chunks of 100, page order, gaps. */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { batchGet } from '../../functions/data/batch';
import { ddb, tableName } from '../../functions/data/client';
import { hydrateItems } from '../../functions/data/pagination';
import { uid } from './helpers';

async function putAll(items: { pk: string; sk: string; n: number }[]) {
  for (let i = 0; i < items.length; i += 25)
    await ddb().send(new BatchWriteCommand({ RequestItems: { [tableName()]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
}

describe('batchGet', () => {
  it('reads more than one BatchGetItem holds, in the order asked, leaving out keys without an item, a repeated key answered at each of its places', async () => {
    const pk = uid('BATCH');
    const items = Array.from({ length: 230 }, (_, n) => ({ pk, sk: `I#${String(n).padStart(3, '0')}`, n }));
    await putAll(items);
    // A shuffled order, some keys with no item, and a repeated key.
    const wanted = [...items].reverse().filter((i) => i.n % 7 !== 0);
    const keys = [...wanted.map(({ pk, sk }) => ({ pk, sk })), { pk, sk: 'I#missing' }, { pk: wanted[0]!.pk, sk: wanted[0]!.sk }];
    keys.splice(50, 0, { pk, sk: 'I#gone' });
    const got = await batchGet(keys);
    expect(got.map((i) => i.n)).toEqual([...wanted.map((i) => i.n), wanted[0]!.n]);
  });

  it('hydrates index entries into whole items in page order', async () => {
    const pk = uid('BATCH');
    await putAll([
      { pk, sk: 'A', n: 1 },
      { pk, sk: 'B', n: 2 },
    ]);
    const whole = await hydrateItems([
      { pk, sk: 'B', gsi1pk: 'x' },
      { pk, sk: 'A', gsi1pk: 'x' },
    ]);
    expect(whole).toEqual([
      { pk, sk: 'B', n: 2 },
      { pk, sk: 'A', n: 1 },
    ]);
  });
});
