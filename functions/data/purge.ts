/**
 * Deleting whole partitions a page at a time, for the background jobs (functions/lifecycle): a session with
 * everything in it, a user's own partition, their rate-limit counters. Each call reads one strongly
 * consistent page of keys (Query, never Scan) and deletes it (BatchWriteItem by 25): the partition itself is the
 * job's progress, so a call after a crash simply goes on with what is left.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchDelete } from './batch';
import { ddb, tableName } from './client';
import { FILE_PREFIX, keys, rateLimitPartition, userPartition } from './keys';
import { entity } from './items';

/** Keys read (and deleted) per page: 20 BatchWriteItems. */
export const PURGE_PAGE = 500;

export interface PurgedPage {
  /** Items deleted. */
  deleted: number;
  /** The S3 keys of the file records among them (deleted before the records: the caller deletes these objects first). */
  objects: string[];
  /** False once the partition holds nothing more (but what `keep` spares). */
  more: boolean;
}

/** What a purge reads of each item: its keys, and a file record's object. */
const PURGED = entity<{ s3Key?: string }>().projection('pk', 'sk', 's3Key');

/**
 * One page of `pk`: `beforeDelete` gets the page's file objects (S3 keys) before any item goes, so a failure
 * there leaves the records to retry with; items whose sort key `keep` accepts stay.
 */
export async function purgePartitionPage(
  pk: string,
  opts: { keep?: (sk: string) => boolean; beforeDelete?: (objects: string[]) => Promise<void>; limit?: number } = {},
): Promise<PurgedPage> {
  const out = await ddb().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ...PURGED,
      ConsistentRead: true,
      Limit: opts.limit ?? PURGE_PAGE,
    }),
  );
  const items = (out.Items ?? []).map(PURGED.read);
  const doomed = items.filter((i) => !opts.keep?.(i.sk));
  const objects = doomed.filter((i) => i.sk.startsWith(FILE_PREFIX) && typeof i.s3Key === 'string').map((i) => i.s3Key!);
  if (objects.length && opts.beforeDelete) await opts.beforeDelete(objects);
  await batchDelete(doomed.map(({ pk, sk }) => ({ pk, sk })));
  // The next call starts at the partition's beginning again: kept items are few (the user partition keeps
  // one, ERASURE), so a page of only those means the partition is done.
  return { deleted: doomed.length, objects, more: out.LastEvaluatedKey !== undefined && doomed.length > 0 };
}

/** A session's partition (META, messages, hidden messages, feedback, insights, status, files, debits, idempotency). */
export const sessionPartitionOf = (sessionId: string) => keys.sessionPartition(sessionId);
/** The idempotency records of the turns that started sessions (`SESSION#u.<userId>`). */
export const newSessionTurnsPartition = (userId: string) => keys.sessionPartition(`u.${userId}`);
export { rateLimitPartition, userPartition };
