/**
 * A user's usage under erasure: their day and month items (`USAGE#U#u#A#a`) are moved to a pseudonym — one
 * transaction per item pair of ADD on the pseudonym's item and Delete of the user's — so the chat app's reports
 * (top users included: the pseudonym carries the rank index) still add up and nothing names the user. Found
 * through the user's month index (gsi2 `USAGE#U#u`) and their partitions: Query only.
 */
import * as ACCESS from './access-patterns';
import { DeleteCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, tableName } from './client';
import { updateExpression } from './expressions';
import { KEY_ATTRIBUTES, keys, usageUserDaysPartition, usageUserMonthsPartition } from './keys';
import type { RawItem } from './items';
import { conditionFailedAt } from './retry';
import { TTL_ATTRIBUTE } from './table-definition';

/** One page of the chat apps the user has usage in (their month items in gsi2). */
export async function usageChatAppsPage(userId: string, cursor?: Record<string, unknown>): Promise<{ chatApps: string[]; cursor?: Record<string, unknown> }> {
  const out = await ddb().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: ACCESS.usageMonthsOfUser,
      KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :m)',
      ExpressionAttributeValues: { ':pk': usageUserMonthsPartition(userId), ':m': 'M#' },
      Limit: 100,
      ...(cursor ? { ExclusiveStartKey: cursor } : {}),
    }),
  );
  const chatApps = [...new Set((out.Items ?? []).map((i) => String(i.chatAppId)).filter((a) => a && a !== 'undefined'))];
  return { chatApps, ...(out.LastEvaluatedKey ? { cursor: out.LastEvaluatedKey } : {}) };
}

/** The same item under the pseudonym: its numbers to ADD, its strings to SET (index keys recomputed). */
function pseudonymUpdate(item: RawItem, chatAppId: string, pseudonym: string) {
  const sk = String(item.sk);
  const add: Record<string, number> = {};
  const set: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if ((KEY_ATTRIBUTES as readonly string[]).includes(k) || k === TTL_ATTRIBUTE) continue;
    if (typeof v === 'number') add[k] = v;
    else set[k] = v;
  }
  set.id = pseudonym;
  if (item.gsi3pk !== undefined) Object.assign(set, keys.usageUserRankIndex(pseudonym, chatAppId, sk));
  if (item.gsi2pk !== undefined && sk.startsWith('M#')) Object.assign(set, keys.usageUserMonthIndex(pseudonym, sk.slice(2), chatAppId));
  return { Key: { pk: usageUserDaysPartition(pseudonym, chatAppId), sk }, ...updateExpression({ set, add }) };
}

/** Moves one page (≤ 25 items, one transaction each) of the user's usage in a chat app; `more` while some are left. */
export async function rekeyUsagePage(userId: string, chatAppId: string, pseudonym: string): Promise<{ moved: number; more: boolean }> {
  const pk = usageUserDaysPartition(userId, chatAppId);
  const out = await ddb().send(
    new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true, Limit: 25 }),
  );
  const items = out.Items ?? [];
  for (const item of items) {
    // A concurrent delivery of the same step moved it first: its transaction is cancelled, nothing counted twice.
    // Atomic: the pseudonym gets the item's amounts exactly once (the user's item goes in the same transaction).
    try {
      await ddb().send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: { TableName: tableName(), ...pseudonymUpdate(item, chatAppId, pseudonym) } },
            { Delete: { TableName: tableName(), Key: { pk: item.pk, sk: item.sk }, ConditionExpression: 'attribute_exists(pk)' } },
          ],
        }),
      );
    } catch (err) {
      if (!conditionFailedAt(err, 1)) throw err;
    }
  }
  return { moved: items.length, more: out.LastEvaluatedKey !== undefined };
}

/** The user's budget override in a chat app, if any (DeleteItem: absent is fine). */
export async function deleteUserBudgetOverride(chatAppId: string, userId: string): Promise<boolean> {
  const out = await ddb().send(new DeleteCommand({ TableName: tableName(), Key: keys.budgetOverride(chatAppId, 'user', userId), ReturnValues: 'ALL_OLD' }));
  return out.Attributes !== undefined;
}
