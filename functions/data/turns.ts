/**
 * Converse turn bookkeeping on the session item, folded into the writes a turn makes anyway (the user
 * message and the answer transactions): which turn holds the session and until when (one turn at a time),
 * stop requests by turn id, and which provider session answered last. Only a stop request and the running
 * turn's check of it are requests of their own.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, tableName } from './client';
import { conflict, DataError } from './errors';
import { updateExpression } from './expressions';
import { type AwaitingClient, MESSAGE, type RawItem, SESSION, type SessionItem, TURN_ATTRIBUTES as T } from './items';
import { keys, MESSAGE_PREFIX } from './keys';
import { isConditionFailure, updateIf } from './retry';
import type { SessionExtras } from './session-update';

/** With the user message: this turn holds the session until `leaseUntilIso` (its invocation's deadline). */
export const turnStarted = (turnId: string, leaseUntilIso: string): SessionExtras => ({ set: { [T.turnId]: turnId, [T.turnLeaseUntil]: leaseUntilIso } });

/**
 * The session update's condition that makes a turn wait its turn: no turn holds the session, or its lease has run
 * out. `resumes`: the awaiting answer (its message id) whose tool requests this turn answers — it must still be the
 * one awaiting; without it, nothing may await the client (a concurrent resume answered it first, or an ask came).
 */
export const sessionFree = (nowIso: string, resumes?: string) => ({
  // …and the question comes after the last answer (`:msgDate`: appendMessage's message time), so that the
  // history's order is the order turns ran in, even when a question's request reached DynamoDB late.
  expression: `(attribute_not_exists(#turn) OR #lease < :leaseNow) AND (attribute_not_exists(#ended) OR #ended < :msgDate) AND ${
    resumes ? '#await.#awaitMsg = :awaitMsg' : 'attribute_not_exists(#await)'
  }`,
  names: {
    '#turn': T.turnId,
    '#lease': T.turnLeaseUntil,
    '#ended': T.turnEndedAt,
    '#await': T.awaitingClient,
    ...(resumes ? { '#awaitMsg': 'messageId' } : {}),
  },
  values: { ':leaseNow': nowIso, ...(resumes ? { ':awaitMsg': resumes } : {}) },
});

/** 409 CONFLICT when what the session awaits (the stored item) is not what the turn was checked against. */
export function awaitingChanged(stored: RawItem | undefined, resumes: string | undefined): DataError | undefined {
  const awaiting = stored && SESSION.item(stored)[T.awaitingClient];
  if (!stored || awaiting?.messageId === resumes) return undefined;
  const details = { awaitingToolCallIds: awaiting?.calls.map((c) => c.toolCallId) ?? [] };
  return resumes
    ? conflict('These tool results answer requests that no longer await (another request answered them first)', details)
    : conflict('The agent awaits the answers to its tool requests: send toolResults (an approval may be denied)', details);
}

/** Longest Retry-After of a 409 TURN_IN_PROGRESS: answers usually end sooner than the lease. */
const MAX_TURN_RETRY_SECONDS = 5;

/** TURN_IN_PROGRESS when `session` (the stored item) is held by another turn, else undefined. */
export function turnInProgress(session: RawItem | undefined, nowMs: number): DataError | undefined {
  const lease = session?.[T.turnLeaseUntil];
  if (!session?.[T.turnId] || typeof lease !== 'string' || Date.parse(lease) <= nowMs) return undefined;
  const seconds = Math.min(MAX_TURN_RETRY_SECONDS, Math.max(1, Math.ceil((Date.parse(lease) - nowMs) / 1000)));
  return new DataError('TURN_IN_PROGRESS', 'Another turn of this session is running; retry when it has ended', { retryAfterSeconds: seconds });
}

/**
 * With the answer: the session is free again; `agentId`'s provider session was reached at `atIso`; the answer
 * awaits the client (`awaiting`), or nothing does any more.
 */
export const turnEnded = (answerIso: string, reached: { agentId: string; atIso: string } | undefined, awaiting?: AwaitingClient): SessionExtras => ({
  set: {
    [T.turnEndedAt]: answerIso,
    ...(reached ? { [T.providerAgentId]: reached.agentId, [T.providerReachedAt]: reached.atIso } : {}),
    ...(awaiting ? { [T.awaitingClient]: awaiting } : {}),
  },
  remove: [T.turnId, T.turnLeaseUntil, T.cancelTurnId, ...(awaiting ? [] : [T.awaitingClient])],
});

export interface ProviderState {
  agentId?: string;
  reachedAt?: string;
  /** The last answer awaits the client's tool results or approvals. */
  awaiting?: AwaitingClient;
}

/** The latest answer whose activity awaits insights (TURN_ATTRIBUTES.insightsActivity), from the stored session item. */
export const insightsActivityOf = (item: SessionItem): string | undefined =>
  typeof item[T.insightsActivity] === 'string' ? item[T.insightsActivity] : undefined;

/** Which provider session answered this session last, from its stored item. */
export function providerStateOf(item: SessionItem): ProviderState {
  return { agentId: item[T.providerAgentId], reachedAt: item[T.providerReachedAt], awaiting: item[T.awaitingClient] };
}

/** Frees the session if turn `turnId` still holds it (an answer stored after its turn ended: turn-writes.ts). */
export async function releaseTurn(sessionId: string, turnId: string, awaiting?: AwaitingClient): Promise<void> {
  try {
    await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.session(sessionId),
        ...updateExpression(
          { set: { [T.awaitingClient]: awaiting }, remove: [T.turnId, T.turnLeaseUntil, T.cancelTurnId] },
          { names: { '#turn': T.turnId }, values: { ':tid': turnId } },
        ),
        ConditionExpression: '#turn = :tid',
      }),
    );
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}

/**
 * Asks the session's running turn to stop (`turnId`: only that turn): false when no turn runs (none holds the
 * session, its lease has run out, or it is another turn than the one named).
 */
export async function requestStop(sessionId: string, userId: string, nowIso: string, turnId?: string): Promise<boolean> {
  const target = turnId ?? (await runningTurnOf(sessionId));
  if (!target) return false;
  return updateIf(async () => {
    await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.session(sessionId),
        ...updateExpression(
          { set: { [T.cancelTurnId]: target } },
          { names: { '#turn': T.turnId, '#lease': T.turnLeaseUntil }, values: { ':now': nowIso, ':uid': userId, ':tid': target } },
        ),
        ConditionExpression: 'attribute_exists(pk) AND userId = :uid AND #turn = :tid AND #lease > :now',
      }),
    );
  });
}

async function runningTurnOf(sessionId: string): Promise<string | undefined> {
  const out = await ddb().send(
    new GetCommand({
      TableName: tableName(),
      Key: keys.session(sessionId),
      ProjectionExpression: '#turn',
      ExpressionAttributeNames: { '#turn': T.turnId },
      ConsistentRead: true,
    }),
  );
  const id = out.Item?.[T.turnId];
  return typeof id === 'string' ? id : undefined;
}

/** Whether a stop was asked for turn `turnId` (one small strongly consistent read). */
export async function stopRequested(sessionId: string, turnId: string): Promise<boolean> {
  const out = await ddb().send(
    new GetCommand({
      TableName: tableName(),
      Key: keys.session(sessionId),
      ProjectionExpression: '#cancel',
      ExpressionAttributeNames: { '#cancel': T.cancelTurnId },
      ConsistentRead: true,
    }),
  );
  return out.Item?.[T.cancelTurnId] === turnId;
}

export interface Turn {
  role: 'user' | 'assistant';
  content: string;
}

/** What a turn's history reads of a message. */
const TURN_MESSAGE = MESSAGE.projection('messageId', 'role', 'content', 'status');

/**
 * The session's latest turns, oldest first, within `maxChars` (newest kept): the shown messages only (hidden
 * component messages live under another prefix), without `excludeMessageId` (the turn's own question),
 * failed answers and empty texts. One Query of at most `maxItems` items.
 */
export async function recentTurns(sessionId: string, opts: { maxChars: number; maxItems: number; excludeMessageId?: string }): Promise<Turn[]> {
  const out = await ddb().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.sessionPartition(sessionId), ':prefix': MESSAGE_PREFIX },
      ...TURN_MESSAGE,
      ScanIndexForward: false,
      Limit: opts.maxItems,
      ConsistentRead: true,
    }),
  );
  const turns: Turn[] = [];
  let used = 0;
  for (const m of (out.Items ?? []).map(TURN_MESSAGE.read)) {
    if (m.messageId === opts.excludeMessageId || m.status === 'failed' || !m.content) continue;
    if (m.role !== 'user' && m.role !== 'assistant') continue;
    if (used + m.content.length > opts.maxChars) break;
    used += m.content.length;
    turns.unshift({ role: m.role, content: m.content });
  }
  return turns;
}
