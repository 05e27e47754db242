/**
 * The DynamoDB front (scripts/local/dynamodb-front/) in front of the run's DynamoDB Local, through the real SDK:
 * transaction conflicts, per-partition throttling (table and GSI), the counters and the write outage. Overlaps
 * are forced (a long hold, waiting until the front holds the items) and limits are scaled so far down that a
 * partition's second write cannot fit: no assertion depends on timing.
 */
import {
  BatchWriteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startDynamoDbFront, type DynamoDbFront } from '../../scripts/local/dynamodb-front';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../scripts/local/dynamodb-local';
import { uid } from './helpers';

const TABLE = process.env.TABLE_NAME!;
const clients: DynamoDBClient[] = [];
const fronts: DynamoDbFront[] = [];

function client(endpoint: string): DynamoDBClient {
  const c = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  clients.push(c);
  return c;
}

const direct = () => client(process.env.DYNAMODB_ENDPOINT!);

async function front(opts: Parameters<typeof startDynamoDbFront>[0] extends infer O ? Omit<O, 'target'> : never) {
  const f = await startDynamoDbFront({ target: process.env.DYNAMODB_ENDPOINT!, ...opts });
  fronts.push(f);
  return { f, db: client(f.endpoint) };
}

const key = (pk: string, sk = 'A'): Record<string, AttributeValue> => ({ pk: { S: pk }, sk: { S: sk } });
const put = (pk: string, sk = 'A', extra: Record<string, AttributeValue> = {}) => new PutItemCommand({ TableName: TABLE, Item: { ...key(pk, sk), ...extra } });
const txPut = (pk: string, sk = 'A', v = 'x'): TransactWriteItem => ({ Put: { TableName: TABLE, Item: { ...key(pk, sk), v: { S: v } } } });
const txUpdate = (pk: string, v: string): TransactWriteItem => ({
  Update: { TableName: TABLE, Key: key(pk), UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { S: v } } },
});

async function until(cond: () => boolean) {
  for (let i = 0; i < 2_000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error('condition never held');
}

async function failure(p: Promise<unknown>): Promise<Record<string, unknown> & { name: string; message: string; $metadata: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as never;
  }
  throw new Error('expected the request to fail');
}

afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});
afterAll(async () => {
  for (const f of fronts.splice(0)) await f.stop();
});

describe('transaction conflicts', () => {
  it('cancels a transaction touching an item another transaction holds, at that index, and writes nothing of it', async () => {
    const { f, db } = await front({ holdMs: 1_500, throttling: false });
    const [x, y, z] = [uid('fx'), uid('fy'), uid('fz')];
    const first = db.send(new TransactWriteItemsCommand({ TransactItems: [txPut(x, 'A', 'first'), txPut(y)] }));
    await until(() => f.stats().inFlight.heldItems === 2);

    const err = await failure(db.send(new TransactWriteItemsCommand({ TransactItems: [txPut(z), txUpdate(x, 'second')] })));
    expect(err.name).toBe('TransactionCanceledException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.CancellationReasons).toEqual([{ Code: 'None' }, { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }]);
    expect(err.message).toBe('Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]');

    // A single write and a transactional read of a held item are refused too.
    const single = await failure(db.send(put(y)));
    expect(single.name).toBe('TransactionConflictException');
    expect(single.message).toBe('Transaction is ongoing for the item');
    const read = await failure(db.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: TABLE, Key: key(y) } }] })));
    expect(read.name).toBe('TransactionCanceledException');
    expect(read.CancellationReasons).toEqual([{ Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }]);

    await first;
    const raw = direct();
    expect((await raw.send(new GetItemCommand({ TableName: TABLE, Key: key(x), ConsistentRead: true }))).Item?.v).toEqual({ S: 'first' });
    expect((await raw.send(new GetItemCommand({ TableName: TABLE, Key: key(z), ConsistentRead: true }))).Item).toBeUndefined();
    // Released once the first transaction ended.
    await db.send(new TransactWriteItemsCommand({ TransactItems: [txUpdate(x, 'third')] }));

    const s = f.stats();
    expect(s.conflicts).toMatchObject({ cancelledTransactions: 1, singleWriteConflicts: 1, cancelledTransactGets: 1 });
    expect(s.requests).toMatchObject({ TransactWriteItems: 3, PutItem: 1, TransactGetItems: 1 });
  });

  it('lets transactions on different items run at once', async () => {
    const { f, db } = await front({ holdMs: 300, throttling: false });
    const items = [uid('fa'), uid('fb'), uid('fc')];
    await Promise.all(items.map((pk) => db.send(new TransactWriteItemsCommand({ TransactItems: [txPut(pk), txPut(pk, 'B')] }))));
    expect(f.stats().conflicts.cancelledTransactions).toBe(0);
  });

  it('returns the held items of a BatchWriteItem as UnprocessedItems and writes the others', async () => {
    const { f, db } = await front({ holdMs: 1_500, throttling: false });
    const [held, free] = [uid('fh'), uid('ff')];
    const tx = db.send(new TransactWriteItemsCommand({ TransactItems: [txPut(held)] }));
    await until(() => f.stats().inFlight.heldItems === 1);
    const out = await db.send(
      new BatchWriteItemCommand({
        RequestItems: { [TABLE]: [{ PutRequest: { Item: key(free) } }, { PutRequest: { Item: { ...key(held), v: { S: 'batch' } } } }] },
      }),
    );
    expect(out.UnprocessedItems?.[TABLE]).toEqual([{ PutRequest: { Item: { ...key(held), v: { S: 'batch' } } } }]);
    await tx;
    expect((await direct().send(new GetItemCommand({ TableName: TABLE, Key: key(free), ConsistentRead: true }))).Item).toBeDefined();
    expect(f.stats().conflicts.batchItemsUnprocessed).toBe(1);
  });
});

describe('partition throughput', () => {
  // 1,000 WCU/s ÷ 100,000: a partition refills one unit in 100 s, so its second write in a test never fits.
  const scale = 100_000;

  it('throttles a hot partition key with ThrottlingException (on-demand) while other keys pass', async () => {
    const { f, db } = await front({ scale, conflicts: false });
    const hot = uid('hot');
    await db.send(put(hot, 'A'));
    const err = await failure(db.send(put(hot, 'B')));
    expect(err.name).toBe('ThrottlingException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toMatch(/^Throughput exceeds the current capacity of your table or index\./);
    expect(err.throttlingReasons).toEqual([
      { reason: 'TableWriteKeyRangeThroughputExceeded', resource: expect.stringMatching(new RegExp(`:table/${TABLE}$`)) },
    ]);
    for (let i = 0; i < 5; i++) await db.send(put(uid('cold')));

    const tx = await failure(db.send(new TransactWriteItemsCommand({ TransactItems: [txPut(uid('cold')), txPut(hot, 'C')] })));
    expect(tx.name).toBe('TransactionCanceledException');
    expect((tx.CancellationReasons as { Code: string }[]).map((r) => r.Code)).toEqual(['None', 'ThrottlingError']);

    await db.send(new GetItemCommand({ TableName: TABLE, Key: key(hot), ConsistentRead: true }));
    const read = await failure(db.send(new GetItemCommand({ TableName: TABLE, Key: key(hot), ConsistentRead: true })));
    expect(read.name).toBe('ThrottlingException');
    expect(read.throttlingReasons).toEqual([expect.objectContaining({ reason: 'TableReadKeyRangeThroughputExceeded' })]);

    const s = f.stats();
    expect(s.throttles).toMatchObject({ requests: 2, transactions: 1 });
    expect(s.throttles.byReason).toMatchObject({ TableWriteKeyRangeThroughputExceeded: 2, TableReadKeyRangeThroughputExceeded: 1 });
    expect(s.hotPartitions.wcu).toContainEqual({ partition: `${TABLE} pk=${hot}`, units: 1 });
    expect(s.hotPartitions.rcu[0]?.partition).toBe(`${TABLE} pk=${hot}`);
    // The same counters over HTTP, then reset.
    const http = (await (await fetch(`${f.endpoint}/_front/stats`)).json()) as typeof s;
    expect(http.throttles.requests).toBe(2);
    f.resetStats();
    expect(f.stats().throttles.requests).toBe(0);
  });

  it('throttles writes of different items that land on one hot GSI partition', async () => {
    const { db } = await front({ scale, conflicts: false });
    const gsi = { gsi1pk: { S: uid('HOTGSI') }, gsi1sk: { S: 'x' } };
    await db.send(put(uid('g'), 'A', gsi));
    const err = await failure(db.send(put(uid('g'), 'A', gsi)));
    expect(err.name).toBe('ThrottlingException');
    expect(err.message).toMatch(/^Throughput exceeds the current capacity for one or more global secondary indexes\./);
    expect(err.throttlingReasons).toEqual([{ reason: 'IndexWriteKeyRangeThroughputExceeded', resource: expect.stringMatching(/\/index\/gsi1$/) }]);
    // Without the index keys, the same rate on fresh partitions passes.
    await db.send(put(uid('g')));
    await db.send(put(uid('g')));
  });
});

describe('the rest', () => {
  it('passes other calls through unchanged', async () => {
    const { db } = await front({ throttling: false });
    const via = await db.send(new DescribeTableCommand({ TableName: TABLE }));
    const raw = await direct().send(new DescribeTableCommand({ TableName: TABLE }));
    expect(via.Table?.KeySchema).toEqual(raw.Table?.KeySchema);
    const pk = uid('q');
    await db.send(put(pk));
    const q = await db.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: pk } } }));
    expect(q.Items).toEqual([key(pk)]);
  });

  it('refuses every write with InternalServerError while refuseWrites lasts, and not reads', async () => {
    const { f, db } = await front({});
    const pk = uid('out');
    await db.send(put(pk));
    f.refuseWrites(60_000);
    const err = await failure(db.send(put(pk, 'B')));
    expect(err.name).toBe('InternalServerError');
    expect(err.$metadata.httpStatusCode).toBe(500);
    expect((await failure(db.send(new TransactWriteItemsCommand({ TransactItems: [txPut(uid('out'))] })))).name).toBe('InternalServerError');
    expect((await db.send(new GetItemCommand({ TableName: TABLE, Key: key(pk) }))).Item).toBeDefined();
    f.refuseWrites(0);
    await db.send(put(uid('out')));
    expect(f.stats().refusedWrites).toBe(2);
  });
});
