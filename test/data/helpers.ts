import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, tableName } from '../../functions/data/client';
import type { Page } from '../../functions/data/pagination';
import { createSession } from '../../functions/data/sessions';
import { uniqueId } from '../../scripts/local/ids';

/** Unique ids per test: tests share one table. */
export const uid = (prefix: string) => uniqueId(prefix);

/** Follows nextCursor to the end; fails if a page is empty while more is promised or if it never ends. */
export async function drain<T>(fetch: (cursor?: string) => Promise<Page<T>>, maxPages = 100): Promise<{ items: T[]; pages: T[][] }> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch(cursor);
    pages.push(page.items);
    cursor = page.nextCursor;
    if (pages.length > maxPages) throw new Error('pagination did not terminate');
  } while (cursor);
  return { items: pages.flat(), pages };
}

export const newSession = (overrides: { userId?: string; chatAppId?: string; agentId?: string; title?: string } = {}) =>
  createSession({
    userId: overrides.userId ?? uid('user'),
    chatAppId: overrides.chatAppId ?? uid('app'),
    agentId: overrides.agentId ?? 'agent-1',
    ...(overrides.title ? { title: overrides.title } : {}),
  });

/** Every raw item in a partition (consistent read), keys included. */
export async function rawPartition(pk: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await ddb().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Raw items of one GSI partition. */
export async function rawIndexPartition(index: 'gsi1' | 'gsi2' | 'gsi3' | 'gsi4', pk: string): Promise<Record<string, unknown>[]> {
  const out = await ddb().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: index,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': `${index}pk` },
      ExpressionAttributeValues: { ':pk': pk },
    }),
  );
  return (out.Items ?? []) as Record<string, unknown>[];
}
