/**
 * Generated session insights (the worker's job): the chat app's insights model reads the session's
 * transcript through Converse with a forced tool (functions/models/tool-call.ts) whose input schema is the
 * SessionInsights schema; the validated answer is stored through the same data function as
 * `PUT /sessions/{id}/insights`. An invalid answer is retried once, then recorded as a failed generation
 * (GET /sessions/{id}/insights/status), never stored. Idempotent per session activity (insights-status.ts).
 */
import { addUsage } from '../models/pricing';
import { randomUUID } from 'node:crypto';
import type { ChatAppConfig, ChatMessageUsage, SessionInsights } from 'pika-shared/types/chatbot/chatbot-types';
import { sessionInsightsSchema } from 'pika-shared/schemas';
import { getChatApp } from '../data/config';
import { createFeedback } from '../data/feedback';
import { retentionDaysOf } from '../data/ttl';
import { putInsights } from '../data/insights';
import {
  claimActivity,
  dueAfter,
  generatedStatusWrite,
  NewerActivity,
  recordFailed,
  releaseClaim,
  rescheduleClaimed,
  type InsightsJob,
  type Outcome,
  type Settle,
} from '../data/insights-status';
import { newId, nowIso } from '../data/items';
import { conditionFailedAt } from '../data/retry';
import { addSessionUsage, getSessionWithInsightsActivity, type Session } from '../data/sessions';
import { recentTurns } from '../data/turns';
import { usageWrites } from '../data/usage-aggregates';
import { entityOf } from '../policy/access';
import { logger } from '../platform/logger';
import { callTool } from '../models/tool-call';
import { idleSecondsOf } from './due';

/** What the model writes: the SessionInsights record but its generateDate (set here). */
export const generatedInsightsSchema = sessionInsightsSchema.omit({ generateDate: true });
export const INSIGHTS_TOOL = 'record_session_insights';
/** The transcript the model reads: the latest shown messages within these bounds (hidden ones never). */
export const TRANSCRIPT_MAX_CHARS = 40_000;
export const TRANSCRIPT_MAX_MESSAGES = 200;
/** How long a worker holds an activity (longer than the worker's timeout, so a live generation is never doubled). */
const CLAIM_MS = 5 * 60_000;
const MAX_MODEL_CALLS = 2;

const SYSTEM = [
  'You review one finished chat session between a user and an AI assistant and record insights about it.',
  'Judge only from the transcript. Scores are 0-100. Call the tool exactly once with every field filled.',
].join(' ');

const NO_USAGE: ChatMessageUsage = { inputTokens: 0, outputTokens: 0, inputCost: 0, outputCost: 0, totalCost: 0 };

/**
 * THE one place the insights model's cost is charged: added to the session's usage counters. (An aggregate
 * budget debit belongs here too, next to this call.)
 */
/** Reports and budgets show the cost of generated insights under this agent id. */
export const INSIGHTS_USAGE_AGENT = 'insights';

/** The model's cost on the session's counters and, in the same transaction, in the usage aggregates (budgets, reports). */
async function chargeInsightsUsage(session: Session, app: ChatAppConfig, usage: ChatMessageUsage): Promise<void> {
  if (usage.inputTokens + usage.outputTokens === 0) return;
  const entityId = entityOf(app, session.customData);
  const debit = {
    chatAppId: session.chatAppId,
    userId: session.userId,
    entityId,
    agentId: INSIGHTS_USAGE_AGENT,
    at: Date.now(),
    usage,
    turns: 0,
  };
  await addSessionUsage(
    session.sessionId,
    { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalCost: usage.totalCost },
    usageWrites(debit, { sessionId: session.sessionId, debitId: newId() }),
  );
}

export type JobOutcome = 'generated' | 'failed' | 'skipped' | 'rescheduled';

/** The mark is an answer's id (a ULID); anything else is read as no mark. */
const activityOf = (mark: string | undefined, idleMs: number, nowMs: number) => {
  try {
    return mark === undefined ? undefined : dueAfter(mark, idleMs, nowMs);
  } catch {
    return undefined;
  }
};

/**
 * One job: generates and stores the insights of `job.activity` unless another delivery did (or does) it,
 * or the session has had answers since and is not idle yet (the status is re-scheduled, functions/insights/due.ts).
 * Throws on a dependency failure (model or table), after giving the claim back, so the queue retries.
 */
export async function generateInsights(job: InsightsJob): Promise<JobOutcome> {
  const token = randomUUID();
  if (!(await claimActivity(job, token, Date.now() + CLAIM_MS))) return 'skipped';
  try {
    const { session, insightsActivity } = await getSessionWithInsightsActivity(job.sessionId);
    const app = session && (await getChatApp(session.chatAppId));
    const idleMs = app ? idleSecondsOf(app) * 1000 : 0;
    // Idle as of the sweep that found the job due (its clock), else now.
    const nowMs = job.dueBy ? Date.parse(job.dueBy) : Date.now();
    const latest = activityOf(insightsActivity, idleMs, nowMs);
    if (app?.insightsModel && insightsActivity && latest && !latest.idle) {
      await rescheduleClaimed(job.sessionId, token, insightsActivity, idleMs, nowMs);
      return 'rescheduled';
    }
    // What settles this activity: the session's mark goes if it is still the one read here (else a newer
    // answer came while generating, and that activity is re-scheduled instead).
    const settle: Settle = insightsActivity ? { insightsActivity } : {};
    const fail = (outcome: Outcome & { error: NonNullable<Outcome['error']> }) =>
      settled(job.sessionId, token, idleMs, 'rescheduled', () => recordFailed(job.sessionId, token, outcome, nowIso(), settle));
    const model = app?.insightsModel;
    if (!session || !app || !model) {
      await recordFailed(
        job.sessionId,
        token,
        {
          modelId: model?.modelId ?? 'none',
          usage: NO_USAGE,
          error: { code: 'INSIGHTS_DISABLED', message: 'The session or its chat app is gone, or the chat app has no insightsModel' },
        },
        nowIso(),
      );
      return 'failed';
    }
    const turns = await recentTurns(job.sessionId, { maxChars: TRANSCRIPT_MAX_CHARS, maxItems: TRANSCRIPT_MAX_MESSAGES });
    if (!turns.length) {
      return fail({ modelId: model.modelId, usage: NO_USAGE, error: { code: 'NO_TRANSCRIPT', message: 'The session has no answered message to judge' } });
    }
    const transcript = turns.map((t) => `${t.role === 'user' ? 'User' : 'Assistant'}: ${t.content}`).join('\n\n');
    let usage = NO_USAGE;
    let value: Omit<SessionInsights, 'generateDate'> | undefined;
    let issues: string[] = [];
    for (let call = 0; call < MAX_MODEL_CALLS && !value; call++) {
      const out = await callTool({
        modelId: model.modelId,
        pricing: model.pricing,
        system: SYSTEM,
        messages: [{ role: 'user', text: `Transcript of the session (oldest first):\n\n${transcript}` }],
        tool: { name: INSIGHTS_TOOL, description: 'Records the insights of the chat session.', schema: generatedInsightsSchema },
        maxTokens: 2048,
      }).catch(async (err: unknown) => {
        await chargeInsightsUsage(session, app, usage); // an earlier (invalid) answer of this job was still paid for
        throw err;
      });
      usage = addUsage(usage, out.usage);
      if (out.ok) value = out.value;
      else issues = out.issues;
    }
    await chargeInsightsUsage(session, app, usage);
    const spent = { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalCost: usage.totalCost };
    const now = nowIso();
    if (!value) {
      logger.warn('insights model answered invalidly twice', { sessionId: job.sessionId, issues: issues.slice(0, 5) });
      return fail({
        modelId: model.modelId,
        usage: spent,
        error: { code: 'INVALID_MODEL_OUTPUT', message: `The model's answer failed validation ${MAX_MODEL_CALLS} times`, issues },
      });
    }
    const insights: SessionInsights = { ...value, generateDate: now };
    const stored = await settled(job.sessionId, token, idleMs, 'generated', async () => {
      await storeInsights(
        job.sessionId,
        insights,
        generatedStatusWrite(job.sessionId, token, { modelId: model.modelId, usage: spent }, now),
        settle,
        retentionDaysOf(app),
      );
      return 'generated' as const;
    });
    if (app.insightsReportPoorOutcomes) await reportPoorOutcome(session, insights, retentionDaysOf(app));
    return stored;
  } catch (err) {
    // Nothing stored: the claim goes back, so the queue's retry of this job may generate.
    await releaseClaim(job.sessionId, token).catch(() => undefined);
    throw err;
  }
}

/**
 * The insights and the status update in one transaction, settling the session's mark. If a newer turn
 * replaced the status (the claim is gone) or marked the session meanwhile, the insights are stored alone:
 * they are still the latest, and the newer activity gets its own later (NewerActivity: re-scheduled by `settled`).
 */
async function storeInsights(
  sessionId: string,
  insights: SessionInsights,
  statusWrite: Record<string, unknown>,
  settle: Settle,
  retentionDays: number | undefined,
): Promise<void> {
  try {
    await putInsights(sessionId, insights, [statusWrite], settle, retentionDays);
  } catch (err) {
    if (!conditionFailedAt(err, 2) && !(err instanceof NewerActivity)) throw err;
    await putInsights(sessionId, insights, [], undefined, retentionDays);
    if (err instanceof NewerActivity) throw err;
  }
}

/**
 * Runs a settling write; when a newer answer marked the session meanwhile, its activity is re-scheduled
 * (the status stays pending, due when that activity is idle) and the job's outcome is `ifNewer`.
 */
async function settled(sessionId: string, token: string, idleMs: number, ifNewer: JobOutcome, write: () => Promise<JobOutcome | boolean>): Promise<JobOutcome> {
  try {
    const out = await write();
    return typeof out === 'boolean' ? 'failed' : out;
  } catch (err) {
    if (!(err instanceof NewerActivity) || !err.insightsActivity) throw err;
    await rescheduleClaimed(sessionId, token, err.insightsActivity, idleMs);
    return ifNewer;
  }
}

const POOR_GOAL = new Set(['not_achieved']);
const POOR_SATISFACTION = new Set(['dissatisfied', 'very_dissatisfied']);

/** A poor outcome opens AI-reported feedback for the content team (once: after the activity's insights are stored). */
async function reportPoorOutcome(session: Session, insights: SessionInsights, retentionDays: number | undefined): Promise<void> {
  const goal = POOR_GOAL.has(insights.goalAchievement.status);
  const unhappy = POOR_SATISFACTION.has(insights.userSatisfaction.level);
  if (!goal && !unhappy) return;
  try {
    await createFeedback({
      sessionId: session.sessionId,
      userId: session.userId,
      type: goal ? 'incomplete_response' : 'other',
      severity: insights.userSatisfaction.level === 'very_dissatisfied' ? 'high' : 'medium',
      title: goal ? 'Insights: the user\u2019s goal was not achieved' : 'Insights: the user was dissatisfied',
      description: [insights.summary, insights.goalAchievement.explanation, insights.userSatisfaction.explanation].join('\n\n').slice(0, 10_000),
      reportedByHuman: false,
      createdByCustomer: false,
      retentionDays,
    });
  } catch (err) {
    logger.warn('AI-reported feedback not created', { sessionId: session.sessionId, errorName: (err as { name?: string })?.name });
  }
}
