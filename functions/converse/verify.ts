/**
 * Answer verification (chat app feature `verifyResponse`): a grader model rates the answer A/B/C/F against the
 * question and the evidence the agent used; a low grade is retried once in the same provider session; a grader
 * failure never fails the turn (docs/converse.md#answer-verification).
 */
import {
  ANSWER_GRADES,
  type AnswerGrade,
  type AnswerVerification,
  type ChatMessageUsage,
  type VerifyResponseFeature,
} from 'pika-shared/types/chatbot/chatbot-types';
import * as z from 'zod';
import { logger } from '../platform/logger';
import { toDomainError } from '../platform/errors';
import { callTool } from '../models/tool-call';
import type { TurnPlan } from './prepare';
import { cut, verificationOf, type ActiveVerification } from './evidence';
import { failedRelay, type Relayed, type RunOptions } from './relay';
import type { EventSink } from '../http/sse';
import { addTokens, addUsage } from '../models/pricing';

export const VERDICT_TOOL = 'grade_answer';
export const verdictSchema = z.object({
  grade: z
    .enum(ANSWER_GRADES)
    .describe(
      'A: correct, complete and supported by the evidence; B: correct with minor gaps; C: partly wrong, incomplete or unsupported; F: wrong, contradicted by the evidence, or not an answer',
    ),
  reason: z.string().min(1).max(1000).describe('One or two sentences: what is wrong or missing (what a corrected answer must fix), or why the answer is sound'),
});

/** Bounds of what the grader reads (its input tokens are billed; the evidence's in ./evidence.ts). */
const MAX_QUESTION_CHARS = 8_000;
const MAX_GRADED_ANSWER_CHARS = 24_000;
/** The first answer kept in the stored message's metadata (the item stays within DynamoDB's 400 KB). */
export const MAX_FIRST_ANSWER_CHARS = 32_000;
/** The question repeated in the retry's follow-up (the provider's input limit is 25 000 characters). */
const MAX_FOLLOW_UP_QUESTION_CHARS = 4_000;
const GRADER_TIMEOUT_MS = 30_000;
/** Time kept after a grading or a retry to store the answer (as run.ts keeps for the agent). */
const PERSIST_RESERVE_MS = 3_000;
const MIN_GRADER_MS = 1_000;
const MIN_RETRY_MS = 5_000;

const SYSTEM = [
  "You review an AI assistant's answer to a user's question before the user relies on it.",
  'Judge it against the question and, when given, the evidence the assistant used (tool results, knowledge-base passages): an answer that contradicts or goes beyond its evidence is unsupported.',
  `Call ${VERDICT_TOOL} with a grade (A correct and complete; B correct with minor gaps; C partly wrong, incomplete or unsupported; F wrong or not an answer) and a short reason the assistant can act on.`,
].join(' ');

/** The grader's input: tagged sections (a retry's grading also sees the earlier verdict). */
export function graderPrompt(question: string, answer: string, evidence: string[], previous?: AnswerVerification): string {
  const parts = [`<question>\n${cut(question, MAX_QUESTION_CHARS)}\n</question>`];
  parts.push(
    evidence.length ? `<evidence>\n${evidence.map((e, i) => `[${i + 1}] ${e}`).join('\n')}\n</evidence>` : '<evidence>none exposed by the agent</evidence>',
  );
  if (previous)
    parts.push(`<previous_grading grade="${previous.grade}">\n${previous.reason}\n</previous_grading>\nThe answer below is the assistant's corrected answer.`);
  parts.push(`<answer>\n${cut(answer, MAX_GRADED_ANSWER_CHARS)}\n</answer>`);
  return parts.join('\n');
}

/** What the agent is asked when its answer is retried. */
export function followUpFor(question: string, verdict: AnswerVerification): string {
  return [
    `A reviewer graded your previous answer ${verdict.grade}: ${verdict.reason}`,
    'Please answer my question again, correcting what the reviewer pointed out. My question was:',
    cut(question, MAX_FOLLOW_UP_QUESTION_CHARS),
  ].join('\n');
}

export interface Grading {
  verification: AnswerVerification;
  /** The grader's tokens and cost (absent when the call failed before the model answered). */
  usage?: ChatMessageUsage;
}

/** One grading; never throws (a failure is `grade: null` with the reason). */
export async function gradeAnswer(
  feature: Pick<ActiveVerification, 'graderModel'>,
  input: { question: string; answer: string; evidence: string[]; previous?: AnswerVerification; sessionId: string },
  deadlineMs: number,
): Promise<Grading> {
  const leftMs = Math.min(GRADER_TIMEOUT_MS, deadlineMs - PERSIST_RESERVE_MS - Date.now());
  if (leftMs < MIN_GRADER_MS) return { verification: { grade: null, reason: 'Not verified: no time was left to grade the answer' } };
  try {
    const out = await callTool({
      modelId: feature.graderModel.modelId,
      pricing: feature.graderModel.pricing,
      system: SYSTEM,
      messages: [{ role: 'user', text: graderPrompt(input.question, input.answer, input.evidence, input.previous) }],
      tool: { name: VERDICT_TOOL, description: 'Records the grade of the answer and the reason for it.', schema: verdictSchema },
      maxTokens: 512,
      signal: AbortSignal.timeout(leftMs),
    });
    if (out.ok) return { verification: out.value, usage: out.usage };
    logger.warn('grader answered without a valid verdict', { sessionId: input.sessionId, issues: out.issues });
    return { verification: { grade: null, reason: 'Not verified: the grader did not return a valid verdict' }, usage: out.usage };
  } catch (err) {
    const e = toDomainError(err);
    logger.warn('grader failed', { sessionId: input.sessionId, code: e.code, errorName: (err as { name?: string })?.name });
    return { verification: { grade: null, reason: `Not verified: the grader failed (${e.code})` } };
  }
}

/** Whether a grade calls for a retry under these settings. */
export function shouldRetry(feature: VerifyResponseFeature, grade: AnswerGrade | null): boolean {
  if (grade === null || !feature.retryAtOrBelow || (feature.maxRetries ?? 1) < 1) return false;
  return ANSWER_GRADES.indexOf(grade) >= ANSWER_GRADES.indexOf(feature.retryAtOrBelow);
}

const stored = (g: Grading) => ({ ...g.verification, ...(g.usage ? { usage: g.usage } : {}) });
const sumUsage = (gradings: Grading[]) => gradings.reduce<ChatMessageUsage | undefined>((sum, g) => (g.usage ? addUsage(sum, g.usage) : sum), undefined);

/**
 * The verification step, between relay and persist: grades a complete answer, retries it once when its grade
 * calls for it (`retry` relays the follow-up to the same provider session), and returns what persist stores:
 * the answer (the retry's when there was one), with the gradings' usage and metadata in `extra`.
 * Failed and cancelled answers are not graded. Never throws.
 */
export async function verifyAnswer(
  plan: TurnPlan,
  r: Relayed,
  sink: EventSink,
  opts: RunOptions,
  retry: (inputText: string) => Promise<Relayed>,
): Promise<Relayed> {
  const feature = verificationOf(plan.app);
  // An answer awaiting the client is not finished, and a resumed one has no question of its own: not graded.
  if (!feature || r.failure || r.cancelled || r.asked.length || plan.resume) return r;
  const sessionId = plan.session.sessionId;
  const first = await gradeAnswer(feature, { question: plan.message, answer: r.text, evidence: r.evidence ?? [], sessionId }, opts.deadlineMs);
  sink.send('verification', first.verification);
  const retryWanted = shouldRetry(feature, first.verification.grade);
  if (!retryWanted || opts.deadlineMs - Date.now() < PERSIST_RESERVE_MS + MIN_RETRY_MS) {
    return withExtra(r, [first], { verification: stored(first), ...(retryWanted ? { retrySkipped: 'too little time left' } : {}) });
  }
  sink.send('retry', first.verification);
  let second: Relayed;
  try {
    second = await retry(followUpFor(plan.message, first.verification));
  } catch (err) {
    logger.warn('answer retry failed', { sessionId, errorName: (err as { name?: string })?.name });
    second = failedRelay(err);
  }
  const firstAnswer = {
    content: cut(r.text, MAX_FIRST_ANSWER_CHARS),
    verification: stored(first),
    ...(r.text.length > MAX_FIRST_ANSWER_CHARS ? { truncated: true } : {}),
  };
  const merged: Relayed = {
    ...second,
    tokens: addTokens(r.tokens, second.tokens),
    usageReported: r.usageReported || second.usageReported,
    traceKinds: [...r.traceKinds, ...second.traceKinds].slice(0, 50),
    tools: [...r.tools, ...second.tools].slice(0, 50),
    reached: true,
  };
  if (second.failure || second.cancelled) return withExtra(merged, [first], { firstAnswer, retried: true });
  const again = await gradeAnswer(
    feature,
    { question: plan.message, answer: second.text, evidence: second.evidence ?? [], previous: first.verification, sessionId },
    opts.deadlineMs,
  );
  sink.send('verification', again.verification);
  return withExtra(merged, [first, again], { verification: stored(again), firstAnswer, retried: true });
}

function withExtra(r: Relayed, gradings: Grading[], metadata: Record<string, unknown>): Relayed {
  const usage = sumUsage(gradings);
  return { ...r, extra: { ...(usage ? { usage } : {}), metadata } };
}
