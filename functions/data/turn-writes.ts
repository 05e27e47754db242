/**
 * A converse turn's writes, as two named operations (docs/data-model.md#a-turns-writes):
 *   storeUserMessage  the question, the session held by this turn (one turn at a time), and — for a budgeted
 *                     user — what the turn sets aside on their budget, in ONE transaction
 *   storeAnswer       the answer, the session freed and its counters, the user's usage settled and the debit
 *                     record the usage stream adds to the shared totals, in ONE transaction
 * Every item either writes belongs to the session or to its user: no transaction of a turn touches an item
 * that other users' turns share (test/data/write-plan.test.ts). Retries live in messages.ts (withRetry).
 */
import type { ChatMessageUsage } from 'pika-shared/types/chatbot/chatbot-types';
import { type AwaitingClient, fromAttributeValues, type RawItem } from './items';
import { appendMessage, type AppendMessageInput, type MessageAt, type StoredMessage, startSessionWithMessage } from './messages';
import { joinExtras, type SessionExtras } from './session-update';
import type { CreateSessionInput, Session } from './sessions';
import type { TransactItems } from './transact';
import { awaitingChanged, releaseTurn, sessionFree, turnEnded, turnInProgress, turnStarted } from './turns';
import { reserveUsageWrites, usageWrites, type Reservation, type UsageDebit, type UserLimits } from './usage-aggregates';

/** A budgeted user's turn: what it sets aside, under which limits, and the error when a limit is reached. */
export interface TurnReservation {
  amount: Reservation;
  limits: UserLimits;
  /** The refusal when the day's (`daily`) or month's (`monthly`) limit is reached; `committed` = the item as it was. */
  refused: (period: 'daily' | 'monthly', committed: RawItem | undefined) => Error;
}

export interface UserMessageInput {
  userId: string;
  chatAppId: string;
  /** The existing session, or what to create. */
  session: { sessionId: string } | { create: CreateSessionInput };
  message: Pick<AppendMessageInput, 'content' | 'source' | 'metadata' | 'files'>;
  /** The turn's id, and until when it holds the session (the invocation's deadline). */
  turnId: string;
  leaseUntilIso: string;
  reservation?: TurnReservation;
  /** The awaiting answer (message id) whose tool requests this turn answers; none: nothing may await the client. */
  resumes?: string;
  /** The chat app's retention (ttl.retentionDaysOf): the `expiresAt` of everything the turn writes. */
  retentionDays?: number;
}

/**
 * The question of a turn. An existing session held by another running turn is refused with 409
 * TURN_IN_PROGRESS, one whose awaiting answer is not the one `resumes` names with 409 CONFLICT; a reached budget
 * with the reservation's error; in each case nothing is written.
 */
export async function storeUserMessage(input: UserMessageInput): Promise<{ session?: Session; message: StoredMessage }> {
  const now = Date.now();
  const reservation = input.reservation;
  const transactItems = reservation ? reservationItems(input, reservation, now) : [];
  const refuse = ({ session, extras }: { session?: RawItem; extras: { Code?: string; Item?: Record<string, unknown> }[] }) => {
    const busy = turnInProgress(session, now) ?? awaitingChanged(session, input.resumes);
    if (busy) return busy;
    const failed = extras.findIndex((r) => r.Code === 'ConditionalCheckFailed');
    if (failed < 0 || !reservation) return undefined;
    return reservation.refused(failed === 0 ? 'daily' : 'monthly', extras[failed]?.Item ? fromAttributeValues(extras[failed].Item) : undefined);
  };
  const first = {
    role: 'user' as const,
    ...input.message,
    sessionExtras: turnStarted(input.turnId, input.leaseUntilIso),
    // The session's activity moves once per turn, with the answer.
    activity: 'keep' as const,
    transactItems,
    refuse,
    ...(input.retentionDays !== undefined ? { retentionDays: input.retentionDays } : {}),
  };
  if ('create' in input.session) return startSessionWithMessage(input.session.create, first);
  const message = await appendMessage({
    ...first,
    userId: input.userId,
    sessionId: input.session.sessionId,
    sessionCondition: sessionFree(new Date(now).toISOString(), input.resumes),
  });
  return { message };
}

function reservationItems(input: UserMessageInput, r: TurnReservation, nowMs: number): TransactItems {
  return reserveUsageWrites({ userId: input.userId, chatAppId: input.chatAppId, at: nowMs }, r.amount, r.limits);
}

export interface AnswerInput extends Pick<AppendMessageInput, 'content' | 'source' | 'status' | 'metadata' | 'error' | 'retentionDays'> {
  userId: string;
  sessionId: string;
  usage: ChatMessageUsage;
  /** What the turn spent (answer and a title that joins it), attributed for budgets and reports. */
  debit: UsageDebit;
  /** What the turn set aside on the user's budget: given back as the spend is settled. */
  release?: Reservation;
  /** The provider session this answer came from, when reached. */
  reached?: { agentId: string; atIso: string };
  /** The answer asks the client (its message id is filled in): kept on the session until the next answer. */
  awaiting?: Omit<AwaitingClient, 'messageId'>;
  /** Other concerns' session extras and items that commit with the answer (title, insights). */
  extras?: (at: MessageAt) => { session?: SessionExtras; items?: TransactItems };
  /** A session the turn created moves its activity here; an existing one after the answer (sessions.moveSessionActivity). */
  activity: 'move' | 'keep';
}

/** The answer of a turn, with everything that commits with it. */
export async function storeAnswer(input: AnswerInput): Promise<StoredMessage> {
  return appendMessage({
    userId: input.userId,
    sessionId: input.sessionId,
    role: 'assistant',
    content: input.content,
    source: input.source,
    status: input.status,
    usage: input.usage,
    metadata: input.metadata,
    error: input.error,
    retentionDays: input.retentionDays,
    activity: input.activity,
    sessionExtras: (at) =>
      joinExtras(
        turnEnded(at.createDate, input.reached, input.awaiting ? { ...input.awaiting, messageId: at.messageId } : undefined),
        input.extras?.(at).session,
      ),
    transactItems: (at) => [
      ...usageWrites(input.debit, { sessionId: input.sessionId, debitId: at.messageId, ...(input.release ? { release: input.release } : {}) }),
      ...(input.extras?.(at).items ?? []),
    ],
  });
}

/**
 * An answer that could not be stored when its turn ended (DynamoDB failing or throttling past the retries),
 * as the redrive queue carries it: everything `storeAnswer` writes but the session's activity, title, insights
 * and lease (the lease ends with the turn's invocation). Its id is fixed, so it is stored exactly once however
 * often it is delivered.
 */
export interface AnswerRecord
  extends Pick<AnswerInput, 'userId' | 'sessionId' | 'content' | 'source' | 'status' | 'metadata' | 'error' | 'usage' | 'release' | 'retentionDays'> {
  messageId: string;
  /** The turn that answered: the session is freed if it still holds it. */
  turnId: string;
  debit: Omit<UsageDebit, 'at'> & { at: string };
  /** The answer asks the client: its calls await as the session is freed (not if another turn took the session meanwhile). */
  awaiting?: Omit<AwaitingClient, 'messageId'>;
}

/** Stores a redriven answer with its usage (session counters, the user's items, the debit record), once; frees the session. */
export async function storeRedrivenAnswer(record: AnswerRecord): Promise<StoredMessage> {
  const message = await appendMessage({
    userId: record.userId,
    sessionId: record.sessionId,
    messageId: record.messageId,
    role: 'assistant',
    content: record.content,
    source: record.source,
    status: record.status,
    usage: record.usage,
    metadata: record.metadata,
    error: record.error,
    retentionDays: record.retentionDays,
    activity: 'keep',
    transactItems: usageWrites(record.debit, {
      sessionId: record.sessionId,
      debitId: record.messageId,
      ...(record.release ? { release: record.release } : {}),
    }),
  });
  await releaseTurn(record.sessionId, record.turnId, record.awaiting && { ...record.awaiting, messageId: record.messageId });
  return message;
}
