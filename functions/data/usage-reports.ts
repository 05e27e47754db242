/**
 * Usage reports, each read a Query on a key bounded by the date range (at most MAX_REPORT_DAYS days):
 * a user's days in a chat app; a chat app's days, or its users / entities / agents ranked by cost (the
 * chat app's bucket partitions: whole months through their month bucket, the range's partial months day
 * by day; at most MAX_REPORT_ROWS rows read, else 400 SEARCH_TOO_BROAD). Ranked and paged in memory with a
 * signed cursor (docs/data-model.md#usage-and-budgets).
 */
import * as ACCESS from './access-patterns';
import { decodeCursor, encodeCursor } from '../platform/cursor';
import { searchTooBroad, validationFailed } from '../platform/errors';
import type { RawItem } from './items';
import { batchGet } from './batch';
import {
  keys,
  USAGE_RANK_SHARDS,
  usageBucketPartition,
  usageChatAppPartition,
  usageUserDaysPartition,
  usageUserMonthsPartition,
  usageUserRankPartition,
  type UsageDimension,
} from './keys';
import { hydrateItems, normalizeLimit, queryString } from './pagination';
import { invalidCursor } from './errors';
import { addTotals, dayBucket, dayOf, monthBucket, queryAll, totalsOf, ZERO_TOTALS, type UsageTotals } from './usage-aggregates';

export const MAX_REPORT_DAYS = 400;
/** Rows (one per user, entity or agent and bucket) a ranked report may read. */
export const MAX_REPORT_ROWS = 20_000;
/** Chat apps listed in a user's budget overview (those they used this month). */
export const MAX_BUDGET_APPS = 50;
const QUERY_CONCURRENCY = 8;

const DAY_MS = 86_400_000;

export interface DateRange {
  from: string;
  to: string;
}

/** The range asked for, or by default from the first day of the current UTC month to today; ≤ 400 days. */
export function reportRange(from: string | undefined, to: string | undefined, nowMs = Date.now()): DateRange {
  const end = to ?? dayOf(nowMs);
  const start = from ?? `${end.slice(0, 7)}-01`;
  const startMs = Date.parse(`${start}T00:00:00Z`);
  const endMs = Date.parse(`${end}T00:00:00Z`);
  // A day like 2026-02-31 passes the pattern but is no date: Date.parse rolls it over, which we refuse.
  if (!Number.isFinite(startMs) || dayOf(startMs) !== start) throw validationFailed('from is not a valid day', [{ path: 'query.from', message: 'YYYY-MM-DD' }]);
  if (!Number.isFinite(endMs) || dayOf(endMs) !== end) throw validationFailed('to is not a valid day', [{ path: 'query.to', message: 'YYYY-MM-DD' }]);
  if (startMs > endMs) throw validationFailed('from is after to', [{ path: 'query.from', message: 'at most to' }]);
  const days = (endMs - startMs) / DAY_MS + 1;
  if (days > MAX_REPORT_DAYS) throw validationFailed(`At most ${MAX_REPORT_DAYS} days per report`, [{ path: 'query.from', message: `range of ${days} days` }]);
  return { from: start, to: end };
}

/** The buckets covering a range: whole months as month buckets, the rest as days. */
export function rangeBuckets(range: DateRange): string[] {
  const buckets: string[] = [];
  let ms = Date.parse(`${range.from}T00:00:00Z`);
  const endMs = Date.parse(`${range.to}T00:00:00Z`);
  while (ms <= endMs) {
    const d = new Date(ms);
    const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    const monthEnd = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0);
    if (ms === monthStart && monthEnd <= endMs) {
      buckets.push(monthBucket(dayOf(ms).slice(0, 7)));
      ms = monthEnd + DAY_MS;
    } else {
      buckets.push(dayBucket(dayOf(ms)));
      ms += DAY_MS;
    }
  }
  return buckets;
}

const rowTotals = (item: RawItem) => totalsOf(item);

/** A user's tokens and cost per day in one chat app (days without usage are absent): one Query of their partition. */
export async function userDailyUsage(
  userId: string,
  chatAppId: string,
  range: DateRange,
): Promise<{ totals: UsageTotals; items: Array<UsageTotals & { date: string }> }> {
  const rows = await queryAll(usageUserDaysPartition(userId, chatAppId), { from: dayBucket(range.from), to: dayBucket(range.to) }, MAX_REPORT_DAYS);
  const days = new Map<string, UsageTotals>(rows.map((r) => [String(r.sk).slice(2), rowTotals(r)]));
  // Days of before 0.2, kept in the chat app's bucket partitions: read for the range's days not found above.
  const legacy = await batchGet(rangeDays(range).map((day) => keys.legacyUsageUser(userId, chatAppId, dayBucket(day))));
  for (const r of legacy) {
    const day = String(r.bucket ?? String(r.pk).split('#').slice(-1)[0]).replace(/^D#/, '');
    days.set(day, addTotals(days.get(day) ?? ZERO_TOTALS, rowTotals(r)));
  }
  const items = [...days.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, t]) => ({ date, ...t }));
  return { totals: items.reduce<UsageTotals>((a, b) => addTotals(a, b), ZERO_TOTALS), items };
}

/** Every day of a range, oldest first. */
function rangeDays(range: DateRange): string[] {
  const days: string[] = [];
  for (let ms = Date.parse(`${range.from}T00:00:00Z`); ms <= Date.parse(`${range.to}T00:00:00Z`); ms += DAY_MS) days.push(dayOf(ms));
  return days;
}

/** The chat apps a user has usage in during a month (at most MAX_BUDGET_APPS). */
export async function userChatAppsOfMonth(userId: string, month: string): Promise<string[]> {
  const rows = await queryAll(usageUserMonthsPartition(userId), { prefix: `M#${month}#` }, MAX_BUDGET_APPS, ACCESS.usageMonthsOfUser);
  return rows.slice(0, MAX_BUDGET_APPS).map((r) => String(r.chatAppId));
}

/** A chat app's own days in a range. */
async function chatAppDays(chatAppId: string, range: DateRange): Promise<RawItem[]> {
  return queryAll(usageChatAppPartition(chatAppId), { from: dayBucket(range.from), to: dayBucket(range.to) }, MAX_REPORT_DAYS);
}

export type UsageGroupBy = 'day' | 'user' | 'entity' | 'agent';
const DIMENSION_OF: Record<Exclude<UsageGroupBy, 'day'>, UsageDimension> = { user: 'U', entity: 'E', agent: 'G' };

export interface ChatAppUsageReport {
  chatAppId: string;
  from: string;
  to: string;
  groupBy: UsageGroupBy;
  totals: UsageTotals;
  items: Array<UsageTotals & { key: string }>;
  nextCursor?: string;
}

/**
 * A chat app's usage in a range: per day (oldest first), or its users / entities / agents by cost (highest
 * first), a page at a time; totals are the chat app's own over the range.
 */
export async function chatAppUsage(input: {
  chatAppId: string;
  range: DateRange;
  groupBy: UsageGroupBy;
  limit?: number;
  cursor?: string;
  caller: string;
}): Promise<ChatAppUsageReport> {
  const { chatAppId, range, groupBy } = input;
  const binding = { caller: input.caller, query: queryString('usage', { chatAppId, from: range.from, to: range.to, groupBy }) };
  let offset = 0;
  if (input.cursor !== undefined) {
    const decoded = decodeCursor<unknown>(input.cursor, binding);
    if (typeof decoded !== 'number' || !Number.isInteger(decoded) || decoded < 0)
      throw invalidCursor('The cursor is invalid, expired or belongs to another query');
    offset = decoded;
  }
  const days = await chatAppDays(chatAppId, range);
  const totals = days.map(rowTotals).reduce<UsageTotals>((a, b) => addTotals(a, b), ZERO_TOTALS);
  let rows: Array<UsageTotals & { key: string }>;
  if (groupBy === 'day') {
    rows = days.map((r) => ({ key: String(r.sk).slice(2), ...rowTotals(r) }));
  } else {
    const grouped = await groupedRows(chatAppId, range, DIMENSION_OF[groupBy]);
    rows = [...grouped.entries()].map(([key, t]) => ({ key, ...t })).sort((a, b) => b.totalCost - a.totalCost || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  const limit = normalizeLimit(input.limit);
  const page = rows.slice(offset, offset + limit);
  const next = offset + limit < rows.length ? encodeCursor(offset + limit, binding) : undefined;
  return { chatAppId, from: range.from, to: range.to, groupBy, totals, items: page, ...(next ? { nextCursor: next } : {}) };
}

/** The rows of one dimension over the range's buckets, summed per id. */
async function groupedRows(chatAppId: string, range: DateRange, dimension: UsageDimension): Promise<Map<string, UsageTotals>> {
  const buckets = rangeBuckets(range);
  const sums = new Map<string, UsageTotals>();
  let read = 0;
  for (let i = 0; i < buckets.length; i += QUERY_CONCURRENCY) {
    const batch = await Promise.all(buckets.slice(i, i + QUERY_CONCURRENCY).map((b) => dimensionRows(chatAppId, b, dimension)));
    for (const rows of batch) {
      read += rows.length;
      if (read > MAX_REPORT_ROWS)
        throw searchTooBroad(`This report would read more than ${MAX_REPORT_ROWS} rows; narrow the date range`, { maxRows: MAX_REPORT_ROWS });
      for (const r of rows) {
        const id = String(r.id);
        sums.set(id, addTotals(sums.get(id) ?? ZERO_TOTALS, rowTotals(r)));
      }
    }
  }
  return sums;
}

/**
 * One bucket's rows of a dimension: entities and agents from the bucket partition (the usage stream writes
 * them); users from their own items through gsi3's shards, plus the rows of before 0.2 in the bucket partition.
 */
async function dimensionRows(chatAppId: string, bucket: string, dimension: UsageDimension): Promise<RawItem[]> {
  const inBucket = await queryAll(usageBucketPartition(chatAppId, bucket), { prefix: `${dimension}#` }, MAX_REPORT_ROWS);
  if (dimension !== 'U') return inBucket;
  const entries = (
    await Promise.all(
      Array.from({ length: USAGE_RANK_SHARDS }, (_, shard) =>
        queryAll(usageUserRankPartition(chatAppId, bucket, shard), { prefix: 'U#' }, MAX_REPORT_ROWS, ACCESS.usageRank),
      ),
    )
  ).flat();
  if (entries.length + inBucket.length > MAX_REPORT_ROWS) return [...inBucket, ...entries];
  return [...inBucket, ...(await hydrateItems(entries))];
}
