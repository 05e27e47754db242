/**
 * Messages: SESSION#s / MSG#<ulid> (shown) or HMSG#<ulid> (source 'component', hidden from the history).
 * A message write and its session's lastUpdate / usage counters move in one transaction.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { decodeTime } from 'ulid';
import type { ChatMessage, ChatMessageFile, ChatMessageStatus, ChatMessageUsage, ConverseSource } from 'pika-shared/types/chatbot/chatbot-types';
import { conflict, notFound } from './errors';
import { ddb, tableName } from './client';
import { updateExpression } from './expressions';
import { fromAttributeValues, MESSAGE, newId, nowIso, type RawItem, TURN_ATTRIBUTES } from './items';
import { HIDDEN_MESSAGE_PREFIX, keys, MESSAGE_PREFIX } from './keys';
import { mergedQueryPage, queryPage, queryString, type Page, type PageRequest, type QuerySource } from './pagination';
import { type CancellationReason, cancellationReasons, RETRY, withRetry } from './retry';
import { assertUsage, newSessionItem, type CreateSessionInput, type Session } from './sessions';
import { itemExpiresAt } from './ttl';
import { TTL_ATTRIBUTE } from './table-definition';
import { joinExtras, type SessionExtras } from './session-update';
import { assertJoinable, MAX_TRANSACTION_ITEMS, type TransactItems } from './transact';

export type MessageStatus = ChatMessageStatus;
/** ChatMessage carries source/status/error as optional extensions of the spec type. */
export type StoredMessage = ChatMessage;

const isHidden = (source: ConverseSource | undefined) => source === 'component';

export interface AppendMessageInput {
  userId: string;
  sessionId: string;
  role: ChatMessage['role'];
  content: string;
  source?: ConverseSource;
  status?: MessageStatus;
  usage?: ChatMessageUsage;
  metadata?: Record<string, unknown>;
  files?: ChatMessageFile[];
  /** Why an assistant message failed. */
  error?: { code: string; message: string };
  /** The chat app's retention (ttl.retentionDaysOf): the message's and the session's `expiresAt`; undefined: the stage's default. */
  retentionDays?: number;
  /** Turn bookkeeping written on the session in the same transaction (functions/data/turns.ts). */
  sessionExtras?: SessionExtras | ((at: MessageAt) => SessionExtras);
  /**
   * Writes of other concerns that must commit with the message (e.g. usage aggregates): appended to the
   * transaction as they are. Each must target an item the transaction does not already touch (DynamoDB
   * refuses two operations on one item); with the message and the session, at most MAX_TRANSACTION_ITEMS in
   * all. One of them may carry a condition (a ConditionCheck of what the caller believes): when it fails,
   * the message is written again with `at.conflicted` true, and the items given then must carry none.
   */
  transactItems?: TransactItems | ((at: MessageAt) => TransactItems);
  /**
   * 'move' (default): the session's lastUpdate and activity sort keys move to this message in the same
   * transaction. 'keep': they are left alone — a converse turn moves them once, after its answer
   * (sessions.moveSessionActivity), instead of re-sorting three indexes inside each of its two transactions.
   */
  activity?: 'move' | 'keep';
  /**
   * A fixed id (an answer stored later from the redrive queue): written at most once — when a message with this
   * id exists already, it was this one, and it is returned as stored.
   */
  messageId?: string;
  /** ANDed to the session update's own condition (turns.ts `sessionFree`: one turn at a time); `:msgDate` is the message's time. */
  sessionCondition?: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> };
  /**
   * Called when a condition of the session (the item as it was) or of extra items (their cancellation reasons,
   * in `transactItems` order) failed: an error to throw instead of the default handling, or undefined.
   */
  refuse?: (failed: ConditionFailures) => Error | undefined;
}

export interface ConditionFailures {
  /** The session item as it was, when the session's condition failed. */
  session?: RawItem;
  /** The extra items' reasons, aligned with `transactItems` (Code 'ConditionalCheckFailed' where one failed). */
  extras: CancellationReason[];
}

export { MAX_TRANSACTION_ITEMS };

/** The message being written, for extras that depend on it. */
export interface MessageAt {
  messageId: string;
  createDate: string;
  createMs: number;
  /** The previous attempt was cancelled by a condition of one of the extra transaction items. */
  conflicted: boolean;
}

/** The stored form of a message with its id; its createDate is the ULID's timestamp. */
function buildMessage(input: AppendMessageInput, messageId: string) {
  const createMs = decodeTime(messageId);
  const createDate = nowIso(createMs);
  const message: StoredMessage = {
    userId: input.userId,
    sessionId: input.sessionId,
    messageId,
    role: input.role,
    content: input.content,
    createDate,
    source: input.source,
    status: input.status,
    usage: input.usage,
    metadata: input.metadata,
    files: input.files,
    error: input.error,
  };
  return { message, createMs, createDate };
}

/**
 * A new session and its first message in ONE transaction (a converse turn without a session): the
 * session's createDate and lastUpdate are the message's time. Both puts are conditional on absence.
 */
export async function startSessionWithMessage(
  session: CreateSessionInput,
  first: Omit<AppendMessageInput, 'userId' | 'sessionId' | 'usage' | 'sessionExtras' | 'transactItems' | 'sessionCondition'> & {
    sessionExtras?: SessionExtras;
    transactItems?: TransactItems;
  },
): Promise<{ session: Session; message: StoredMessage }> {
  const sessionId = session.sessionId ?? newId();
  const messageId = newId();
  const input: AppendMessageInput = { ...first, userId: session.userId, sessionId };
  const { message, createMs } = buildMessage(input, messageId);
  const created = newSessionItem({ ...session, retentionDays: session.retentionDays ?? first.retentionDays }, sessionId, createMs);
  const expiresAt = itemExpiresAt(createMs, session.retentionDays ?? first.retentionDays);
  const extraItems = first.transactItems ?? [];
  assertJoinable([keys.session(sessionId), keys.message(sessionId, messageId, isHidden(first.source))], extraItems);
  await withRetry(async () => {
    try {
      await ddb().send(newSessionTransaction());
      return true;
    } catch (err) {
      const reasons = cancellationReasons(err) ?? [];
      const extras = reasons.slice(2, 2 + extraItems.length);
      // A fixed id (session.sessionId) another request created first: that request's turn holds it.
      const sessionReason = reasons[0];
      if (sessionReason?.Code === 'ConditionalCheckFailed') {
        throw (
          first.refuse?.({ session: sessionReason.Item ? fromAttributeValues(sessionReason.Item) : undefined, extras }) ??
          conflict('The session was created meanwhile; retry', { retryAfterSeconds: 1 })
        );
      }
      const refusal = extras.some((r) => r.Code === 'ConditionalCheckFailed') ? first.refuse?.({ extras }) : undefined;
      if (refusal) throw refusal;
      throw err;
    }
  });
  return { session: created.session, message };

  function newSessionTransaction() {
    return new TransactWriteCommand({
      TransactItems: [
        // A new item: the extras' counters start at their increment.
        {
          Put: {
            TableName: tableName(),
            Item: { ...created.item, ...first.sessionExtras?.set, ...first.sessionExtras?.add },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        {
          Put: {
            TableName: tableName(),
            Item: { ...keys.message(sessionId, messageId, isHidden(first.source)), ...message, [TTL_ATTRIBUTE]: expiresAt },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...extraItems,
        ...(created.retention ? [{ Put: { TableName: tableName(), Item: created.retention } }] : []),
      ],
    });
  }
}

/**
 * Appends a message in ONE transaction with the session update (lastUpdate + activity index sort keys,
 * usage ADD). The session must exist and belong to input.userId (else NOT_FOUND, nothing written) and its
 * lastUpdate never moves backwards: a transaction that lost the race retries with a later id/time.
 */
export async function appendMessage(input: AppendMessageInput): Promise<StoredMessage> {
  if (input.usage) assertUsage(input.usage);
  const hidden = isHidden(input.source);
  let floorMs = 0;
  let conflicted = false;
  return withRetry<StoredMessage>(async () => {
    const messageId = input.messageId ?? newId(Math.max(Date.now(), floorMs));
    const { message, createMs, createDate } = buildMessage(input, messageId);
    const at: MessageAt = { messageId, createDate, createMs, conflicted };
    const expiresAt = itemExpiresAt(createMs, input.retentionDays);
    const activity = keys.sessionActivitySortKey(createDate, input.sessionId);
    const usage = input.usage;
    const extraItems = (typeof input.transactItems === 'function' ? input.transactItems(at) : input.transactItems) ?? [];
    assertJoinable([keys.message(input.sessionId, messageId, hidden), keys.session(input.sessionId)], extraItems);
    const move = input.activity !== 'keep';
    const extras = joinExtras(
      usage ? { add: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalCost: usage.totalCost } } : undefined,
      typeof input.sessionExtras === 'function' ? input.sessionExtras(at) : input.sessionExtras,
    );
    const sessionUpdate = updateExpression(
      {
        set: {
          ...(move ? { lastUpdate: createDate, gsi1sk: activity, gsi2sk: activity, gsi4sk: activity } : {}),
          [TTL_ATTRIBUTE]: expiresAt,
          ...extras.set,
        },
        setIfNotExists: extras.setIfNotExists,
        add: extras.add,
        remove: extras.remove,
      },
      {
        names: input.sessionCondition?.names,
        values: {
          ':uid': input.userId,
          ...(move ? { ':now': createDate } : {}),
          ...(input.sessionCondition ? { ':msgDate': createDate, ...input.sessionCondition.values } : {}),
        },
      },
    );
    const condition = [`attribute_exists(pk) AND userId = :uid${move ? ' AND lastUpdate <= :now' : ''}`, input.sessionCondition?.expression]
      .filter(Boolean)
      .join(' AND ');
    try {
      await ddb().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName(),
                Item: { ...keys.message(input.sessionId, messageId, hidden), ...message, [TTL_ATTRIBUTE]: expiresAt },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: tableName(),
                Key: keys.session(input.sessionId),
                ...sessionUpdate,
                ConditionExpression: condition,
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            ...extraItems,
          ],
        }),
      );
      return message;
    } catch (err) {
      const [messageReason, sessionReason, ...extraReasons] = cancellationReasons(err) ?? [];
      const sessionFailed = sessionReason?.Code === 'ConditionalCheckFailed';
      if (sessionFailed && (!sessionReason.Item || sessionReason.Item.userId?.S !== input.userId)) throw notFound('Session');
      if (sessionFailed || extraReasons.some((r) => r.Code === 'ConditionalCheckFailed')) {
        const refusal = input.refuse?.({
          ...(sessionFailed && sessionReason.Item ? { session: fromAttributeValues(sessionReason.Item) } : {}),
          extras: extraReasons,
        });
        if (refusal) throw refusal;
      }
      if (sessionFailed) {
        const old = sessionReason.Item!;
        // Another turn got a later time first (its message, or the answer that ended it): the next id comes after.
        const later = [old.lastUpdate?.S, old[TURN_ATTRIBUTES.turnEndedAt]?.S].map((iso) => Date.parse(iso ?? '')).filter(Number.isFinite);
        floorMs = later.length ? Math.max(...later) + 1 : Date.now();
        return RETRY;
      }
      if (messageReason?.Code === 'ConditionalCheckFailed') return input.messageId ? message : RETRY; // stored already, or the id is taken: the next one
      if (!conflicted && extraReasons.some((r) => r.Code === 'ConditionalCheckFailed')) {
        conflicted = true; // the caller's belief was wrong: its items without the condition
        return RETRY;
      }
      throw err;
    }
  });
}

export async function getMessage(sessionId: string, messageId: string, source?: ConverseSource): Promise<StoredMessage | undefined> {
  const out = await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.message(sessionId, messageId, isHidden(source)), ConsistentRead: true }));
  return MESSAGE.recordOrUndefined(out.Item);
}

export interface ListMessagesInput extends PageRequest {
  sessionId: string;
  /** Also the hidden (source 'component') messages, merged in id order. Not for the user's history. */
  includeHidden?: boolean;
  /** 'asc' (default): oldest first. 'desc': newest first, the cursor leading to older messages. */
  order?: 'asc' | 'desc';
}

const messagesWithPrefix = (sessionId: string, prefix: string, order: 'asc' | 'desc'): QuerySource => ({
  KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
  ExpressionAttributeValues: { ':pk': keys.sessionPartition(sessionId), ':prefix': prefix },
  ScanIndexForward: order === 'asc',
});

/**
 * A session's messages, oldest first or (order 'desc') newest first. The history range (MSG#) holds no hidden
 * message: no filter needed. The cursor is bound to the order (an asc cursor is refused for desc and the other
 * way round); `order` joins the cursor's query string only when desc, so asc cursors are those issued before.
 */
export async function listMessages(input: ListMessagesInput): Promise<Page<StoredMessage>> {
  const order = input.order ?? 'asc';
  const query = queryString('messages', {
    sessionId: input.sessionId,
    includeHidden: input.includeHidden === true,
    order: order === 'desc' ? 'desc' : undefined,
  });
  if (!input.includeHidden) return queryPage(messagesWithPrefix(input.sessionId, MESSAGE_PREFIX, order), { ...input, query, read: MESSAGE.record });
  return mergedQueryPage([messagesWithPrefix(input.sessionId, MESSAGE_PREFIX, order), messagesWithPrefix(input.sessionId, HIDDEN_MESSAGE_PREFIX, order)], {
    ...input,
    read: MESSAGE.record,
    query,
    order,
    sortValue: (k) => String(k.sk).slice(String(k.sk).indexOf('#') + 1),
  });
}
