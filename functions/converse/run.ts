/**
 * A converse turn once it streams, as named steps — each testable alone:
 *   input   the provider input: session attributes, and the stored history when the provider session may be gone
 *   relay   the provider's events to the client as they arrive (chunks, traces and tool summaries, usage),
 *           watching for a stop request and the deadline
 *   persist the answer with its usage and cost, ADDed to the session in the same transaction (failed and
 *           cancelled answers too: what arrived and the usage consumed)
 *   finish  the idempotency record, then `done` or `error`
 *   title   a session the turn creates is titled from its first message while the agent answers, and the
 *           title joins the answer's transaction; a title not ready by then, or one of an existing untitled
 *           session, is stored after the stream has ended (turn-title.ts)
 * (prepare.ts is the step before: everything refusable, and the user message stored.)
 */
import type { AnswerVerification, ChatMessageUsage } from 'pika-shared/types/chatbot/chatbot-types';
import { completeIdempotencyKey, type IdempotencyRecord, releaseIdempotencyKey } from '../data/idempotency';
import { getMessage, joinExtras } from '../data/messages';
import { storeAnswer } from '../data/turn-writes';
import { retentionDaysOf } from '../data/ttl';
import { newId, nowIso } from '../data/items';
import { generatedTitleExtras, moveSessionActivity } from '../data/sessions';
import { recentTurns, stopRequested } from '../data/turns';
import { config } from '../lib/config';
import { toDomainError, type DomainError } from '../lib/errors';
import { logger } from '../http/logger';
import { ANSWERS_NOT_STORED, countMetric } from '../lib/metrics';
import { deferAnswer } from './answer-queue';
import { recordUsage } from '../lib/usage-metrics';
import { insightsActivityExtras, insightsDueWrites } from '../insights/due';
import { agentError, ConverseError } from './errors';
import { recallMemory, rememberTurn } from './memory';
import type { TurnOutcome, TurnPlan } from './prepare';
import { invokeProvider, providerIdleSeconds, stopRuntimeSession } from './providers';
import type { AgentCoreInvokeInput as ProviderInput, ToolEvent } from './providers/events';
import { sessionAttributesFor } from './session-attributes';
import type { EventSink } from './sse';
import { joinTitle, pendingTitle, type Title, titleSession, turnDebit } from './turn-title';
import { addTokens, addUsage, costOf } from './usage';
import { addEvidence, verificationOf, verifyAnswer } from './verify';
import { agentFiles } from '../files/service';

/** Answers are cut to fit the 400 KB item limit with room for the other attributes (docs/converse.md). */
export const MAX_ANSWER_BYTES = 300 * 1024;
const MAX_TRACE_KINDS = 50;
const MAX_TOOLS = 50;

const agentTimeoutMs = () => config().AGENT_TIMEOUT_MS;
/** How much earlier conversation is sent to a provider whose session may be gone (HISTORY_MAX_CHARS). */
const historyMaxChars = () => config().HISTORY_MAX_CHARS;
const HISTORY_MAX_MESSAGES = 100;
/** How often a streaming turn checks for a stop request (STOP_POLL_MS): at most one small read a second. */
const stopPollMs = () => config().STOP_POLL_MS;
/** Time kept after the agent's deadline to store the answer before the invocation ends. */
const PERSIST_RESERVE_MS = 3_000;
export interface RunOptions {
  /** Epoch ms when the invocation ends (Lambda: now + getRemainingTimeInMillis()). */
  deadlineMs: number;
}

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

function traceKind(trace: Record<string, unknown>): string {
  const kind = Object.keys(trace)[0] ?? 'unknown';
  const inner = trace[kind] as Record<string, unknown> | undefined;
  return inner && typeof inner === 'object' ? `${kind}.${Object.keys(inner)[0] ?? ''}` : kind;
}

/** What the relay step gathered. */
export interface Relayed {
  text: string;
  tokens: { inputTokens: number; outputTokens: number };
  /** False when the provider reported no usage at all: the message says so rather than invent numbers. */
  usageReported: boolean;
  traceKinds: string[];
  tools: { name: string; status?: string }[];
  stopReason?: string;
  /** The provider answered at least once: its session now holds this turn. */
  reached: boolean;
  cancelled: boolean;
  failure?: DomainError;
  /** What the agent used (tool results, knowledge-base references), bounded; gathered only for answer verification. */
  evidence?: string[];
  /** Added by answer verification (verify.ts): the gradings' usage (at the grader's prices) and message metadata. */
  extra?: { usage?: ChatMessageUsage; metadata: Record<string, unknown> };
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

/** A relay that failed before the provider answered anything (history read, a retry's call): stored as failed. */
export const failedRelay = (err: unknown): Relayed => ({
  text: '',
  tokens: { inputTokens: 0, outputTokens: 0 },
  usageReported: false,
  traceKinds: [],
  tools: [],
  reached: false,
  cancelled: false,
  failure: toDomainError(err),
});

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
  const history = needsHistory(plan)
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
    ...(await recall),
  };
}

/** Step 2: the provider's answer to the client as it arrives; stops on a stop request or the deadline. */
export async function relay(plan: TurnPlan, input: Omit<ProviderInput, 'signal'>, sink: EventSink, opts: RunOptions): Promise<Relayed> {
  const streamTraces = Boolean(plan.app.streamTraces && plan.app.features?.traces?.enabled !== false);
  const out: Relayed = {
    text: '',
    tokens: { inputTokens: 0, outputTokens: 0 },
    usageReported: false,
    traceKinds: [],
    tools: [],
    reached: false,
    cancelled: false,
  };
  if (verificationOf(plan.app)) out.evidence = [];
  const abort = new AbortController();
  let timedOut = false;
  // The agent gets AGENT_TIMEOUT_MS, but never so long that the answer could not be stored in time.
  const agentMs = Math.max(0, Math.min(agentTimeoutMs(), opts.deadlineMs - PERSIST_RESERVE_MS - Date.now()));
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, agentMs);
  const stopWatch = watchForStop(plan, () => {
    out.cancelled = true;
    abort.abort();
  });
  try {
    for await (const event of invokeProvider(plan.agent.agent, { ...input, signal: abort.signal })) {
      out.reached = true;
      if (out.evidence) addEvidence(out.evidence, event);
      if (event.type === 'chunk') {
        out.text += event.text;
        sink.send('chunk', { text: event.text });
      } else if (event.type === 'trace') {
        if (event.usage) {
          out.tokens = addTokens(out.tokens, event.usage);
          out.usageReported = true;
        }
        if (out.traceKinds.length < MAX_TRACE_KINDS) out.traceKinds.push(traceKind(event.trace));
        if (streamTraces) sink.send('trace', event.trace);
      } else if (event.type === 'usage') {
        out.tokens = addTokens(out.tokens, event);
        out.usageReported = true;
      } else if (event.type === 'tool') {
        recordTool(out, event);
        if (streamTraces) sink.send('tool', toolSummary(event));
      } else if (event.type === 'stop') {
        out.stopReason = event.reason;
      }
    }
  } catch (err) {
    if (!out.cancelled) {
      out.failure = agentError(err, timedOut);
      logger.warn('agent failed', { sessionId: plan.session.sessionId, code: out.failure.code, errorName: (err as { name?: string })?.name });
    }
  } finally {
    clearTimeout(timer);
    stopWatch.stop();
  }
  // An aborted stream may simply end instead of throwing: a timed-out answer is never a complete one.
  if (timedOut && !out.failure && !out.cancelled) out.failure = agentError(undefined, true);
  if (out.cancelled && plan.agent.agent.kind === 'agentcore-runtime') {
    // The runtime agent's own work stops too, not only our read of it.
    await stopRuntimeSession(plan.agent.agent, plan.session.sessionId).catch((err) =>
      logger.warn('runtime session not stopped', { errorName: (err as Error)?.name }),
    );
  }
  return out;
}

/** Checks for a stop request at most once per STOP_POLL_MS while the turn streams. */
function watchForStop(plan: TurnPlan, onStop: () => void): { stop(): void } {
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    stopRequested(plan.session.sessionId, plan.turnId)
      .then((stop) => {
        if (stop) {
          clearInterval(timer);
          onStop();
        }
      })
      .catch((err) => logger.warn('stop check failed', { errorName: (err as Error)?.name }))
      .finally(() => (checking = false));
  }, stopPollMs());
  return { stop: () => clearInterval(timer) };
}

function recordTool(out: Relayed, event: ToolEvent): void {
  if (event.phase === 'use') {
    if (out.tools.length < MAX_TOOLS) out.tools.push({ name: event.name });
  } else {
    const tool = out.tools.at(-1);
    if (tool && event.status) tool.status = event.status;
  }
}

/** What the client is told of a tool: its name and outcome, never its input or output. */
const toolSummary = (event: ToolEvent) =>
  event.phase === 'use'
    ? { phase: 'use', toolUseId: event.toolUseId, name: event.name }
    : { phase: 'result', toolUseId: event.toolUseId, ...(event.status ? { status: event.status } : {}) };

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
    status: r.failure ? ('failed' as const) : r.cancelled ? ('cancelled' as const) : ('complete' as const),
    usage,
    metadata: {
      traces: r.traceKinds,
      ...(r.tools.length ? { tools: r.tools } : {}),
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
    const record = { ...stored, messageId: newId(), turnId: plan.turnId, debit: { ...debit, at: new Date(debit.at).toISOString() } };
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
      messageIds: [plan.userMessageId, messageId],
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
    });
  sink.end();
}

export async function runTurn(plan: TurnPlan, sink: EventSink, opts: RunOptions): Promise<void> {
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
  const [stored] = await Promise.all([persist(plan, r, title), r.failure || r.cancelled ? undefined : rememberTurn(plan, r.text, opts.deadlineMs)]);
  await finish(plan, r, stored, sink);
  // A title asked for and not joined is stored all the same (its tokens are spent, so they are debited).
  if (!title && (pending || (!stored.failure && !r.cancelled && !plan.session.title))) await titleSession(plan, r.text, opts.deadlineMs, pending);
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
export async function replayTurn(record: IdempotencyRecord<TurnOutcome>, sink: EventSink): Promise<void> {
  const r = record.result;
  if (!r) throw new ConverseError('INTERNAL', 'The completed turn has no stored outcome');
  sink.send('session', { sessionId: r.sessionId, userMessageId: r.userMessageId });
  const message = await getMessage(r.sessionId, r.messageId, r.source);
  if (message?.content) sink.send('chunk', { text: message.content });
  const verification = message?.metadata?.verification as AnswerVerification | undefined;
  if (verification) sink.send('verification', { grade: verification.grade, reason: verification.reason });
  if (r.error) sink.send('error', r.error);
  else sink.send('done', { sessionId: r.sessionId, userMessageId: r.userMessageId, messageId: r.messageId, usage: message?.usage, replayed: true });
  sink.end();
}
