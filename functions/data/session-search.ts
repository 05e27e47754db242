/**
 * Session search over the indexes: a user's sessions (gsi1, or gsi2 with a chat app) ordered by last
 * activity, or a chat app's sessions (sharded gsi3 by creation / gsi4 by last activity). A date range on the
 * index's own order is a key condition; flagged, title and the other date are FilterExpressions, read in
 * bounded rounds (functions/data/pagination.ts), so a page may hold fewer items but the cursor goes on.
 */
import {
  allShards,
  appSessionsByCreatedPartition,
  appSessionsByUpdatedPartition,
  userAppSessionsPartition,
  userSessionsPartition,
} from './keys';
import { mergedQueryPage, queryPage, queryString, type Page, type PageRequest, type QuerySource } from './pagination';
import type { Session } from './sessions';

export interface SessionSearchPlan extends PageRequest {
  /** Exactly one scope: a user (optionally in one chat app) or a chat app. */
  userId?: string;
  chatAppId?: string;
  /** What the results are ordered by; a user scope is ordered by last activity only. */
  orderBy: 'created' | 'updated';
  order: 'asc' | 'desc';
  date?: { on: 'created' | 'updated'; from: string; to?: string };
  flagged?: boolean;
  titlePartial?: string;
}

interface Filters {
  expr: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
}

function filtersOf(plan: SessionSearchPlan, keyRangeOn: 'created' | 'updated'): Filters {
  const f: Filters = { expr: [], names: {}, values: {} };
  if (plan.flagged !== undefined) {
    f.names['#flag'] = 'flaggedForHumanReview';
    f.values[':flag'] = true;
    f.expr.push(plan.flagged ? '#flag = :flag' : '(attribute_not_exists(#flag) OR #flag <> :flag)');
  }
  if (plan.titlePartial) {
    f.names['#title'] = 'title';
    f.values[':title'] = plan.titlePartial;
    f.expr.push('contains(#title, :title)');
  }
  if (plan.date && plan.date.on !== keyRangeOn) {
    f.names['#date'] = plan.date.on === 'created' ? 'createDate' : 'lastUpdate';
    f.values[':dfrom'] = plan.date.from;
    if (plan.date.to) {
      f.values[':dto'] = plan.date.to;
      f.expr.push('#date BETWEEN :dfrom AND :dto');
    } else f.expr.push('#date >= :dfrom');
  }
  return f;
}

function source(index: string, partition: string, plan: SessionSearchPlan, keyRangeOn: 'created' | 'updated'): QuerySource {
  const range = plan.date && plan.date.on === keyRangeOn ? plan.date : undefined;
  const f = filtersOf(plan, keyRangeOn);
  // Sort keys are `date#sessionId`: '#\uffff' after the upper date makes that instant inclusive.
  const rangeExpr = range ? (range.to ? ' AND #sk BETWEEN :from AND :to' : ' AND #sk >= :from') : '';
  return {
    IndexName: index,
    KeyConditionExpression: `#pk = :pk${rangeExpr}`,
    ...(f.expr.length ? { FilterExpression: f.expr.join(' AND ') } : {}),
    ExpressionAttributeNames: { '#pk': `${index}pk`, ...(range ? { '#sk': `${index}sk` } : {}), ...f.names },
    ExpressionAttributeValues: {
      ':pk': partition,
      ...(range ? { ':from': range.from, ...(range.to ? { ':to': `${range.to}#\uffff` } : {}) } : {}),
      ...f.values,
    },
    ScanIndexForward: plan.order === 'asc',
  };
}

export async function searchSessions(plan: SessionSearchPlan): Promise<Page<Session>> {
  const query = queryString('sessionSearch', {
    userId: plan.userId,
    chatAppId: plan.chatAppId,
    orderBy: plan.orderBy,
    order: plan.order,
    date: plan.date,
    flagged: plan.flagged,
    titlePartial: plan.titlePartial,
  });
  const page = { limit: plan.limit, cursor: plan.cursor, caller: plan.caller, query };
  if (plan.userId) {
    const s = plan.chatAppId
      ? source('gsi2', userAppSessionsPartition(plan.userId, plan.chatAppId), plan, 'updated')
      : source('gsi1', userSessionsPartition(plan.userId), plan, 'updated');
    return queryPage<Session>(s, page);
  }
  if (!plan.chatAppId) throw new Error('searchSessions needs a userId or a chatAppId');
  const [index, partition] = plan.orderBy === 'created' ? (['gsi3', appSessionsByCreatedPartition] as const) : (['gsi4', appSessionsByUpdatedPartition] as const);
  const sources = allShards().map((shard) => source(index, partition(plan.chatAppId!, shard), plan, plan.orderBy));
  return mergedQueryPage<Session>(sources, { ...page, order: plan.order });
}
