/**
 * A converse turn once it streams, as named steps — each testable alone:
 *   input   the provider input: session attributes, and the stored history when the provider session may be gone
 *   relay   the provider's events to the client as they arrive (chunks, traces and tool summaries, usage),
 *           watching for a stop request and the deadline (relay.ts); then answer verification (verify.ts)
 *   persist the answer with its usage and cost, ADDed to the session in the same transaction (failed and
 *           cancelled answers too: what arrived and the usage consumed)
 *   finish  the idempotency record, then `done` or `error`
 *   title   a session the turn creates is titled from its first message while the agent answers, and the
 *           title joins the answer's transaction; a title not ready by then, or one of an existing untitled
 *           session, is stored after the stream has ended (turn-title.ts)
 * (prepare.ts is the step before: everything refusable, and the user message stored.)
 */
import type { AnswerVerification, ChatMessageUsage, ToolRequest } from 'pika-shared/types/chatbot/chatbot-types';
import { completeIdempotencyKey, type IdempotencyRecord, releaseIdempotencyKey } from '../data/idempotency';
import { getMessage } from '../data/messages';
import { joinExtras } from '../data/session-update';
import { storeAnswer } from '../data/turn-writes';
import { retentionDaysOf } from '../data/ttl';
import { newId, nowIso } from '../data/items';
import { generatedTitleExtras, moveSessionActivity } from '../data/sessions';
import { recentTurns } from '../data/turns';
import { config } from '../platform/config';
import { toDomainError, type DomainError } from '../platform/errors';
import { logger } from '../platform/logger';
import { ANSWERS_NOT_STORED, countMetric } from '../platform/metrics';
import { deferAnswer } from './answer-queue';
import { recordUsage } from '../platform/usage-metrics';
import { insightsActivityExtras, insightsDueWrites } from '../insights/due';
import { ConverseError } from './errors';
import { recallMemory, rememberTurn } from './memory';
import type { TurnOutcome, TurnPlan } from './prepare';
import { providerIdleSeconds } from './providers';
import type { ProviderInput } from './providers/events';
import { failedRelay, type Relayed, relay, type RunOptions } from './relay';
import { sessionAttributesFor } from './session-attributes';
import type { EventSink } from '../http/sse';
import { joinTitle, pendingTitle, type Title, titleSession, turnDebit } from './turn-title';
import { addUsage, costOf } from '../models/pricing';
import { verifyAnswer } from './verify';
import { toolRequestOf } from './client-tools';
import { agentFiles } from '../files/service';

/** Answers are cut to fit the 400 KB item limit with room for the other attributes (docs/converse.md). */
export const MAX_ANSWER_BYTES = 300 * 1024;
/** How much earlier conversation is sent to a provider whose session may be gone (HISTORY_MAX_CHARS). */
const historyMaxChars = () => config().HISTORY_MAX_CHARS;
const HISTORY_MAX_MESSAGES = 100;
export function truncateUtf8(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, truncated: false };
  return {
    text: bytes
      .subarray(0, maxBytes)
      .toString('utf8')
      .replace(/\uFFFD$/, ''),
    truncated: true,
  };
}

/**
 * Whether the provider may have lost the conversation: another agent answered last, or its session idled
 * longer than the provider keeps one. A session's first turn has nothing to resend.
 */
export function needsHistory(plan: Pick<TurnPlan, 'sessionCreated' | 'provider' | 'agent'>, nowMs = Date.now()): boolean {
  if (plan.sessionCreated) return false;
  const { agentId, reachedAt } = plan.provider;
  if (agentId !== plan.agent.agentId || !reachedAt) return true;
  return nowMs - Date.parse(reachedAt) >= providerIdleSeconds(plan.agent) * 1000;
}

/** Step 1: what the provider is sent. */
export async function providerInput(plan: TurnPlan): Promise<Omit<ProviderInput, 'signal'>> {
  const recall = recallMemory(plan); // alongside the history read; bounded in time, never throws
  const sessionAttributes = sessionAttributesFor({
    user: plan.user,
    userId: plan.userId,
    sessionId: plan.session.sessionId,
    chatAppId: plan.app.chatAppId,
    agentId: plan.agent.agentId,
    app: plan.app,
    ...(plan.timezone ? { timezone: plan.timezone } : {}),
    ...(plan.userType ? { userType: plan.userType } : {}),
    invocationMode: plan.invocationMode,
    source: plan.source,
  });
  // A resumed turn continues the paused invocation of the same provider session: nothing else is sent.
  const history =
    !plan.resume && needsHistory(plan)
      ? await recentTurns(plan.session.sessionId, { maxChars: historyMaxChars(), maxItems: HISTORY_MAX_MESSAGES, excludeMessageId: plan.userMessageId })
      : [];
  const files = plan.files?.length ? await agentFiles(plan.app, plan.files) : [];
  return {
    sessionId: plan.session.sessionId,
    userId: plan.userId,
    inputText: plan.message,
    sessionAttributes,
    ...(history.length ? { history } : {}),
    ...(files.length ? { files } : {}),
    ...(plan.resume ? { resume: plan.resume } : {}),
    ...(await recall),
  };
}

/**
 * Step 3: the answer stored (with the session's counters and turn bookkeeping in the same transaction), then
 * the session's activity moved to it.
 */
export async function persist(
  plan: TurnPlan,
  r: Relayed,
  title?: Title,
): Promise<{ messageId?: string; usage: ChatMessageUsage; failure?: DomainError; deferred?: boolean }> {
  const usage = addUsage(costOf(r.tokens, plan.agent.pricing), r.extra?.usage);
  const awaiting = awaitingOf(plan, r);
  const answer = truncateUtf8(r.text, MAX_ANSWER_BYTES);
  recordUsage({ ...turnDebit(plan, usage, 1), turns: 1, failed: Boolean(r.failure) });
  if (title?.usage) recordUsage({ ...turnDebit(plan, title.usage, 0), turns: 0 });
  // One debit for the answer and the title that joins it: the user's usage items are written once.
  const debit = turnDebit(plan, title?.usage ? addUsage(usage, title.usage) : usage, 1);
  const stored = {
    userId: plan.userId,
    sessionId: plan.session.sessionId,
    retentionDays: retentionDaysOf(plan.app),
    content: answer.text,
    source: plan.source,
    status: r.failure ? ('failed' as const) : r.cancelled ? ('cancelled' as const) : awaiting ? ('awaiting-client' as const) : ('complete' as const),
    usage,
    metadata: {
      traces: r.traceKinds,
      ...(r.tools.length ? { tools: r.tools } : {}),
      ...(awaiting ? { toolRequests: awaiting.calls.map(toolRequestOf) } : {}),
      ...(r.stopReason ? { stopReason: r.stopReason } : {}),
      ...(r.usageReported ? {} : { usageReported: false }),
      ...(answer.truncated ? { truncated: true } : {}),
      ...r.extra?.metadata,
    },
    ...(r.failure ? { error: { code: r.failure.code, message: r.failure.message } } : {}),
    ...(plan.reservation ? { release: plan.reservation } : {}),
  };
  try {
    const message = await storeAnswer({
      ...stored,
      debit,
      ...(r.reached ? { reached: { agentId: plan.agent.agentId, atIso: nowIso() } } : {}),
      ...(awaiting ? { awaiting } : {}),
      // A title that is ready joins the answer; this activity's insights become due (functions/insights/due.ts).
      extras: (at) => ({
        session: joinExtras(title ? generatedTitleExtras(title.title, title.usage) : undefined, insightsActivityExtras(plan.app, at)),
        items: insightsDueWrites(plan.app, plan.session, at, plan.insightsPending),
      }),
      // A session this turn created moves in this transaction (its user message created it in place); an
      // existing one in a write of its own, below.
      activity: plan.sessionCreated ? 'move' : 'keep',
    });
    await moveActivity(plan, message.createDate);
    return { messageId: message.messageId, usage, ...(r.failure ? { failure: r.failure } : {}) };
  } catch (err) {
    const failure = toDomainError(err);
    logger.error('assistant message not stored', { sessionId: plan.session.sessionId, errorName: (err as { name?: string })?.name, code: failure.code });
    // The table failed (not the session gone): the answer goes to the redrive queue and is stored later, once.
    const record = { ...stored, messageId: newId(), turnId: plan.turnId, debit: { ...debit, at: new Date(debit.at).toISOString() }, awaiting };
    if (failure.code !== 'NOT_FOUND' && (await deferAnswer(record)))
      return { messageId: record.messageId, usage, deferred: true, ...(r.failure ? { failure: r.failure } : {}) };
    countMetric(ANSWERS_NOT_STORED); // alarmed (ChatObservability): an answer the user read and the table does not hold
    await moveActivity(plan, plan.startedAt);
    return { usage, failure: r.failure ?? failure };
  }
}

/** Step 4: the idempotency record, then the stream's last event. */
export async function finish(plan: TurnPlan, r: Relayed, stored: Awaited<ReturnType<typeof persist>>, sink: EventSink): Promise<void> {
  const { session } = plan;
  const { messageId, usage, failure, deferred } = stored;
  if (plan.idempotency && messageId) {
    await completeIdempotencyKey<TurnOutcome>(plan.idempotency.scope, plan.idempotency.key, {
      sessionId: session.sessionId,
      userMessageId: plan.userMessageId,
      messageId,
      source: plan.source,
      ...(failure ? { error: { code: failure.code, message: failure.message } } : {}),
    }).catch((err) => logger.warn('idempotency record not completed', { errorName: (err as { name?: string })?.name }));
  } else if (plan.idempotency) {
    // Nothing stored (the session was deleted meanwhile): the key is free at once for a retry, not "still running".
    await releaseIdempotencyKey(plan.idempotency.scope, plan.idempotency.key).catch((err) =>
      logger.warn('idempotency record not released', { errorName: (err as { name?: string })?.name }),
    );
  }
  if (failure) sink.send('error', { code: failure.code, message: failure.message });
  else
    sink.send('done', {
      sessionId: session.sessionId,
      userMessageId: plan.userMessageId,
      messageId,
      usage,
      ...(r.cancelled ? { cancelled: true } : {}),
      ...(deferred ? { deferred: true } : {}),
      // A deferred one too: the redrive keeps its calls pending as it frees the session (answers meanwhile: 409 TURN_IN_PROGRESS).
      ...(awaitingOf(plan, r) ? { awaitingClient: true } : {}),
    });
}

/** What the session awaits after this answer: the calls the agent handed to the client, unless the answer failed or was stopped. */
function awaitingOf(plan: TurnPlan, r: Relayed) {
  if (!r.asked.length || r.failure || r.cancelled) return undefined;
  return { agentId: plan.agent.agentId, ...(r.invocationId ? { invocationId: r.invocationId } : {}), calls: r.asked };
}

/** The turn's events; what is left once the client has its answer (a title not joined) is handed back to the pipeline. */
export async function runTurn(plan: TurnPlan, sink: EventSink, opts: RunOptions): Promise<(() => Promise<unknown>) | undefined> {
  sink.send('session', { sessionId: plan.session.sessionId, userMessageId: plan.userMessageId });
  // A session this turn created: its title from the first message, while the agent answers.
  const pending = pendingTitle(plan, opts.deadlineMs);
  let r: Relayed;
  try {
    const input = await providerInput(plan);
    r = await relay(plan, input, sink, opts);
    // Answer verification (verify.ts); a retry is a follow-up in the same provider session, so no history.
    r = await verifyAnswer(plan, r, sink, opts, (inputText) => relay(plan, { ...input, inputText, history: undefined }, sink, opts));
  } catch (err) {
    // Reading the history failed: the turn is stored as failed like any dependency failure.
    r = failedRelay(err);
  }
  const title = await joinTitle(pending);
  // Memory keeps finished exchanges: not an answer awaiting the client, nor the turn that answers it.
  const remember = !(r.failure || r.cancelled || r.asked.length || plan.resume);
  const [stored] = await Promise.all([persist(plan, r, title), remember ? rememberTurn(plan, r.text, opts.deadlineMs) : undefined]);
  await finish(plan, r, stored, sink);
  // A title asked for and not joined is stored all the same (its tokens are spent, so they are debited).
  if (!title && (pending || (!stored.failure && !r.cancelled && !plan.session.title && !plan.resume)))
    return () => titleSession(plan, r.text, opts.deadlineMs, pending);
  return undefined;
}

/**
 * An existing session's one re-sort per turn: lastUpdate and the activity index keys (gsi1, gsi2, gsi4) move
 * to the turn's last message in a single conditional write after the answer's transaction — not inside the
 * turn's two transactions, where every index write is billed twice. A failure leaves the lists in their
 * previous order until the next turn: logged, never the turn's failure.
 */
async function moveActivity(plan: TurnPlan, atIso: string): Promise<void> {
  if (plan.sessionCreated) return;
  await moveSessionActivity(plan.session.sessionId, atIso).catch((err) =>
    logger.error('session activity not moved', { sessionId: plan.session.sessionId, errorName: (err as { name?: string })?.name }),
  );
}

/** A retried request with a used idempotency key: the stored outcome again, without calling the agent. */
export async function replayTurn(record: IdempotencyRecord<TurnOutcome>, sink: EventSink): Promise<undefined> {
  const r = record.result;
  if (!r) throw new ConverseError('INTERNAL', 'The completed turn has no stored outcome');
  sink.send('session', { sessionId: r.sessionId, userMessageId: r.userMessageId });
  const message = await getMessage(r.sessionId, r.messageId, r.source);
  if (message?.content) sink.send('chunk', { text: message.content });
  for (const request of (message?.metadata?.toolRequests as ToolRequest[] | undefined) ?? []) sink.send('tool_request', request);
  const verification = message?.metadata?.verification as AnswerVerification | undefined;
  if (verification) sink.send('verification', { grade: verification.grade, reason: verification.reason });
  if (r.error) sink.send('error', r.error);
  else
    sink.send('done', {
      sessionId: r.sessionId,
      userMessageId: r.userMessageId,
      messageId: r.messageId,
      usage: message?.usage,
      replayed: true,
      ...(message?.status === 'awaiting-client' ? { awaitingClient: true } : {}),
    });
  return undefined;
}
