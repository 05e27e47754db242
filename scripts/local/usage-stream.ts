/**
 * The usage stream locally: reads the table's DynamoDB Stream from DynamoDB Local (the real Streams API) and
 * hands its records to the consumer Lambda's handler (functions/handlers/usage-stream.ts) as Lambda's event
 * source would — INSERTs of debit records only (the event source's filter), in batches, a failed batch read
 * again from its first record. `npm start` polls it in the background; tests and the bench `drain()` it.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { DEBIT_PREFIX } from '../../functions/data/keys';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './dynamodb-local';

const BATCH_SIZE = 100;

export interface UsageStream {
  /** Reads and applies every record written so far; resolves when the stream has nothing more. */
  drain(): Promise<number>;
  stop(): Promise<void>;
  /** Milliseconds from each debit's `at` to its batch being applied, since the last reset (the bench's lag measure). */
  lagsMs(): readonly number[];
  resetLags(): void;
}

const MAX_LAGS = 100_000;

/** Whether a record is what the deployed event source's filter lets through (lib/constructs/chat-usage.ts). */
export function isDebitInsert(r: _Record): boolean {
  const sk = r.dynamodb?.NewImage?.sk;
  return r.eventName === 'INSERT' && sk !== undefined && 'S' in sk && typeof sk.S === 'string' && sk.S.startsWith(DEBIT_PREFIX);
}

export async function startUsageStream(opts: { endpoint: string; tableName: string; pollMs?: number }): Promise<UsageStream> {
  const cfg = { endpoint: opts.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const ddb = new DynamoDBClient(cfg);
  const streams = new DynamoDBStreamsClient(cfg);
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: opts.tableName }));
  ddb.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${opts.tableName} has no stream`);
  const { handler } = await import('../../functions/handlers/usage-stream');
  /** Per shard: the last sequence number handed over (records after it are next), or null when closed and done. */
  const positions = new Map<string, string | null>();
  let running: Promise<number> | undefined;
  let lags: number[] = [];

  async function iteratorOf(shardId: string): Promise<string | undefined> {
    const after = positions.get(shardId);
    const out = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return out.ShardIterator;
  }

  async function pass(): Promise<number> {
    let handed = 0;
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId!;
      if (positions.get(shardId) === null) continue;
      let iterator = await iteratorOf(shardId);
      while (iterator) {
        const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        const records = out.Records ?? [];
        for (let i = 0; i < records.length; i += BATCH_SIZE) {
          const batch = records.slice(i, i + BATCH_SIZE);
          const debits = batch.filter(isDebitInsert);
          if (debits.length) {
            const event: DynamoDBStreamEvent = { Records: debits as unknown as DynamoDBRecord[] };
            const result = await handler(event);
            if (result.batchItemFailures.length) throw new Error('usage stream batch failed; it is read again on the next pass');
            handed += debits.length;
            const now = Date.now();
            for (const d of debits) {
              const at = Date.parse(d.dynamodb?.NewImage?.at?.S ?? '');
              if (Number.isFinite(at) && lags.length < MAX_LAGS) lags.push(now - at);
            }
          }
          positions.set(shardId, batch.at(-1)!.dynamodb!.SequenceNumber!);
        }
        if (!out.NextShardIterator) {
          positions.set(shardId, null); // closed, and read to its end
          break;
        }
        if (!records.length) break;
        iterator = out.NextShardIterator;
      }
    }
    return handed;
  }

  const drain = async (): Promise<number> => {
    while (running) await running.catch(() => undefined);
    running = pass();
    try {
      return await running;
    } finally {
      running = undefined;
    }
  };

  let stopped = false;
  const timer = opts.pollMs
    ? setInterval(() => {
        if (!running && !stopped) drain().catch(() => undefined);
      }, opts.pollMs)
    : undefined;
  return {
    drain,
    lagsMs: () => lags,
    resetLags: () => {
      lags = [];
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
      streams.destroy();
    },
  };
}
