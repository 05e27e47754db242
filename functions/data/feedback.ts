/**
 * Feedback: SESSION#s / FEEDBACK#<ulid>, indexed across users in gsi1 by status, sharded
 * (FB#status#shard / createDate#feedbackId). Updates are optimistic on lastUpdate: racing writers get 409.
 */
import * as ACCESS from './access-patterns';
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
import { entity, fromAttributeValues, newId, nowIso, SESSION, type SessionItem } from './items';
import { allShards, FEEDBACK_PREFIX, feedbackStatusPartition, keys, shardOf } from './keys';
import { mergedQueryPage, queryPage, queryString, type Page, type PageRequest, type QuerySource } from './pagination';
import { cancellationReasons, conditionFailureItem, isConditionFailure, withRetry } from './retry';
import {
  FEEDBACK_SUMMARY_ATTRIBUTE,
  FEEDBACK_SUMMARY_VERSION,
  FEEDBACK_SUMMARY_VERSION_KEY,
  feedbackCodes,
  feedbackCountsOf,
  feedbackSummaryOf,
  isLegacyFeedbackMap,
  type FeedbackSummary,
  type LegacyFeedbackMap,
} from './search-summaries';
import { ttlAttribute } from './ttl';

export type Feedback = ChatSessionFeedback;
/** SESSION#s / FEEDBACK#f. */
export const FEEDBACK = entity<Feedback>();

/** Every status, checked complete against the union at compile time. */
const STATUS_SET: Record<SessionFeedbackStatus, true> = { new: true, in_progress: true, resolved: true, dismissed: true };
export const FEEDBACK_STATUSES = Object.keys(STATUS_SET) as SessionFeedbackStatus[];

export type CreateFeedbackInput = Pick<
  Feedback,
  'sessionId' | 'userId' | 'type' | 'severity' | 'title' | 'description' | 'reportedByHuman' | 'createdByCustomer'
> & {
  /** The session's chat app retention (ttl.retentionDaysOf); undefined: the stage's default. */
  retentionDays?: number;
};

/** What a feedback write changes in the session's counts: one more `add`, one less `remove` (its former values). */
interface SummaryChange {
  feedbackId: string;
  add: FeedbackSummary;
  remove?: FeedbackSummary;
}

/**
 * The session-side half of a feedback write, in the same transaction: the counts of the feedback's
 * combinations (search-summaries.ts) move by one. `session` is the session item as a cancelled attempt read
 * it, when its summary is missing or in the former per-feedback shape: the summary is then converted, written
 * whole (the former entries counted, this change applied), on condition that it is still what was read.
 */
function feedbackSummaryUpdate(sessionId: string, change: SummaryChange, session?: SessionItem) {
  const names = { '#fbs': FEEDBACK_SUMMARY_ATTRIBUTE, '#v': FEEDBACK_SUMMARY_VERSION_KEY };
  const common = { TableName: tableName(), Key: keys.session(sessionId), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const };
  if (!session) {
    const delta: Record<string, number> = {};
    for (const code of feedbackCodes(change.add)) delta[code] = 1;
    for (const code of change.remove ? feedbackCodes(change.remove) : []) delta[code] = (delta[code] ?? 0) - 1;
    for (const [code, n] of Object.entries(delta)) if (n === 0) delete delta[code];
    return {
      Update: {
        ...common,
        ...updateExpression(
          {
            setIn: { [FEEDBACK_SUMMARY_ATTRIBUTE]: { [FEEDBACK_SUMMARY_VERSION_KEY]: FEEDBACK_SUMMARY_VERSION } },
            addIn: { [FEEDBACK_SUMMARY_ATTRIBUTE]: delta },
          },
          { names, values: { ':zero': 0, ':ver': FEEDBACK_SUMMARY_VERSION } },
        ),
        // An empty map (a new session) or the bounded shape: counted in place.
        ConditionExpression: 'attribute_exists(pk) AND (size(#fbs) = :zero OR #fbs.#v = :ver)',
      },
    };
  }
  const former = session[FEEDBACK_SUMMARY_ATTRIBUTE];
  const legacy: LegacyFeedbackMap = isLegacyFeedbackMap(former) ? { ...former } : {};
  delete legacy[change.feedbackId]; // its former values, if the map had them: replaced by `add`
  const counts = feedbackCountsOf(legacy);
  for (const code of feedbackCodes(change.add)) counts[code] = (counts[code] ?? 0) + 1;
  const whole = { ...counts, [FEEDBACK_SUMMARY_VERSION_KEY]: FEEDBACK_SUMMARY_VERSION };
  return {
    Update: {
      ...common,
      ...updateExpression(
        { set: { [FEEDBACK_SUMMARY_ATTRIBUTE]: whole } },
        former === undefined ? { names: { '#fbs': FEEDBACK_SUMMARY_ATTRIBUTE } } : { names, values: { ':n': Object.keys(former as object).length } },
      ),
      ConditionExpression:
        former === undefined
          ? 'attribute_exists(pk) AND attribute_not_exists(#fbs)'
          : 'attribute_exists(pk) AND size(#fbs) = :n AND attribute_not_exists(#fbs.#v)',
    },
  };
}

/**
 * Runs a feedback transaction whose LAST item is the session summary update. When only that update failed
 * because the session's summary is missing or in the former shape, it runs again converting it (with the
 * session item the failure returned); when a racing writer converted it first, again in place. A missing
 * session is NOT_FOUND; any other failure goes to `onOtherFailure`.
 */
async function withSummary(run: (session?: SessionItem) => Promise<unknown>, onOtherFailure: (err: unknown) => never): Promise<void> {
  let session: SessionItem | undefined;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      await withRetry(() => run(session));
      return;
    } catch (err) {
      const reasons = cancellationReasons(err);
      const last = reasons?.[reasons.length - 1];
      if (last?.Code === 'ConditionalCheckFailed' && reasons!.slice(0, -1).every((r) => r.Code !== 'ConditionalCheckFailed')) {
        if (!last.Item) throw notFound('Session');
        const read = SESSION.item(fromAttributeValues(last.Item));
        const summary = read[FEEDBACK_SUMMARY_ATTRIBUTE];
        // Converted (or emptied) meanwhile: in place; still missing or in the former shape: convert it.
        session = summary === undefined || isLegacyFeedbackMap(summary) ? read : undefined;
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
    (session) =>
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
                  ...ttlAttribute(now, input.retentionDays),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            feedbackSummaryUpdate(input.sessionId, { feedbackId, add: feedbackSummaryOf(feedback) }, session),
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
  return FEEDBACK.recordOrUndefined(out.Item);
}

/** A session's feedback, oldest first. */
export async function listSessionFeedback(sessionId: string, page: PageRequest): Promise<Page<Feedback>> {
  return queryPage(
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.sessionPartition(sessionId), ':prefix': FEEDBACK_PREFIX },
      ScanIndexForward: true,
    },
    { ...page, read: FEEDBACK.record, query: queryString('sessionFeedback', { sessionId }) },
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
    {
      names: { '#lastUpdate': 'lastUpdate', '#status': 'status', '#severity': 'severity' },
      values: { ':expected': expected, ':wasStatus': current.status, ':wasSeverity': current.severity },
    },
  );
  const updated: Feedback = {
    ...current,
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    ...(patch.severity !== undefined ? { severity: patch.severity } : {}),
    lastUpdate,
  };
  await withSummary(
    (session) =>
      ddb().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName(),
                Key: keys.feedback(sessionId, feedbackId),
                ...update,
                // Status and severity as read, so that the summary's -1 goes to the combination it counted.
                ConditionExpression: 'attribute_exists(pk) AND #lastUpdate = :expected AND #status = :wasStatus AND #severity = :wasSeverity',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            feedbackSummaryUpdate(sessionId, { feedbackId, add: feedbackSummaryOf(updated), remove: feedbackSummaryOf(current) }, session),
          ],
        }),
      ),
    (err) => {
      const first = cancellationReasons(err)?.[0];
      if (first?.Code !== 'ConditionalCheckFailed') throw err;
      if (!first.Item) throw notFound('Feedback');
      throw conflict('The feedback was changed by someone else; reload and retry', {
        lastUpdate: FEEDBACK.item(fromAttributeValues(first.Item)).lastUpdate,
      });
    },
  );
  return updated;
}

/** Internal comments one feedback may hold (its item stays far below DynamoDB's 400 KB: 50 × 5 000 characters). */
export const MAX_INTERNAL_COMMENTS = 50;

/**
 * Appends an internal comment atomically (list_append); concurrent comments are all kept, up to
 * MAX_INTERNAL_COMMENTS: the cap is the update's own condition, so racing comments never exceed it.
 */
export async function addInternalComment(sessionId: string, feedbackId: string, comment: FeedbackInternalComment): Promise<Feedback> {
  try {
    const out = await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.feedback(sessionId, feedbackId),
        ...updateExpression(
          { append: { internalComments: [comment] }, set: { lastUpdate: nowIso() } },
          { names: { '#ic': 'internalComments' }, values: { ':max': MAX_INTERNAL_COMMENTS } },
        ),
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#ic) OR size(#ic) < :max)',
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return FEEDBACK.record(out.Attributes!);
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    if (!conditionFailureItem(err)) throw notFound('Feedback');
    throw conflict(`This feedback has reached its limit of ${MAX_INTERNAL_COMMENTS} internal comments`, { maxInternalComments: MAX_INTERNAL_COMMENTS });
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
      IndexName: ACCESS.feedbackByStatus,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': feedbackStatusPartition(status, shard), ...values },
      ...(filters.length ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: names } : {}),
      ScanIndexForward: false,
    })),
  );
  return mergedQueryPage(sources, {
    ...input,
    read: FEEDBACK.record,
    hydrate: true,
    order: 'desc',
    query: queryString('feedback', { status: selectedStatuses, severity: severities, type: types }),
  });
}
