/**
 * Step 2 of a turn (run.ts): the provider's events relayed to the client as they arrive — chunks, traces and tool
 * summaries, usage — watching for a stop request and the deadline; what arrived is gathered for the next steps.
 */
import type { ChatMessageUsage } from 'pika-shared/types/chatbot/chatbot-types';
import { stopRequested } from '../data/turns';
import type { EventSink } from '../http/sse';
import { addTokens } from '../models/pricing';
import { config } from '../platform/config';
import { toDomainError, type DomainError } from '../platform/errors';
import { logger } from '../platform/logger';
import { agentError } from './errors';
import { addEvidence, verificationOf } from './evidence';
import type { TurnPlan } from './prepare';
import { invokeProvider, stopProvider } from './providers';
import type { ProviderInput, ToolEvent } from './providers/events';
import type { PendingToolCall } from '../data/items';
import { pendingCallOf, toolRequestOf } from './client-tools';

const MAX_TRACE_KINDS = 50;
const MAX_TOOLS = 50;

const agentTimeoutMs = () => config().AGENT_TIMEOUT_MS;
/** How often a streaming turn checks for a stop request (STOP_POLL_MS): at most one small read a second. */
const stopPollMs = () => config().STOP_POLL_MS;
/** Time kept after the agent's deadline to store the answer before the invocation ends. */
const PERSIST_RESERVE_MS = 3_000;
export interface RunOptions {
  /** Epoch ms when the invocation ends (Lambda: now + getRemainingTimeInMillis()). */
  deadlineMs: number;
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
  /** The calls the agent handed to the client (human in the loop): the answer then awaits the client. */
  asked: PendingToolCall[];
  /** The provider's id of the invocation that asked (Agents Classic). */
  invocationId?: string;
  /** What the agent used (tool results, knowledge-base references), bounded; gathered only for answer verification. */
  evidence?: string[];
  /** Added by answer verification (verify.ts): the gradings' usage (at the grader's prices) and message metadata. */
  extra?: { usage?: ChatMessageUsage; metadata: Record<string, unknown> };
}

/** A relay before the provider answered anything. */
const emptyRelay = (): Relayed => ({
  text: '',
  tokens: { inputTokens: 0, outputTokens: 0 },
  usageReported: false,
  traceKinds: [],
  tools: [],
  asked: [],
  reached: false,
  cancelled: false,
});

/** A relay that failed before the provider answered anything (history read, a retry's call): stored as failed. */
export const failedRelay = (err: unknown): Relayed => ({ ...emptyRelay(), failure: toDomainError(err) });

/** Step 2: the provider's answer to the client as it arrives; stops on a stop request or the deadline. */
export async function relay(plan: TurnPlan, input: Omit<ProviderInput, 'signal'>, sink: EventSink, opts: RunOptions): Promise<Relayed> {
  const streamTraces = Boolean(plan.app.streamTraces && plan.app.features?.traces?.enabled !== false);
  const out = emptyRelay();
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
      } else if (event.type === 'ask') {
        // A function the chat app does not hand to its clients fails the turn (client-tools.ts).
        const call = pendingCallOf(plan.app, event, out.asked.length);
        out.asked.push(call);
        if (event.invocationId) out.invocationId = event.invocationId;
        sink.send('tool_request', toolRequestOf(call));
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
  if (out.cancelled) {
    // The agent's own work stops too, not only our read of it (where its kind can: providers/index.ts).
    await stopProvider(plan.agent.agent, plan.session.sessionId).catch((err) =>
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
