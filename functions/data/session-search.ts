/**
 * Session search: every SessionSearchRequest field, without a Scan, in four steps — candidates of one narrowing
 * key within a read budget (else SEARCH_TOO_BROAD), filters (session-search-filters.ts), order, keyset page.
 * How and why: docs/api.md#session-search, docs/data-model.md#session-search-summaries.
 */
import type { GsiName } from './table-definition';
import * as ACCESS from './access-patterns';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { encodeTime } from 'ulid';
import type { SessionSearchSortField } from 'pika-shared/types/chatbot/chatbot-types';
import { config } from '../platform/config';
import { decodeCursor, encodeCursor } from '../platform/cursor';
import { searchTooBroad } from '../platform/errors';
import { batchGet } from './batch';
import { ddb, tableName } from './client';
import { invalidCursor } from './errors';
import { type RawItem, SESSION, type SessionItem } from './items';
import { FEEDBACK, FEEDBACK_STATUSES } from './feedback';
import {
  allSessionShards,
  allShards,
  FEEDBACK_PREFIX,
  appSessionsByCreatedPartition,
  appSessionsByUpdatedPartition,
  feedbackStatusPartition,
  keys,
  userAppSessionsPartition,
  userSessionsPartition,
} from './keys';
import { hydrateItems, normalizeLimit, queryString, type Page, type QuerySource } from './pagination';
import { INSIGHTS_SUMMARY_ATTRIBUTE } from './search-summaries';
import { matches, type SessionSearchPlan } from './session-search-filters';
import type { Session } from './sessions';

/** Session items one search may read before it is refused as too broad (SEARCH_READ_BUDGET, default 1000). */
export const searchReadBudget = (): number => config().SEARCH_READ_BUDGET;

export { matches, type FeedbackFilter, type SessionSearchPlan } from './session-search-filters';

export interface SessionSearchPage extends Page<Session> {
  /** Sessions matching the whole request (all pages). */
  total: number;
}

// ---------------------------------------------------------------------------------------------------------
// 1. candidates

/** Sort keys are `date#sessionId`: '#\uffff' after the upper date makes that instant inclusive. */
function indexSource(index: GsiName, partition: string, range?: { from: string; to?: string }): QuerySource {
  const rangeExpr = range ? (range.to ? ' AND #sk BETWEEN :from AND :to' : ' AND #sk >= :from') : '';
  return {
    IndexName: index,
    KeyConditionExpression: `#pk = :pk${rangeExpr}`,
    ExpressionAttributeNames: { '#pk': `${index}pk`, ...(range ? { '#sk': `${index}sk` } : {}) },
    ExpressionAttributeValues: { ':pk': partition, ...(range ? { ':from': range.from, ...(range.to ? { ':to': `${range.to}#\uffff` } : {}) } : {}) },
  };
}

/** The Queries whose union holds every session the plan can match (sessionId is a GetItem instead). */
export function candidateSources(plan: SessionSearchPlan): QuerySource[] {
  const d = plan.date;
  if (plan.userId) {
    const [index, partition] = plan.chatAppId
      ? ([ACCESS.userAppSessions, userAppSessionsPartition(plan.userId, plan.chatAppId)] as const)
      : ([ACCESS.userSessions, userSessionsPartition(plan.userId)] as const);
    // Ordered by lastUpdate: an `updated` range is the key range; a `created` range still bounds it below
    // (a session's lastUpdate is never before its createDate).
    const range = d?.on === 'updated' ? d : d?.on === 'created' ? { from: d.from } : undefined;
    return [indexSource(index, partition, range)];
  }
  if (plan.chatAppId) {
    const byUpdated = d?.on === 'updated';
    const range = d && d.on !== 'feedback' ? d : undefined;
    return allSessionShards().map((shard) =>
      byUpdated
        ? indexSource(ACCESS.appSessionsByUpdated, appSessionsByUpdatedPartition(plan.chatAppId!, shard), range)
        : indexSource(ACCESS.appSessionsByCreated, appSessionsByCreatedPartition(plan.chatAppId!, shard), range),
    );
  }
  return [];
}

const HOW_TO_NARROW =
  'give a chatAppId or userId (content admins), a sessionId, a dateFilter of type created or updated (a shorter one if you gave one), or, without those, feedbackInStatus or a feedback dateFilter (a shorter one)';

function tooBroad(budget: number) {
  return searchTooBroad(`This search would read more than ${budget} sessions: ${HOW_TO_NARROW}`, {
    budget,
    narrowWith: ['sessionId', 'userId', 'chatAppId', 'dateFilter', 'feedbackInStatus'],
  });
}

/** The items one search has read so far, against its budget (candidates, then feedback items checked). */
interface ReadBudget {
  budget: number;
  read: number;
}

function spend(b: ReadBudget, n: number): void {
  b.read += n;
  if (b.read > b.budget) throw tooBroad(b.budget);
}

/** Every item of the sources, or SEARCH_TOO_BROAD as soon as more than the budget were read. */
async function readAll(sources: QuerySource[], b: ReadBudget): Promise<RawItem[]> {
  const items: RawItem[] = [];
  for (const source of sources) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await ddb().send(
        new QueryCommand({ ...source, TableName: tableName(), Limit: b.budget + 1 - b.read, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
      );
      spend(b, out.ScannedCount ?? out.Items?.length ?? 0);
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }
  return items;
}

/**
 * Without a session, user or chat app, feedback narrows: the feedback-by-status index (gsi1
 * `FB#status#shard / createDate#feedbackId`, the statuses asked for or all 4, × 4 shards, a feedback date
 * range as key range) gives the sessions' ids, then BatchGetItem their items. Both reads are budgeted.
 */
export function feedbackSources(plan: SessionSearchPlan): QuerySource[] | undefined {
  if (plan.sessionId || plan.userId || plan.chatAppId) return undefined;
  const range = plan.date?.on === 'feedback' ? plan.date : undefined;
  if (!plan.feedback?.status && !range) return undefined;
  return (plan.feedback?.status ?? FEEDBACK_STATUSES).flatMap((status) =>
    allShards().map((shard) => ({ ...indexSource(ACCESS.feedbackByStatus, feedbackStatusPartition(status, shard), range), ProjectionExpression: 'sessionId' })),
  );
}

/** Sort fields every index carries (table-definition.ts SESSION_INDEX_ATTRIBUTES; the goal score is in the insights summary). */
const INDEXED_SORT_FIELDS: ReadonlySet<SessionSearchSortField> = new Set(['createDate', 'lastUpdate', 'sessionId', 'insightGoalAchievementScore']);

/** The candidates, whole items or index entries (which carry every attribute filters and order read). */
async function readCandidates(plan: SessionSearchPlan, budget: ReadBudget): Promise<{ items: RawItem[]; fromIndex: boolean }> {
  if (plan.sessionId) {
    const out = await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.session(plan.sessionId), ConsistentRead: true }));
    return { items: out.Item ? [out.Item] : [], fromIndex: false };
  }
  const byFeedback = feedbackSources(plan);
  if (byFeedback) {
    const ids = [...new Set((await readAll(byFeedback, budget)).map((f) => FEEDBACK.item(f).sessionId))];
    return { items: await batchGet(ids.map((id) => keys.session(id))), fromIndex: false };
  }
  const sources = candidateSources(plan);
  if (sources.length === 0) throw tooBroad(budget.budget);
  return { items: await readAll(sources, budget), fromIndex: true };
}

// ---------------------------------------------------------------------------------------------------------
// 2. filters: matches (session-search-filters.ts) on the summaries; what they cannot decide, on the feedback items

/**
 * Whether ONE of the session's feedback items matches every feedback filter and the feedback date range: a
 * Query of its partition's FEEDBACK# range with those as a FilterExpression, from the range's start (a
 * feedbackId is a ULID whose time is never before its createDate, so earlier ids cannot match), stopping at the
 * first match. Every item read counts against the search's budget.
 */
async function feedbackItemsMatch(sessionId: string, plan: SessionSearchPlan, b: ReadBudget): Promise<boolean> {
  const f = plan.feedback ?? {};
  const d = plan.date?.on === 'feedback' ? plan.date : undefined;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ':pk': keys.sessionPartition(sessionId),
    ':lo': d ? `${FEEDBACK_PREFIX}${encodeTime(Date.parse(d.from), 10)}` : FEEDBACK_PREFIX,
    ':hi': `${FEEDBACK_PREFIX}\uffff`,
  };
  const filters: string[] = [];
  const oneOf = (attribute: string, list: readonly string[] | undefined) => {
    if (!list?.length) return;
    names[`#${attribute}`] = attribute;
    const placeholders = list.map((v, i) => {
      values[`:${attribute}${i}`] = v;
      return `:${attribute}${i}`;
    });
    filters.push(`#${attribute} IN (${placeholders.join(', ')})`);
  };
  const equals = (attribute: string, v: unknown) => {
    if (v === undefined) return;
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = v;
    filters.push(`#${attribute} = :${attribute}`);
  };
  oneOf('status', f.status);
  oneOf('severity', f.severity);
  oneOf('type', f.type);
  equals('reportedByHuman', f.reportedByHuman);
  equals('createdByCustomer', f.createdByCustomer);
  equals('userId', f.userId);
  if (d) {
    names['#createDate'] = 'createDate';
    values[':from'] = d.from;
    filters.push(d.to ? '#createDate BETWEEN :from AND :to' : '#createDate >= :from');
    if (d.to) values[':to'] = d.to;
  }
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await ddb().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
        ...(filters.length ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
        ProjectionExpression: 'sk',
        Limit: Math.min(100, b.budget + 1 - b.read),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    spend(b, out.ScannedCount ?? 0);
    if (out.Items?.length) return true;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return false;
}

// ---------------------------------------------------------------------------------------------------------
// 3. order

type SortValue = string | number | null;

function sortValueOf(item: SessionItem, field: SessionSearchSortField): SortValue {
  const v = field === 'insightGoalAchievementScore' ? item[INSIGHTS_SUMMARY_ATTRIBUTE]?.goalScore : item[field];
  return typeof v === 'string' || typeof v === 'number' ? v : null;
}

/** The full sort tuple of an item: one value per sort field, then the sessionId. */
const tupleOf = (item: SessionItem, sortBy: SessionSearchPlan['sortBy']): SortValue[] => [...sortBy.map((s) => sortValueOf(item, s.field)), item.sessionId];

/** Missing values last in either order; the final sessionId goes the first field's way. */
function compareTuples(a: SortValue[], b: SortValue[], sortBy: SessionSearchPlan['sortBy']): number {
  const orders = [...sortBy.map((s) => s.order), sortBy[0]?.order ?? 'asc'];
  for (let i = 0; i < orders.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    const c = x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return orders[i] === 'asc' ? c : -c;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------------------
// 4. page

function validTuple(v: unknown, length: number): v is SortValue[] {
  return (
    Array.isArray(v) && v.length === length && v.every((x) => x === null || typeof x === 'string' || typeof x === 'number') && typeof v[length - 1] === 'string'
  );
}

export function searchQueryString(plan: SessionSearchPlan): string {
  return queryString('sessionSearch', {
    sessionId: plan.sessionId,
    userId: plan.userId,
    chatAppId: plan.chatAppId,
    date: plan.date,
    flagged: plan.flagged,
    titlePartial: plan.titlePartial,
    customData: plan.customData,
    insights: plan.insights,
    feedback: plan.feedback,
    sortBy: plan.sortBy,
  });
}

export async function searchSessions(plan: SessionSearchPlan): Promise<SessionSearchPage> {
  const limit = normalizeLimit(plan.limit);
  const binding = { caller: plan.caller, query: searchQueryString(plan) };
  let after: SortValue[] | undefined;
  if (plan.cursor !== undefined) {
    const decoded = decodeCursor<unknown>(plan.cursor, binding);
    if (!validTuple(decoded, plan.sortBy.length + 1)) throw invalidCursor('The cursor is invalid, expired or belongs to another query');
    after = decoded;
  }
  const budget: ReadBudget = { budget: plan.budget ?? searchReadBudget(), read: 0 };
  const candidates = await readCandidates(plan, budget);
  // Usage counters change on every turn, so no index carries them: a sort on one reads the candidates whole.
  if (candidates.fromIndex && plan.sortBy.some((s) => !INDEXED_SORT_FIELDS.has(s.field))) {
    candidates.items = await hydrateItems(candidates.items);
    candidates.fromIndex = false;
  }
  const verdicts = candidates.items.map((item) => matches(SESSION.item(item), plan));
  // Sessions the feedback summary could not decide: their feedback items, one after the other (budgeted).
  for (const [i, verdict] of verdicts.entries()) {
    if (verdict === 'verify') verdicts[i] = await feedbackItemsMatch(SESSION.item(candidates.items[i]!).sessionId, plan, budget);
  }
  const matched = candidates.items
    .filter((_, i) => verdicts[i] === true)
    .map((item) => ({ item, tuple: tupleOf(SESSION.item(item), plan.sortBy) }))
    .sort((a, b) => compareTuples(a.tuple, b.tuple, plan.sortBy));
  const rest = after ? matched.filter((m) => compareTuples(m.tuple, after!, plan.sortBy) > 0) : matched;
  const page = rest.slice(0, limit);
  const more = rest.length > limit;
  // Index entries lack what a turn changes (usage, turn bookkeeping): the page is read whole.
  const items = candidates.fromIndex ? await hydrateItems(page.map((m) => m.item)) : page.map((m) => m.item);
  return {
    items: items.map(SESSION.record),
    total: matched.length,
    ...(more ? { nextCursor: encodeCursor(page[page.length - 1]!.tuple, binding) } : {}),
  };
}
