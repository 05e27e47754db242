/**
 * User memory in a converse turn (the chat app's `userMemory` feature, AgentCore Memory): the caller's relevant
 * records before (within MEMORY_TIMEOUT_MS), the exchange as an event after a complete answer; a forget asked
 * meanwhile wins, and a memory failure never fails the turn (docs/converse.md#user-memory).
 */
import { logger } from '../platform/logger';
import { config } from '../platform/config';
import { countMetric } from '../platform/metrics';
import { memoryForgottenAt } from '../data/memory-marks';
import type * as MemoryClient from '../memory/client';
import { forgetInMemory } from '../memory/user-memory';
import { actorIdFor, isUnder, namespaceFor, userMemoryOf } from '../memory/registry';
import type { TurnPlan } from './prepare';
import { providerSessionId } from './providers/provider-session';

// The AgentCore client loads with the first recall or exchange: only chat apps with user memory need it.
const memoryClient = () => import('../memory/client');
const retrieveRecords: typeof MemoryClient.retrieveRecords = async (...a) => (await memoryClient()).retrieveRecords(...a);
const createExchangeEvent: typeof MemoryClient.createExchangeEvent = async (...a) => (await memoryClient()).createExchangeEvent(...a);

export const MEMORY_FAILURES = 'UserMemoryFailures';
/** The search query sent for recall: the message, cut to this many characters. */
const MAX_QUERY_CHARS = 10_000;
/** Each side of a recorded exchange is cut to this many characters. */
const MAX_EVENT_CHARS = 10_000;

type Plan = Pick<TurnPlan, 'app' | 'userId' | 'message' | 'session'> & Partial<Pick<TurnPlan, 'memoryMark'>>;

export const EXCHANGES_FORGOTTEN = 'MemoryExchangesForgotten';

/** Whether the user asked to forget (or to be erased) since the turn started: the mark moved. */
async function forgottenSince(plan: Plan): Promise<boolean> {
  return ((await memoryForgottenAt(plan.userId)) ?? '') !== (plan.memoryMark ?? '');
}

function failed(op: 'recall' | 'record', plan: Plan, err: unknown): void {
  logger.warn('user memory failed', { op, sessionId: plan.session.sessionId, errorName: (err as { name?: string })?.name });
  countMetric(MEMORY_FAILURES);
}

/** What the provider gets of the user's memory: nothing when the chat app has none. Never throws. */
export async function recallMemory(plan: Plan): Promise<{ memory?: string[]; memoryActorId?: string }> {
  const settings = userMemoryOf(plan.app);
  if (!settings) return {};
  const memoryActorId = actorIdFor(plan.userId);
  if (!settings.recall || !plan.message.trim()) return { memoryActorId };
  const scope = namespaceFor(settings.namespace, memoryActorId);
  try {
    const records = await retrieveRecords(
      settings.memory.memoryId,
      scope,
      plan.message.slice(0, MAX_QUERY_CHARS),
      settings.recallCount,
      AbortSignal.timeout(config().MEMORY_TIMEOUT_MS),
    );
    const memory = records
      .filter((r) => r.namespaces.some((n) => isUnder(n, scope)) && r.content)
      .map((r) => r.content)
      .slice(0, settings.recallCount);
    return { memoryActorId, ...(memory.length ? { memory } : {}) };
  } catch (err) {
    failed('recall', plan, err);
    return { memoryActorId };
  }
}

/**
 * Records a complete exchange in the user's memory (short-term), alongside storing the answer (before `done`,
 * so the user's next turn finds it), within MEMORY_TIMEOUT_MS. Never throws.
 */
export async function rememberTurn(plan: Plan, answer: string, deadlineMs: number): Promise<void> {
  const settings = userMemoryOf(plan.app);
  if (!settings?.record || !plan.message.trim()) return;
  const ms = Math.min(config().MEMORY_TIMEOUT_MS, deadlineMs - Date.now() - 500);
  try {
    if (ms <= 0) throw Object.assign(new Error('No time left to record the exchange'), { name: 'TimeoutError' });
    // Checked before: a forget since the turn started means this exchange is never recorded.
    if (await forgottenSince(plan)) return void countMetric(EXCHANGES_FORGOTTEN);
    await createExchangeEvent(
      settings.memory.memoryId,
      actorIdFor(plan.userId),
      providerSessionId(plan.session.sessionId),
      plan.message.slice(0, MAX_EVENT_CHARS),
      answer.slice(0, MAX_EVENT_CHARS),
      AbortSignal.timeout(ms),
    );
    // And after: a forget that marked itself meanwhile may have listed the memory before this event landed.
    if (await forgottenSince(plan)) {
      await forgetInMemory(settings.memory, plan.userId);
      countMetric(EXCHANGES_FORGOTTEN);
    }
  } catch (err) {
    failed('record', plan, err);
  }
}
