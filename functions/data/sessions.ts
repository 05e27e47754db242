/** Sessions: SESSION#s / META, listed per user (gsi1/gsi2); a chat app's sessions (sharded gsi3/gsi4) are read by session search. */
import * as ACCESS from './access-patterns';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailedAt, isConditionFailure, updateIf, updateOr404, withRetry } from './retry';
import { assertJoinable, type TransactItems } from './transact';
import type { ChatMessageUsage, ChatSession, ChatUser, RecordOrUndef } from 'pika-shared/types/chatbot/chatbot-types';
import { notFound, validationFailed } from './errors';
import { batchDelete, batchGetEach } from './batch';
import { ddb, tableName } from './client';
import { updateExpression } from './expressions';
import { ANY_ITEM, newId, nowIso, type RawItem, SESSION, type SessionItem, TITLE_CLAIM_ATTRIBUTE } from './items';
import { keys, userAppSessionsPartition, userSessionsPartition } from './keys';
import { type Page, type PageRequest, type QuerySource, queryPage, queryPages, queryString } from './pagination';
import { FEEDBACK_SUMMARY_ATTRIBUTE } from './search-summaries';
import { retentionEntryItem } from './retention';
import { itemExpiresAt, itemTtlDays, ttlAttribute } from './ttl';
import type { SessionExtras } from './session-update';
import { insightsActivityOf, providerStateOf, type ProviderState } from './turns';
import { USER } from './users';

export type Session = ChatSession<RecordOrUndef>;

export interface CreateSessionInput {
  userId: string;
  /** A session id fixed by the caller (a client's conversation id, keys.conversationSessionId); default a new id. */
  sessionId?: string;
  chatAppId: string;
  agentId: string;
  title?: string;
  customData?: RecordOrUndef;
  /** A converse turn that creates the session claims its title at once (see claimTitle). */
  titleClaimUntilMs?: number;
  /** Its chat app's retention (ttl.retentionDaysOf); undefined: the stage's default. */
  retentionDays?: number;
}

/**
 * A new session and its item (keys, index keys, TTL), created at `nowMs` with `sessionId`; with a TTL, also its
 * retention entry (retention.ts), written in the same write.
 */
export function newSessionItem(input: CreateSessionInput, sessionId: string, nowMs: number): { session: Session; item: RawItem; retention?: RawItem } {
  const createDate = nowIso(nowMs);
  const session: Session = {
    userId: input.userId,
    sessionId,
    chatAppId: input.chatAppId,
    agentId: input.agentId,
    title: input.title,
    customData: input.customData,
    createDate,
    lastUpdate: createDate,
    inputTokens: 0,
    outputTokens: 0,
    totalCost: 0,
  };
  const item = {
    ...keys.session(sessionId),
    ...keys.sessionIndexes({ userId: input.userId, sessionId, chatAppId: input.chatAppId, createDate, lastUpdate: createDate }),
    ...session,
    [TITLE_CLAIM_ATTRIBUTE]: input.titleClaimUntilMs,
    // The feedback summary (session search) starts empty, so that feedback adds its entry in place.
    [FEEDBACK_SUMMARY_ATTRIBUTE]: {},
    ...ttlAttribute(nowMs, input.retentionDays),
  } satisfies SessionItem;
  const days = input.retentionDays ?? itemTtlDays();
  const floor = itemExpiresAt(nowMs, days);
  return { session, item, ...(days !== undefined && floor !== undefined ? { retention: retentionEntryItem(session, floor, days) } : {}) };
}

export async function createSession(input: CreateSessionInput): Promise<Session> {
  const now = Date.now();
  const { session, item, retention } = newSessionItem(input, newId(now), now);
  const put = { TableName: tableName(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' };
  if (!retention) await ddb().send(new PutCommand(put));
  else await ddb().send(new TransactWriteCommand({ TransactItems: [{ Put: put }, { Put: { TableName: tableName(), Item: retention } }] }));
  return session;
}

/**
 * A session and a user in ONE request (BatchGetItem, strongly consistent): the converse hot path needs
 * both. Keys DynamoDB leaves unprocessed are read again. Several candidate ids (a client's conversation id
 * and the session derived from it): the first that exists is the session.
 */
export async function getSessionWithUser(
  sessionId: string | readonly string[],
  userId: string,
): Promise<{ session?: Session; user?: ChatUser<RecordOrUndef>; provider: ProviderState; insightsActivity?: string }> {
  const ids = typeof sessionId === 'string' ? [sessionId] : sessionId;
  const items = await batchGetEach([...ids.map((id) => keys.session(id)), keys.user(userId)], { consistent: true });
  const user = items.at(-1);
  const session = items.slice(0, -1).find((item) => item !== undefined);
  const stored = session && SESSION.item(session);
  const insightsActivity = stored && insightsActivityOf(stored);
  return {
    ...(session ? { session: SESSION.record(session) } : {}),
    ...(user ? { user: USER.record(user) } : {}),
    provider: stored ? providerStateOf(stored) : {},
    ...(insightsActivity ? { insightsActivity } : {}),
  };
}

export async function getSession(sessionId: string): Promise<Session | undefined> {
  return (await getSessionWithInsightsActivity(sessionId)).session;
}

/** The session and the latest answer whose activity awaits insights (functions/insights/due.ts). */
export async function getSessionWithInsightsActivity(sessionId: string): Promise<{ session?: Session; insightsActivity?: string }> {
  const out = await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.session(sessionId), ConsistentRead: true }));
  const awaiting = out.Item && insightsActivityOf(SESSION.item(out.Item));
  return { ...(out.Item ? { session: SESSION.record(out.Item) } : {}), ...(awaiting ? { insightsActivity: awaiting } : {}) };
}

export interface ListUserSessionsInput extends PageRequest {
  userId: string;
  chatAppId?: string;
}

/** A user's sessions, newest activity first; in one chat app when chatAppId is given. */
export async function listUserSessions(input: ListUserSessionsInput): Promise<Page<Session>> {
  const source: QuerySource = input.chatAppId
    ? {
        IndexName: ACCESS.userAppSessions,
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': userAppSessionsPartition(input.userId, input.chatAppId) },
        ScanIndexForward: false,
      }
    : {
        IndexName: ACCESS.userSessions,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': userSessionsPartition(input.userId) },
        ScanIndexForward: false,
      };
  return queryPage(source, {
    ...input,
    read: SESSION.record,
    hydrate: true,
    query: queryString('userSessions', { userId: input.userId, chatAppId: input.chatAppId }),
  });
}

export interface SessionPatch {
  title?: string;
  flaggedForHumanReview?: boolean;
}

/** Title / review flag; does not move lastUpdate (that is conversation activity, see docs/data-model.md). */
export async function updateSession(sessionId: string, patch: SessionPatch): Promise<Session> {
  if (patch.title === undefined && patch.flaggedForHumanReview === undefined) {
    const current = await getSession(sessionId);
    if (!current) throw notFound('Session');
    return current;
  }
  const out = await updateOr404(
    () =>
      ddb().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.session(sessionId),
          ...updateExpression({ set: { title: patch.title, flaggedForHumanReview: patch.flaggedForHumanReview } }),
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_NEW',
        }),
      ),
    'Session',
  );
  return SESSION.record(out.Attributes!);
}

export interface UsageDelta {
  inputTokens: number;
  outputTokens: number;
  totalCost: number;
}

export function assertUsage(usage: UsageDelta): void {
  for (const k of ['inputTokens', 'outputTokens', 'totalCost'] as const) {
    if (!Number.isFinite(usage[k]) || usage[k] < 0) throw validationFailed(`usage.${k} must be a non-negative number`);
  }
}

/** The ADD of a usage delta to the session's counters. */
const usageAdd = (usage: UsageDelta) => ({ inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalCost: usage.totalCost });

/**
 * Moves a session's conversation activity to `atIso` (lastUpdate and the activity sort keys of gsi1, gsi2 and
 * gsi4): a converse turn's one index re-sort, a single conditional write after its answer. Never backwards:
 * false when a later activity was recorded already (or the session is gone).
 */
export async function moveSessionActivity(sessionId: string, atIso: string): Promise<boolean> {
  const activity = keys.sessionActivitySortKey(atIso, sessionId);
  return updateIf(async () => {
    // A single write racing a turn's transaction on the same item gets TransactionConflict: retried.
    await withRetry(() =>
      ddb().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.session(sessionId),
          ...updateExpression({ set: { lastUpdate: atIso, gsi1sk: activity, gsi2sk: activity, gsi4sk: activity } }, { values: { ':at': atIso } }),
          ConditionExpression: 'attribute_exists(pk) AND lastUpdate < :at',
        }),
      ),
    );
  });
}

/**
 * Atomic ADD of usage (failed calls, generated insights, anything not tied to a message). With `transactItems`
 * (e.g. the usage aggregates), one transaction: the session's counters and those writes move together.
 */
export async function addSessionUsage(sessionId: string, usage: UsageDelta, transactItems?: TransactItems, set?: Record<string, unknown>): Promise<void> {
  assertUsage(usage);
  const update = {
    TableName: tableName(),
    Key: keys.session(sessionId),
    ...updateExpression({ add: usageAdd(usage), set }),
    ConditionExpression: 'attribute_exists(pk)',
  };
  try {
    if (transactItems?.length) {
      assertJoinable([keys.session(sessionId)], transactItems);
      await withRetry(() => ddb().send(new TransactWriteCommand({ TransactItems: [{ Update: update }, ...transactItems] })));
    } else {
      await ddb().send(new UpdateCommand(update));
    }
  } catch (err) {
    if (isConditionFailure(err) || conditionFailedAt(err, 0)) throw notFound('Session');
    throw err;
  }
}

/**
 * Deletes the session and everything in its partition (messages, feedback, insights, idempotency records).
 * META goes first, so the session leaves every index at once and later appends fail; a retry of an
 * interrupted delete finishes the job.
 */
/** An untitled session: no title, or a legacy empty one. */
const UNTITLED = '(attribute_not_exists(title) OR title = :empty)';

/**
 * Claims the title of an untitled session for one turn until `untilMs`, so that concurrent first turns
 * call (and bill) the title model once: true for exactly one caller while the claim holds. A claim whose
 * turn died expires with that turn's invocation.
 */
export async function claimTitle(sessionId: string, untilMs: number, nowMs = Date.now()): Promise<boolean> {
  return updateIf(async () => {
    await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.session(sessionId),
        ...updateExpression(
          { set: { [TITLE_CLAIM_ATTRIBUTE]: untilMs } },
          { names: { '#claim': TITLE_CLAIM_ATTRIBUTE }, values: { ':now': nowMs, ':empty': '' } },
        ),
        ConditionExpression: `attribute_exists(pk) AND ${UNTITLED} AND (attribute_not_exists(#claim) OR #claim < :now)`,
      }),
    );
  });
}

/**
 * A new session's generated title and its usage on the answer's session update (messages.appendMessage
 * `sessionExtras`): no write of its own. A title the user set meanwhile is kept; the claim is released.
 */
export function generatedTitleExtras(title: string, usage?: ChatMessageUsage): SessionExtras {
  if (usage) assertUsage(usage);
  return { setIfNotExists: { title }, ...(usage ? { add: usageAdd(usage), set: { titleUsage: usage } } : {}), remove: [TITLE_CLAIM_ATTRIBUTE] };
}

/**
 * The generated title of an untitled session and the title's usage, in ONE write (the claim is released).
 * A title set meanwhile (the user renamed the session) is kept: then only the usage is added. Returns
 * whether the title was set.
 */
export async function setGeneratedTitle(sessionId: string, title: string, usage?: ChatMessageUsage, transactItems?: TransactItems): Promise<boolean> {
  if (usage) assertUsage(usage);
  const update = {
    TableName: tableName(),
    Key: keys.session(sessionId),
    ...updateExpression(
      { set: { title, titleUsage: usage }, ...(usage ? { add: usageAdd(usage) } : {}), remove: [TITLE_CLAIM_ATTRIBUTE] },
      { values: { ':empty': '' } },
    ),
    ConditionExpression: `attribute_exists(pk) AND ${UNTITLED}`,
  };
  // Writes of other concerns (usage aggregates) commit with the title: one transaction instead of one update.
  if (transactItems?.length) {
    assertJoinable([keys.session(sessionId)], transactItems);
    const titled = await withRetry(async () => {
      try {
        await ddb().send(new TransactWriteCommand({ TransactItems: [{ Update: update }, ...transactItems] }));
        return true;
      } catch (err) {
        if (conditionFailedAt(err, 0)) return false;
        throw err;
      }
    });
    if (titled) return true;
    // Titled meanwhile (a rename): the title model's cost is still the session's, and attributed to it.
    if (usage) await addSessionUsage(sessionId, usage, undefined, { titleUsage: usage });
    await withRetry(() => ddb().send(new TransactWriteCommand({ TransactItems: transactItems })));
    return false;
  }
  try {
    await ddb().send(new UpdateCommand(update));
    return true;
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
    if (usage) await addSessionUsage(sessionId, usage, undefined, { titleUsage: usage });
    return false;
  }
}

export async function deleteSession(sessionId: string): Promise<void> {
  const meta = await ddb().send(new DeleteCommand({ TableName: tableName(), Key: keys.session(sessionId), ReturnValues: 'ALL_OLD' }));
  let found = meta.Attributes !== undefined;
  const itemKey = ANY_ITEM.projection('pk', 'sk');
  for await (const page of queryPages({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.sessionPartition(sessionId) },
    ...itemKey,
    ConsistentRead: true,
  })) {
    const itemKeys = page.map(itemKey.read);
    if (itemKeys.length > 0) found = true;
    await batchDelete(itemKeys);
  }
  if (!found) throw notFound('Session');
}
