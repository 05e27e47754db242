/**
 * Usage aggregates: tokens, cost and turns ADDed per UTC day and calendar month for a chat app, and inside
 * it per user, entity and agent (keys.ts `usage*`; docs/data-model.md#usage-and-budgets). One debit is 8
 * UpdateItems (6 without an entity) on distinct items, written in the transaction of the assistant message
 * (`usageAggregateWrites`, through appendMessage's `transactItems`) or alone (`debitUsage`: titles, and
 * what other features spend outside a turn). ADD is atomic: concurrent debits never lose one another.
 */
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, tableName } from './client';
import { updateExpression } from './expressions';
import type { RawItem } from './items';
import { keys, type UsageDimension } from './keys';
import { withRetry } from './retry';
import type { TransactItems } from './transact';

export interface UsageAmount {
  inputTokens: number;
  outputTokens: number;
  totalCost: number;
}

export interface UsageTotals extends UsageAmount {
  turns: number;
}

export interface UsageDebit {
  chatAppId: string;
  userId: string;
  /** The user's entity in this chat app (its access.entity attribute), if any. */
  entityId?: string;
  agentId: string;
  /** When the cost was incurred: picks the day and month buckets (UTC). */
  at: string | number;
  usage: UsageAmount;
  /** Turns this debit counts (1 for an answer, 0 for a title or other extra cost). */
  turns?: number;
}

/** One item of a TransactWriteCommand (lib-dynamodb). */
export type TransactItem = TransactItems[number];

export const dayOf = (at: string | number): string => new Date(at).toISOString().slice(0, 10);
export const monthOf = (at: string | number): string => new Date(at).toISOString().slice(0, 7);
export const dayBucket = (day: string) => `D#${day}`;
export const monthBucket = (month: string) => `M#${month}`;

export const ZERO_TOTALS: UsageTotals = { inputTokens: 0, outputTokens: 0, totalCost: 0, turns: 0 };

/** The counters of an aggregate item (absent item or attribute = 0). */
export function totalsOf(item: RawItem | undefined): UsageTotals {
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return { inputTokens: n(item?.inputTokens), outputTokens: n(item?.outputTokens), totalCost: n(item?.totalCost), turns: n(item?.turns) };
}

export function addTotals(a: UsageTotals, b: UsageTotals): UsageTotals {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalCost: roundUsd(a.totalCost + b.totalCost),
    turns: a.turns + b.turns,
  };
}

/** Sums of decimals read as JS numbers: back to micro-dollars (what costOf rounds to). */
export const roundUsd = (n: number) => Math.round(n * 1e6) / 1e6;

const DIMENSIONS: ReadonlyArray<{ dimension: UsageDimension; kind: 'user' | 'entity' | 'agent'; id: (d: UsageDebit) => string | undefined }> = [
  { dimension: 'U', kind: 'user', id: (d) => d.userId },
  { dimension: 'E', kind: 'entity', id: (d) => d.entityId },
  { dimension: 'G', kind: 'agent', id: (d) => d.agentId },
];

/** The aggregate items a debit updates, with the attributes reports read back. */
export function aggregateTargets(d: UsageDebit): Array<{ key: { pk: string; sk: string }; set: Record<string, string> }> {
  const day = dayOf(d.at);
  const month = monthOf(d.at);
  const out: Array<{ key: { pk: string; sk: string }; set: Record<string, string> }> = [];
  for (const bucket of [dayBucket(day), monthBucket(month)]) {
    out.push({ key: keys.usageChatApp(d.chatAppId, bucket), set: { chatAppId: d.chatAppId, bucket, kind: 'chatApp' } });
    for (const dim of DIMENSIONS) {
      const id = dim.id(d);
      if (id === undefined) continue;
      // The user's own items are also in gsi2 (keys.usageUserDayIndex / usageUserMonthIndex): their reports.
      const userIndex =
        dim.dimension !== 'U'
          ? {}
          : bucket === dayBucket(day)
            ? keys.usageUserDayIndex(d.userId, d.chatAppId, day)
            : keys.usageUserMonthIndex(d.userId, month, d.chatAppId);
      out.push({ key: keys.usageDimension(d.chatAppId, bucket, dim.dimension, id), set: { chatAppId: d.chatAppId, bucket, kind: dim.kind, id, ...userIndex } });
    }
  }
  return out;
}

/** A debit as transaction items (ADD counters; SET the descriptive attributes). */
export function usageAggregateWrites(d: UsageDebit): TransactItem[] {
  return aggregateTargets(d).map(({ key, set }) => ({
    Update: {
      TableName: tableName(),
      Key: key,
      ...updateExpression({
        set,
        add: { inputTokens: d.usage.inputTokens, outputTokens: d.usage.outputTokens, totalCost: d.usage.totalCost, turns: d.turns ?? 0 },
      }),
    },
  }));
}

/** Whether a debit changes anything (a turn counts even without tokens). */
export const isEmptyDebit = (d: UsageDebit) => !d.turns && d.usage.inputTokens === 0 && d.usage.outputTokens === 0 && d.usage.totalCost === 0;

/**
 * Debits usage outside a message transaction: one TransactWriteItems of the aggregate items (all or none),
 * retried on conflicts with concurrent debits of the same items. Titles use it; so can other features
 * (verification, retries, insights) that spend model tokens for a user of a chat app.
 */
export async function debitUsage(d: UsageDebit): Promise<void> {
  if (isEmptyDebit(d)) return;
  const TransactItems = usageAggregateWrites(d);
  await withRetry(async () => {
    await ddb().send(new TransactWriteCommand({ TransactItems }));
    return true;
  });
}

/** Every item of one partition in a sort-key range (all pages); the caller bounds the range. */
export async function queryAll(pk: string, range: { from: string; to: string } | { prefix: string }, maxItems: number, index?: 'gsi2'): Promise<RawItem[]> {
  const items: RawItem[] = [];
  let start: Record<string, unknown> | undefined;
  const [p, s] = index ? [`${index}pk`, `${index}sk`] : ['pk', 'sk'];
  do {
    const out = await ddb().send(
      new QueryCommand({
        TableName: tableName(),
        ...(index ? { IndexName: index } : {}),
        KeyConditionExpression: 'prefix' in range ? `${p} = :pk AND begins_with(${s}, :p)` : `${p} = :pk AND ${s} BETWEEN :from AND :to`,
        ExpressionAttributeValues: { ':pk': pk, ...('prefix' in range ? { ':p': range.prefix } : { ':from': range.from, ':to': range.to }) },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...((out.Items ?? []) as RawItem[]));
    if (items.length > maxItems) return items;
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
