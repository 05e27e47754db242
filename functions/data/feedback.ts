/**
 * Feedback: SESSION#s / FEEDBACK#<ulid>, indexed across users in gsi1 by status, sharded
 * (FB#status#shard / createDate#feedbackId). Updates are optimistic on lastUpdate: racing writers get 409.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  ChatSessionFeedback,
  FeedbackInternalComment,
  SessionFeedbackSeverity,
  SessionFeedbackStatus,
  SessionFeedbackType,
} from 'pika-shared/types/chatbot/chatbot-types';
import { conflict, notFound } from './errors';
import { updateExpression } from './expressions';
import { ddb, tableName } from './client';
import { fromAttributeValues, fromItem, fromItemOrUndefined, newId, nowIso, type RawItem } from './items';
import { allShards, FEEDBACK_PREFIX, feedbackStatusPartition, keys, shardOf } from './keys';
import { mergedQueryPage, queryPage, queryString, type Page, type PageRequest, type QuerySource } from './pagination';
import { cancellationReasons, isConditionFailure, withRetry } from './retry';
import { FEEDBACK_SUMMARY_ATTRIBUTE, feedbackSummaryOf } from './search-summaries';
import { ttlAttribute } from './ttl';

export type Feedback = ChatSessionFeedback;

/** Every status, checked complete against the union at compile time. */
const STATUS_SET: Record<SessionFeedbackStatus, true> = { new: true, in_progress: true, resolved: true, dismissed: true };
export const FEEDBACK_STATUSES = Object.keys(STATUS_SET) as SessionFeedbackStatus[];

export type CreateFeedbackInput = Pick<
  Feedback,
  'sessionId' | 'userId' | 'type' | 'severity' | 'title' | 'description' | 'reportedByHuman' | 'createdByCustomer'
>;

/**
 * The session-side half of a feedback write: its entry in the session's feedback summary (search,
 * search-summaries.ts), in the same transaction. `whole` creates the map on a session written before the
 * summary existed (its older feedback is not in it until backfilled).
 */
function feedbackSummaryUpdate(sessionId: string, feedback: Feedback, whole: boolean) {
  const summary = feedbackSummaryOf(feedback);
  return {
    Update: {
      TableName: tableName(),
      Key: keys.session(sessionId),
      ...updateExpression(
        whole
          ? { set: { [FEEDBACK_SUMMARY_ATTRIBUTE]: { [feedback.feedbackId]: summary } } }
          : { setIn: { [FEEDBACK_SUMMARY_ATTRIBUTE]: { [feedback.feedbackId]: summary } } },
        { names: { '#fbs': FEEDBACK_SUMMARY_ATTRIBUTE } },
      ),
      ConditionExpression: whole ? 'attribute_exists(pk) AND attribute_not_exists(#fbs)' : 'attribute_exists(pk) AND attribute_exists(#fbs)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  };
}

/**
 * Runs a feedback transaction whose LAST item is the session summary update. When only that update failed
 * because the session has no summary map (a session written before the map existed), it runs again with
 * `whole`; when a racing writer created the map first, again without. A missing session is NOT_FOUND;
 * any other failure goes to `onOtherFailure`.
 */
async function withSummary(run: (whole: boolean) => Promise<unknown>, onOtherFailure: (err: unknown) => never): Promise<void> {
  let whole = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await withRetry(() => run(whole));
      return;
    } catch (err) {
      const reasons = cancellationReasons(err);
      const last = reasons?.[reasons.length - 1];
      if (last?.Code === 'ConditionalCheckFailed' && reasons!.slice(0, -1).every((r) => r.Code !== 'ConditionalCheckFailed')) {
        if (!last.Item) throw notFound('Session');
        whole = !whole;
        continue;
      }
      onOtherFailure(err);
    }
  }
  throw conflict('Concurrent changes kept conflicting with this request; retry');
}

/** Creates feedback with status 'new' and its entry in the session's summary, in one transaction. */
export async function createFeedback(input: CreateFeedbackInput): Promise<Feedback> {
  const now = Date.now();
  const feedbackId = newId(now);
  const createDate = nowIso(now);
  const feedback: Feedback = {
    feedbackId,
    sessionId: input.sessionId,
    userId: input.userId,
    type: input.type,
    severity: input.severity,
    status: 'new',
    title: input.title,
    description: input.description,
    reportedByHuman: input.reportedByHuman,
    createdByCustomer: input.createdByCustomer,
    createDate,
    lastUpdate: createDate,
  };
  await withSummary(
    (whole) =>
      ddb().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName(),
                Item: {
                  ...keys.feedback(input.sessionId, feedbackId),
                  ...keys.feedbackIndex({ feedbackId, status: feedback.status, createDate }),
                  ...feedback,
                  ...ttlAttribute(now),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            feedbackSummaryUpdate(input.sessionId, feedback, whole),
          ],
        }),
      ),
    (err) => {
      throw err;
    },
  );
  return feedback;
}

export async function getFeedback(sessionId: string, feedbackId: string): Promise<Feedback | undefined> {
  const out = await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.feedback(sessionId, feedbackId), ConsistentRead: true }));
  return fromItemOrUndefined<Feedback>(out.Item as RawItem | undefined);
}

/** A session's feedback, oldest first. */
export async function listSessionFeedback(sessionId: string, page: PageRequest): Promise<Page<Feedback>> {
  return queryPage<Feedback>(
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.sessionPartition(sessionId), ':prefix': FEEDBACK_PREFIX },
      ScanIndexForward: true,
    },
    { ...page, query: queryString('sessionFeedback', { sessionId }) },
  );
}

export interface FeedbackPatch {
  status?: SessionFeedbackStatus;
  severity?: SessionFeedbackSeverity;
}

/**
 * Updates status/severity only if lastUpdate still equals `expectedLastUpdate` (default: the value read
 * just before). The new lastUpdate is strictly later, so of two racing writers exactly one wins; the other
 * gets CONFLICT. A status change moves the item's gsi1 partition in the same write, and the session's
 * feedback summary (search) is updated in the same transaction.
 */
export async function updateFeedback(sessionId: string, feedbackId: string, patch: FeedbackPatch, expectedLastUpdate?: string): Promise<Feedback> {
  const current = await getFeedback(sessionId, feedbackId);
  if (!current) throw notFound('Feedback');
  const expected: string = expectedLastUpdate ?? current.lastUpdate;
  const lastUpdate = nowIso(Math.max(Date.now(), (Date.parse(expected) || 0) + 1));
  // A status change moves the feedback to its status's index partition in the same write.
  const update = updateExpression(
    {
      set: {
        lastUpdate,
        status: patch.status,
        severity: patch.severity,
        ...(patch.status !== undefined ? { gsi1pk: feedbackStatusPartition(patch.status, shardOf(feedbackId)) } : {}),
      },
    },
    { names: { '#lastUpdate': 'lastUpdate' }, values: { ':expected': expected } },
  );
  const updated: Feedback = {
    ...current,
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    ...(patch.severity !== undefined ? { severity: patch.severity } : {}),
    lastUpdate,
  };
  await withSummary(
    (whole) =>
      ddb().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName(),
                Key: keys.feedback(sessionId, feedbackId),
                ...update,
                ConditionExpression: 'attribute_exists(pk) AND #lastUpdate = :expected',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            feedbackSummaryUpdate(sessionId, updated, whole),
          ],
        }),
      ),
    (err) => {
      const first = cancellationReasons(err)?.[0];
      if (first?.Code !== 'ConditionalCheckFailed') throw err;
      if (!first.Item) throw notFound('Feedback');
      throw conflict('The feedback was changed by someone else; reload and retry', {
        lastUpdate: fromAttributeValues(first.Item as Record<string, unknown>).lastUpdate,
      });
    },
  );
  return updated;
}

/** Appends an internal comment atomically (list_append); concurrent comments are all kept. */
export async function addInternalComment(sessionId: string, feedbackId: string, comment: FeedbackInternalComment): Promise<Feedback> {
  try {
    const out = await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.feedback(sessionId, feedbackId),
        ...updateExpression({ append: { internalComments: [comment] }, set: { lastUpdate: nowIso() } }),
        ConditionExpression: 'attribute_exists(pk)',
        ReturnValues: 'ALL_NEW',
      }),
    );
    return fromItem<Feedback>(out.Attributes as RawItem);
  } catch (err) {
    if (isConditionFailure(err)) throw notFound('Feedback');
    throw err;
  }
}

export interface ListFeedbackInput extends PageRequest {
  status?: SessionFeedbackStatus | SessionFeedbackStatus[];
  severity?: SessionFeedbackSeverity | SessionFeedbackSeverity[];
  type?: SessionFeedbackType | SessionFeedbackType[];
}

/** Sorted, de-duplicated; undefined when nothing is selected (= no restriction). */
function asSortedList<T extends string>(v: T | T[] | undefined): T[] | undefined {
  const list = v === undefined ? [] : [...new Set(Array.isArray(v) ? v : [v])].sort();
  return list.length ? list : undefined;
}

/**
 * Feedback across users, newest first: a k-way merge over the status partitions (every status when none
 * is given) × INDEX_SHARDS shards; severity and type are a FilterExpression on those Queries.
 */
export async function listFeedback(input: ListFeedbackInput): Promise<Page<Feedback>> {
  const selectedStatuses = asSortedList(input.status);
  const statuses = selectedStatuses ?? FEEDBACK_STATUSES;
  const severities = asSortedList(input.severity);
  const types = asSortedList(input.type);
  const filters: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (severities) {
    names['#severity'] = 'severity';
    filters.push(`#severity IN (${severities.map((_, i) => `:sev${i}`).join(', ')})`);
    for (const [i, s] of severities.entries()) values[`:sev${i}`] = s;
  }
  if (types) {
    names['#type'] = 'type';
    filters.push(`#type IN (${types.map((_, i) => `:type${i}`).join(', ')})`);
    for (const [i, t] of types.entries()) values[`:type${i}`] = t;
  }
  const sources: QuerySource[] = statuses.flatMap((status) =>
    allShards().map((shard) => ({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': feedbackStatusPartition(status, shard), ...values },
      ...(filters.length ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: names } : {}),
      ScanIndexForward: false,
    })),
  );
  return mergedQueryPage<Feedback>(sources, {
    ...input,
    hydrate: true,
    order: 'desc',
    query: queryString('feedback', { status: selectedStatuses, severity: severities, type: types }),
  });
}
