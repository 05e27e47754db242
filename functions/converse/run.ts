/**
 * A converse turn once it streams: relays the agent's chunks as they arrive, sums token usage from the
 * traces, stores the assistant message with its usage and cost (ADDed to the session in the same
 * transaction), and ends with `done` or `error`. A failure mid-stream still stores what arrived and the
 * usage consumed. The title is made after the stream has ended, so it never delays the answer.
 */
import type { ChatMessageUsage } from 'pika-shared/types/chatbot/chatbot-types';
import { completeIdempotencyKey, type IdempotencyRecord } from '../data/idempotency';
import { appendMessage, getMessage } from '../data/messages';
import { claimTitle, setGeneratedTitle } from '../data/sessions';
import { toDomainError, type DomainError } from '../lib/errors';
import { agentError, ConverseError } from './errors';
import { logger } from '../http/logger';
import { invokeAgent } from './bedrock';
import type { TurnPlan } from './prepare';
import { sessionAttributesFor } from './session-attributes';
import type { EventSink } from './sse';
import { fallbackTitle, generateTitle } from './title';
import { addTokens, costOf } from './usage';

/** Answers are cut to fit the 400 KB item limit with room for the other attributes (docs/converse.md). */
export const MAX_ANSWER_BYTES = 300 * 1024;
const MAX_TRACE_KINDS = 50;

const agentTimeoutMs = () => Number(process.env.AGENT_TIMEOUT_MS ?? 120_000);
/** Time kept after the agent's deadline to store the answer before the invocation ends. */
const PERSIST_RESERVE_MS = 3_000;
/** Below this much time left, the title is the trimmed first message instead of a model call. */
const TITLE_MIN_MS = 1_500;

export interface RunOptions {
  /** Epoch ms when the invocation ends (Lambda: now + getRemainingTimeInMillis()). */
  deadlineMs: number;
}

export function truncateUtf8(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, truncated: false };
  return { text: bytes.subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, ''), truncated: true };
}

function traceKind(trace: Record<string, unknown>): string {
  const kind = Object.keys(trace)[0] ?? 'unknown';
  const inner = trace[kind] as Record<string, unknown> | undefined;
  return inner && typeof inner === 'object' ? `${kind}.${Object.keys(inner)[0] ?? ''}` : kind;
}

export async function runTurn(plan: TurnPlan, sink: EventSink, opts: RunOptions): Promise<void> {
  const { session } = plan;
  sink.send('session', { sessionId: session.sessionId, userMessageId: plan.userMessageId });
  const attributes = sessionAttributesFor({
    user: plan.user,
    userId: plan.userId,
    sessionId: session.sessionId,
    chatAppId: plan.app.chatAppId,
    agentId: plan.agent.agentId,
    app: plan.app,
    ...(plan.timezone ? { timezone: plan.timezone } : {}),
    ...(plan.userType ? { userType: plan.userType } : {}),
    invocationMode: plan.invocationMode,
    source: plan.source,
  });
  const streamTraces = Boolean(plan.app.streamTraces && plan.app.features?.traces?.enabled !== false);
  const abort = new AbortController();
  let timedOut = false;
  // The agent gets AGENT_TIMEOUT_MS, but never so long that the answer could not be stored in time.
  const agentMs = Math.max(0, Math.min(agentTimeoutMs(), opts.deadlineMs - PERSIST_RESERVE_MS - Date.now()));
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, agentMs);

  let text = '';
  let tokens = { inputTokens: 0, outputTokens: 0 };
  const traceKinds: string[] = [];
  let failure: DomainError | undefined;
  try {
    for await (const event of invokeAgent(plan.agent, { sessionId: session.sessionId, inputText: plan.message, sessionAttributes: attributes, signal: abort.signal })) {
      if (event.type === 'chunk') {
        text += event.text;
        sink.send('chunk', { text: event.text });
      } else {
        if (event.usage) tokens = addTokens(tokens, event.usage);
        if (traceKinds.length < MAX_TRACE_KINDS) traceKinds.push(traceKind(event.trace));
        if (streamTraces) sink.send('trace', event.trace);
      }
    }
  } catch (err) {
    failure = agentError(err, timedOut);
    logger.warn('agent failed', { sessionId: session.sessionId, code: failure.code, errorName: (err as { name?: string })?.name });
  } finally {
    clearTimeout(timer);
  }
  // An aborted stream may simply end instead of throwing: a timed-out answer is never a complete one.
  if (timedOut && !failure) failure = agentError(undefined, true);

  const usage: ChatMessageUsage = costOf(tokens, plan.agent.pricing);
  const answer = truncateUtf8(text, MAX_ANSWER_BYTES);
  let messageId: string | undefined;
  try {
    const stored = await appendMessage({
      userId: plan.userId,
      sessionId: session.sessionId,
      role: 'assistant',
      content: answer.text,
      source: plan.source,
      status: failure ? 'failed' : 'complete',
      usage,
      metadata: { traces: traceKinds, ...(answer.truncated ? { truncated: true } : {}) },
      ...(failure ? { error: { code: failure.code, message: failure.message } } : {}),
    });
    messageId = stored.messageId;
  } catch (err) {
    failure ??= toDomainError(err);
    logger.error('assistant message not stored', { sessionId: session.sessionId, errorName: (err as { name?: string })?.name });
  }

  if (plan.idempotency && messageId) {
    await completeIdempotencyKey(plan.idempotency.scope, plan.idempotency.key, {
      messageIds: [plan.userMessageId, messageId],
      sessionId: session.sessionId,
      userMessageId: plan.userMessageId,
      messageId,
      source: plan.source,
      ...(failure ? { error: { code: failure.code, message: failure.message } } : {}),
    }).catch((err) => logger.warn('idempotency record not completed', { errorName: (err as { name?: string })?.name }));
  }

  if (failure) sink.send('error', { code: failure.code, message: failure.message });
  else sink.send('done', { sessionId: session.sessionId, userMessageId: plan.userMessageId, messageId, usage });
  sink.end();

  if (!failure && !session.title) await titleSession(plan, text, opts.deadlineMs);
}

/**
 * After the answer: a title for an untitled session, its cost added to the session's counters. One turn
 * titles a session (the one that created it, or the one that wins the claim), within the invocation's time.
 */
async function titleSession(plan: TurnPlan, answer: string, deadlineMs: number): Promise<void> {
  try {
    if (!plan.sessionCreated && !(await claimTitle(plan.session.sessionId, deadlineMs))) return;
    let result: Awaited<ReturnType<typeof generateTitle>>;
    try {
      const leftMs = deadlineMs - Date.now() - 500; // room for the write that stores it
      if (leftMs < TITLE_MIN_MS) throw new ConverseError('DEPENDENCY_TIMEOUT', 'No time left for the title model');
      result = await generateTitle(plan.agent, plan.message, answer, AbortSignal.timeout(leftMs - 500));
    } catch (err) {
      logger.warn('title model failed; using the first message', { errorName: (err as { name?: string })?.name });
      result = { title: fallbackTitle(plan.message) };
    }
    const usage = result.usage ? { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens, totalCost: result.usage.totalCost } : undefined;
    await setGeneratedTitle(plan.session.sessionId, result.title, usage);
  } catch (err) {
    logger.warn('session title not stored', { errorName: (err as { name?: string })?.name });
  }
}

/** A retried request with a used idempotency key: the stored outcome again, without calling the agent. */
export async function replayTurn(record: IdempotencyRecord, sink: EventSink): Promise<void> {
  const r = record.result as unknown as { sessionId: string; userMessageId: string; messageId: string; source?: string; error?: { code: string; message: string } };
  sink.send('session', { sessionId: r.sessionId, userMessageId: r.userMessageId });
  const message = await getMessage(r.sessionId, r.messageId, r.source as never);
  if (message?.content) sink.send('chunk', { text: message.content });
  if (r.error) sink.send('error', r.error);
  else sink.send('done', { sessionId: r.sessionId, userMessageId: r.userMessageId, messageId: r.messageId, usage: message?.usage, replayed: true });
  sink.end();
}
