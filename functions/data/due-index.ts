/**
 * Sparse "due" entries in gsi1, sharded by session (insights status `INSDUE#shard`, retention `RETDUE#shard`),
 * sorted by `<due ISO time>#<sessionId>`: what a sweep reads.
 */
import * as ACCESS from './access-patterns';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, tableName } from './client';
import { allShards } from './keys';

/** The entries due by `nowIso`: one Query page (`Limit`) per shard, oldest due first. Eventually consistent (a GSI). */
export async function dueEntries(partitionOf: (shard: number) => string, nowIso: string, limitPerShard: number): Promise<Record<string, unknown>[]> {
  const pages = await Promise.all(
    allShards().map((shard) =>
      ddb().send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: ACCESS.dueEntries,
          KeyConditionExpression: 'gsi1pk = :p AND gsi1sk < :bound',
          // '$' sorts after '#': every entry due at or before now.
          ExpressionAttributeValues: { ':p': partitionOf(shard), ':bound': `${nowIso}$` },
          Limit: limitPerShard,
        }),
      ),
    ),
  );
  return pages.flatMap((p) => p.Items ?? []);
}
