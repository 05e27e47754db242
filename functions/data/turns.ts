/**
 * Converse turn bookkeeping on the session item, folded into the writes a turn makes anyway (the user
 * message and the answer transactions): how many turns run and until when, stop requests, and which
 * provider session answered last. Only a stop request and the running turn's check of it are requests of
 * their own.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ChatMessage } from 'pika-shared/types/chatbot/chatbot-types';
import { ddb, tableName } from './client';
import { updateExpression } from './expressions';
import { TURN_ATTRIBUTES as T } from './items';
import { keys, MESSAGE_PREFIX } from './keys';
import { isConditionFailure } from './retry';
import type { SessionExtras } from './messages';

/** With the user message: one more turn runs, until `deadlineIso` at the latest. */
export const turnStarted = (deadlineIso: string): SessionExtras => ({ set: { [T.runningUntil]: deadlineIso }, add: { [T.running]: 1 } });

/** With the answer: the turn no longer runs; `agentId`'s provider session was reached at `atIso`. */
export const turnEnded = (reached: { agentId: string; atIso: string } | undefined): SessionExtras => ({
  ...(reached ? { set: { [T.providerAgentId]: reached.agentId, [T.providerReachedAt]: reached.atIso } } : {}),
  add: { [T.running]: -1 },
});

export interface ProviderState {
  agentId?: string;
  reachedAt?: string;
}

/** The latest answer whose activity awaits insights (TURN_ATTRIBUTES.insightsActivity), from the stored session item. */
export const insightsActivityOf = (item: Record<string, unknown>): string | undefined =>
  typeof item[T.insightsActivity] === 'string' ? (item[T.insightsActivity] as string) : undefined;

/** Which provider session answered this session last, from its stored item. */
export function providerStateOf(item: Record<string, unknown>): ProviderState {
  return {
    ...(typeof item[T.providerAgentId] === 'string' ? { agentId: item[T.providerAgentId] as string } : {}),
    ...(typeof item[T.providerReachedAt] === 'string' ? { reachedAt: item[T.providerReachedAt] as string } : {}),
  };
}

/**
 * Asks the running turns of a session to stop: false when none runs (no running turn, or only turns whose
 * invocation has ended without saying so).
 */
export async function requestStop(sessionId: string, userId: string, nowIso: string): Promise<boolean> {
  try {
    await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.session(sessionId),
        ...updateExpression(
          { set: { [T.cancelRequestedAt]: nowIso } },
          { names: { '#running': T.running, '#until': T.runningUntil }, values: { ':now': nowIso, ':uid': userId, ':zero': 0 } },
        ),
        ConditionExpression: 'attribute_exists(pk) AND userId = :uid AND #running > :zero AND #until > :now',
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/** Whether a stop was requested after `sinceIso` (one small strongly consistent read). */
export async function stopRequestedSince(sessionId: string, sinceIso: string): Promise<boolean> {
  const out = await ddb().send(
    new GetCommand({
      TableName: tableName(),
      Key: keys.session(sessionId),
      ProjectionExpression: '#cancel',
      ExpressionAttributeNames: { '#cancel': T.cancelRequestedAt },
      ConsistentRead: true,
    }),
  );
  const at = out.Item?.[T.cancelRequestedAt];
  return typeof at === 'string' && at >= sinceIso;
}

export interface Turn {
  role: 'user' | 'assistant';
  content: string;
}

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
      ProjectionExpression: 'messageId, #role, content, #status',
      ExpressionAttributeNames: { '#role': 'role', '#status': 'status' },
      ScanIndexForward: false,
      Limit: opts.maxItems,
      ConsistentRead: true,
    }),
  );
  const turns: Turn[] = [];
  let used = 0;
  for (const m of (out.Items ?? []) as Pick<ChatMessage, 'messageId' | 'role' | 'content' | 'status'>[]) {
    if (m.messageId === opts.excludeMessageId || m.status === 'failed' || !m.content) continue;
    if (m.role !== 'user' && m.role !== 'assistant') continue;
    if (used + m.content.length > opts.maxChars) break;
    used += m.content.length;
    turns.unshift({ role: m.role, content: m.content });
  }
  return turns;
}
