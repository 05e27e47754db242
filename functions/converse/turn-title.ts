/**
 * The title step of a converse turn (run.ts): a session the turn creates is titled from its first message
 * while the agent answers, and the title joins the answer's transaction when it is ready in time
 * (`pendingTitle`, `joinTitle`); otherwise — and for an existing untitled session — it is stored after the
 * stream, in a write of its own (`titleSession`). Its cost is always debited.
 */
import { claimTitle, setGeneratedTitle } from '../data/sessions';
import { newId } from '../data/items';
import { usageWrites, type UsageDebit } from '../data/usage-aggregates';
import { logger } from '../platform/logger';
import { recordUsage } from '../platform/usage-metrics';
import { ConverseError } from './errors';
import type { TurnPlan } from './prepare';
import { fallbackTitle, generateTitle } from './title';

/** Below this much time left, the title is the trimmed first message instead of a model call. */
const TITLE_MIN_MS = 1_500;
/** How long a finished answer waits for its new session's title before it is stored without it. */
const TITLE_JOIN_MS = 1_000;

export type Title = Awaited<ReturnType<typeof generateTitle>>;

/** A session this turn created: its title asked for now, from the first message (undefined otherwise). */
export const pendingTitle = (plan: TurnPlan, deadlineMs: number): Promise<Title> | undefined =>
  plan.sessionCreated && !plan.session.title ? makeTitle(plan, undefined, deadlineMs) : undefined;

/** The pending title if it is ready within TITLE_JOIN_MS of the answer, else undefined. */
export async function joinTitle(pending: Promise<Title> | undefined): Promise<Title | undefined> {
  if (!pending) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), TITLE_JOIN_MS);
  });
  try {
    return await Promise.race([pending, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A title from the title model, or the trimmed first message when the model fails or time is short. Never rejects. */
async function makeTitle(plan: TurnPlan, answer: string | undefined, deadlineMs: number): Promise<Title> {
  try {
    const leftMs = deadlineMs - Date.now() - 500; // room for the write that stores it
    if (leftMs < TITLE_MIN_MS) throw new ConverseError('DEPENDENCY_TIMEOUT', 'No time left for the title model');
    return await generateTitle(plan.agent, plan.message, answer, AbortSignal.timeout(leftMs - 500));
  } catch (err) {
    logger.warn('title model failed; using the first message', { errorName: (err as { name?: string })?.name });
    return { title: fallbackTitle(plan.message) };
  }
}

/**
 * After the answer: a title for an untitled session, its cost added to the session's counters, in a write of
 * its own. One turn titles a session (the one that created it, or the one that wins the claim), within the
 * invocation's time; `pending` is the created session's title still on its way.
 */
export async function titleSession(plan: TurnPlan, answer: string, deadlineMs: number, pending?: Promise<Title>): Promise<void> {
  try {
    if (!plan.sessionCreated && !(await claimTitle(plan.session.sessionId, deadlineMs))) return;
    const result = await (pending ?? makeTitle(plan, answer, deadlineMs));
    const usage = result.usage;
    const debit = usage ? turnDebit(plan, usage, 0) : undefined;
    if (debit) recordUsage({ ...debit, turns: 0 });
    // The title's cost joins the user's usage (and a debit record) in the title's own write (a transaction then).
    await setGeneratedTitle(
      plan.session.sessionId,
      result.title,
      usage,
      debit ? usageWrites(debit, { sessionId: plan.session.sessionId, debitId: newId() }) : undefined,
    );
  } catch (err) {
    logger.warn('session title not stored', { errorName: (err as { name?: string })?.name });
  }
}

/** What a turn (or its title) spent, for the usage aggregates: attributed to the user, entity, chat app and agent. */
export function turnDebit(plan: TurnPlan, usage: { inputTokens: number; outputTokens: number; totalCost: number }, turns: number): UsageDebit {
  return {
    chatAppId: plan.app.chatAppId,
    userId: plan.userId,
    entityId: plan.entityId,
    agentId: plan.agent.agentId,
    at: Date.now(),
    usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalCost: usage.totalCost },
    turns,
  };
}
