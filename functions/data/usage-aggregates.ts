/**
 * Usage per UTC day and month, for a user in a chat app and for the chat app, its entities and agents. A turn
 * writes only its user's items and a debit record; the shared totals are added from the debits by the usage
 * stream consumer (`applyDebits`), so no request's transaction touches a shared item (docs/data-model.md#usage-and-budgets).
 */
import { type GsiName, TTL_ATTRIBUTE } from './table-definition';
import { queryAllPages } from './pagination';
import { roundUsd } from '../platform/money';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetEach } from './batch';
import { ddb, tableName } from './client';
import { updateExpression } from './expressions';
import type { RawItem } from './items';
import { keys, type UsageDimension } from './keys';
import { cancellationReasons, RETRY, withRetry } from './retry';
import { DAY_SECONDS, USAGE_DAY_TTL_DAYS } from './ttl';
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

/** What a turn set aside on the user's items before it ran (budgets: `reserveUsageWrites`). */
export interface Reservation {
  tokens: number;
  usd: number;
}

/** One item of a TransactWriteCommand (lib-dynamodb). */
export type TransactItem = TransactItems[number];

export const dayOf = (at: string | number): string => new Date(at).toISOString().slice(0, 10);
export const monthOf = (at: string | number): string => new Date(at).toISOString().slice(0, 7);
export const dayBucket = (day: string) => `D#${day}`;

/** A day-level usage item's `expiresAt`: USAGE_DAY_TTL_DAYS after its day ends (fixed per day: every write sets the same). */
export const usageDayExpiresAt = (day: string): number => Date.parse(`${day}T00:00:00.000Z`) / 1000 + (USAGE_DAY_TTL_DAYS + 1) * DAY_SECONDS;

/** What a usage item of `bucket` carries for its expiry: day items expire, month items stay. */
const bucketTtl = (bucket: string): { [TTL_ATTRIBUTE]?: number } => (bucket.startsWith('D#') ? { [TTL_ATTRIBUTE]: usageDayExpiresAt(bucket.slice(2)) } : {});
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

/**
 * On a user's day/month item, what is spent plus what running turns set aside (`committedTokens`,
 * `committedUsd`): DynamoDB conditions cannot add, so the sum a budget is checked against is kept whole.
 */
export const COMMITTED = { tokens: 'committedTokens', usd: 'committedUsd' } as const;

const userBuckets = (d: { userId: string; chatAppId: string; at: string | number }) => {
  const day = dayOf(d.at);
  const month = monthOf(d.at);
  return [
    { key: keys.usageUserDay(d.userId, d.chatAppId, day), bucket: dayBucket(day), index: bucketTtl(dayBucket(day)) },
    { key: keys.usageUserMonth(d.userId, month, d.chatAppId), bucket: monthBucket(month), index: keys.usageUserMonthIndex(d.userId, month, d.chatAppId) },
  ];
};

const describeUser = (d: { userId: string; chatAppId: string }, bucket: string) => ({
  chatAppId: d.chatAppId,
  bucket,
  kind: 'user',
  id: d.userId,
  ...keys.usageUserRankIndex(d.userId, d.chatAppId, bucket),
});

/**
 * A spend as transaction items of the user's and the session's own: the user's day and month items (their
 * budget, settled: what `release` had set aside is given back) and the debit record the stream consumer adds
 * to the shared totals. `debitId` is unique per spend (an answer's message id).
 */
export function usageWrites(d: UsageDebit, where: { sessionId: string; debitId: string; release?: Reservation }): TransactItem[] {
  const tokens = d.usage.inputTokens + d.usage.outputTokens;
  const release = where.release ?? { tokens: 0, usd: 0 };
  const user: TransactItem[] = userBuckets(d).map(({ key, bucket, index }) => ({
    Update: {
      TableName: tableName(),
      Key: key,
      ...updateExpression({
        set: { ...describeUser(d, bucket), ...index },
        add: {
          inputTokens: d.usage.inputTokens,
          outputTokens: d.usage.outputTokens,
          totalCost: d.usage.totalCost,
          turns: d.turns ?? 0,
          [COMMITTED.tokens]: tokens - release.tokens,
          [COMMITTED.usd]: roundUsd(d.usage.totalCost - release.usd),
        },
      }),
    },
  }));
  return [...user, { Put: { TableName: tableName(), Item: debitItem(d, where.sessionId, where.debitId) } }];
}

/** How long a debit record stays: past the stream's 24 h retention and the consumer's retries. */
const DEBIT_TTL_SECONDS = 3 * 86_400;

function debitItem(d: UsageDebit, sessionId: string, debitId: string): RawItem {
  return {
    ...keys.usageDebit(sessionId, debitId),
    debitId,
    chatAppId: d.chatAppId,
    userId: d.userId,
    entityId: d.entityId,
    agentId: d.agentId,
    at: new Date(d.at).toISOString(),
    inputTokens: d.usage.inputTokens,
    outputTokens: d.usage.outputTokens,
    totalCost: d.usage.totalCost,
    turns: d.turns ?? 0,
    [TTL_ATTRIBUTE]: Math.floor(Date.now() / 1000) + DEBIT_TTL_SECONDS,
  };
}

/** A user's limits of one level, per period: the reservation's conditions. */
export interface UserLimits {
  daily?: { usd?: number; tokens?: number };
  monthly?: { usd?: number; tokens?: number };
}

/**
 * Sets `r` aside on the user's day and month items, each only while what is committed there is below the
 * user's limit of that period: the first of N racing turns that a budget allows passes, the others' conditions
 * fail (budgets.ts turns that into 429). The answer's `usageWrites` gives `r` back.
 */
export function reserveUsageWrites(u: { userId: string; chatAppId: string; at: string | number }, r: Reservation, limits: UserLimits): TransactItem[] {
  return userBuckets(u).map(({ key, bucket, index }, i) => {
    const limit = i === 0 ? limits.daily : limits.monthly;
    const conditions: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    for (const unit of ['tokens', 'usd'] as const) {
      const max = limit?.[unit];
      if (max === undefined) continue;
      names[`#c_${unit}`] = COMMITTED[unit];
      values[`:max_${unit}`] = max;
      conditions.push(`(attribute_not_exists(#c_${unit}) OR #c_${unit} < :max_${unit})`);
    }
    return {
      Update: {
        TableName: tableName(),
        Key: key,
        ...updateExpression(
          { set: { ...describeUser(u, bucket), ...index }, add: { [COMMITTED.tokens]: r.tokens, [COMMITTED.usd]: r.usd } },
          { names, values },
        ),
        ...(conditions.length ? { ConditionExpression: conditions.join(' AND '), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
      },
    };
  });
}

/** A debit record as the stream consumer reads it. */
export interface DebitRecord extends UsageDebit {
  debitId: string;
}

export function debitOf(item: RawItem): DebitRecord | undefined {
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  if (typeof item.debitId !== 'string' || typeof item.chatAppId !== 'string' || typeof item.userId !== 'string' || typeof item.agentId !== 'string')
    return undefined;
  return {
    debitId: item.debitId,
    chatAppId: item.chatAppId,
    userId: item.userId,
    ...(typeof item.entityId === 'string' ? { entityId: item.entityId } : {}),
    agentId: item.agentId,
    at: typeof item.at === 'string' ? item.at : Date.now(),
    usage: { inputTokens: n(item.inputTokens), outputTokens: n(item.outputTokens), totalCost: n(item.totalCost) },
    turns: n(item.turns),
  };
}

const SHARED_DIMENSIONS: ReadonlyArray<{ dimension: UsageDimension; kind: 'entity' | 'agent'; id: (d: UsageDebit) => string | undefined }> = [
  { dimension: 'E', kind: 'entity', id: (d) => d.entityId },
  { dimension: 'G', kind: 'agent', id: (d) => d.agentId },
];

/** The shared items a debit adds to: the chat app's day and month, its entity's and its agent's. */
export function sharedTargets(d: UsageDebit): Array<{ key: { pk: string; sk: string }; set: Record<string, string | number> }> {
  const out: Array<{ key: { pk: string; sk: string }; set: Record<string, string | number> }> = [];
  for (const bucket of [dayBucket(dayOf(d.at)), monthBucket(monthOf(d.at))]) {
    out.push({ key: keys.usageChatApp(d.chatAppId, bucket), set: { chatAppId: d.chatAppId, bucket, kind: 'chatApp', ...bucketTtl(bucket) } });
    for (const dim of SHARED_DIMENSIONS) {
      const id = dim.id(d);
      if (id !== undefined)
        out.push({
          key: keys.usageDimension(d.chatAppId, bucket, dim.dimension, id),
          set: { chatAppId: d.chatAppId, bucket, kind: dim.kind, id, ...bucketTtl(bucket) },
        });
    }
  }
  return out;
}

/** Whether a debit changes anything (a turn counts even without tokens). */
export const isEmptyDebit = (d: UsageDebit) => !d.turns && d.usage.inputTokens === 0 && d.usage.outputTokens === 0 && d.usage.totalCost === 0;

/** Applied-markers and summed targets of one consumer transaction stay under DynamoDB's 100 items. */
const MAX_ITEMS_PER_APPLY = 100;
const APPLIED_TTL_SECONDS = DEBIT_TTL_SECONDS;

/**
 * The usage stream consumer's one write: adds debits to the shared totals exactly once. Debits are grouped
 * into transactions of an applied-marker per debit (conditional on its absence) and one ADD per shared item
 * with the group's sums; a marker that exists already (a redelivered record) drops its debit from the group.
 * Only consumers write these items, so their transactions conflict only with each other (retried here).
 */
export async function applyDebits(debits: readonly DebitRecord[]): Promise<{ applied: number; duplicates: number }> {
  const unique = [...new Map(debits.filter((d) => !isEmptyDebit(d)).map((d) => [d.debitId, d])).values()];
  const seen = await alreadyApplied(unique.map((d) => d.debitId));
  let pending = unique.filter((d) => !seen.has(d.debitId));
  let duplicates = unique.length - pending.length + (debits.length - unique.length);
  let applied = 0;
  while (pending.length) {
    const group = nextGroup(pending);
    pending = pending.slice(group.length);
    let members = group;
    await withRetry(async () => {
      if (!members.length) return true;
      try {
        await ddb().send(new TransactWriteCommand({ TransactItems: applyItems(members) }));
        applied += members.length;
        return true;
      } catch (err) {
        const reasons = cancellationReasons(err);
        const failed = new Set((reasons ?? []).flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' && i < members.length ? [i] : [])));
        if (!failed.size) throw err;
        duplicates += failed.size;
        members = members.filter((_, i) => !failed.has(i));
        return RETRY;
      }
    });
  }
  return { applied, duplicates };
}

/** The leading debits of `pending` whose markers and targets fit one transaction. */
function nextGroup(pending: readonly DebitRecord[]): DebitRecord[] {
  const targets = new Set<string>();
  const group: DebitRecord[] = [];
  for (const d of pending) {
    const added = sharedTargets(d)
      .map((t) => `${t.key.pk}|${t.key.sk}`)
      .filter((k) => !targets.has(k));
    if (group.length && group.length + 1 + targets.size + added.length > MAX_ITEMS_PER_APPLY) break;
    group.push(d);
    for (const k of added) targets.add(k);
  }
  return group;
}

function applyItems(group: readonly DebitRecord[]): TransactItem[] {
  const expiresAt = Math.floor(Date.now() / 1000) + APPLIED_TTL_SECONDS;
  const markers: TransactItem[] = group.map((d) => ({
    Put: {
      TableName: tableName(),
      Item: { ...keys.usageDebitApplied(d.debitId), [TTL_ATTRIBUTE]: expiresAt },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }));
  const sums = new Map<string, { key: { pk: string; sk: string }; set: Record<string, string | number>; totals: UsageTotals }>();
  for (const d of group) {
    for (const t of sharedTargets(d)) {
      const k = `${t.key.pk}|${t.key.sk}`;
      const prev = sums.get(k)?.totals ?? ZERO_TOTALS;
      sums.set(k, { ...t, totals: addTotals(prev, { ...d.usage, turns: d.turns ?? 0 }) });
    }
  }
  const targets: TransactItem[] = [...sums.values()].map(({ key, set, totals }) => ({
    Update: { TableName: tableName(), Key: key, ...updateExpression({ set, add: { ...totals } }) },
  }));
  return [...markers, ...targets];
}

/** The debits whose markers exist (a redelivered batch): skipped without a failing transaction. */
async function alreadyApplied(debitIds: readonly string[]): Promise<Set<string>> {
  const markers = await batchGetEach(
    debitIds.map((id) => keys.usageDebitApplied(id)),
    { consistent: true },
  );
  return new Set(debitIds.filter((_, i) => markers[i] !== undefined));
}

/** Every item of one partition in a sort-key range (all pages); the caller bounds the range. */
export async function queryAll(pk: string, range: { from: string; to: string } | { prefix: string }, maxItems: number, index?: GsiName): Promise<RawItem[]> {
  const [p, s] = index ? [`${index}pk`, `${index}sk`] : ['pk', 'sk'];
  return queryAllPages(
    {
      ...(index ? { IndexName: index } : {}),
      KeyConditionExpression: 'prefix' in range ? `${p} = :pk AND begins_with(${s}, :p)` : `${p} = :pk AND ${s} BETWEEN :from AND :to`,
      ExpressionAttributeValues: { ':pk': pk, ...('prefix' in range ? { ':p': range.prefix } : { ':from': range.from, ':to': range.to }) },
    },
    maxItems,
  );
}
