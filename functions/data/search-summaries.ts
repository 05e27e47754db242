/**
 * What session search filters and sorts on, kept on the session item: a summary of its insights and a bounded
 * count of its feedback combinations (or the former per-feedback map, read and converted on the next feedback
 * write), each written in the transaction of what it summarizes. Internal attributes (items.ts).
 * Shapes, bounds and costs: docs/data-model.md#session-search-summaries.
 */
import { SESSION_FEEDBACK_SEVERITIES, SESSION_FEEDBACK_STATUSES, SESSION_FEEDBACK_TYPES } from 'pika-shared/types/chatbot/chatbot-types';
import type {
  ChatSessionFeedback,
  SessionFeedbackSeverity,
  SessionFeedbackStatus,
  SessionFeedbackType,
  SessionInsightGoalCompletionStatus,
  SessionInsightMetricsComplexityLevel,
  SessionInsights,
  SessionInsightSatisfactionLevel,
  SessionInsightUserSentiment,
} from 'pika-shared/types/chatbot/chatbot-types';

export const INSIGHTS_SUMMARY_ATTRIBUTE = 'insightsSummary';
export const FEEDBACK_SUMMARY_ATTRIBUTE = 'feedbackSummary';
export const SEARCH_SUMMARY_ATTRIBUTES = [INSIGHTS_SUMMARY_ATTRIBUTE, FEEDBACK_SUMMARY_ATTRIBUTE] as const;

export interface InsightsSummary {
  goalStatus: SessionInsightGoalCompletionStatus;
  goalScore: number;
  satisfaction: SessionInsightSatisfactionLevel;
  sentiment: SessionInsightUserSentiment;
  complexity: SessionInsightMetricsComplexityLevel;
}

export const insightsSummaryOf = (i: SessionInsights): InsightsSummary => ({
  goalStatus: i.goalAchievement.status,
  goalScore: i.goalAchievement.score,
  satisfaction: i.userSatisfaction.level,
  sentiment: i.userSatisfaction.sentiment,
  complexity: i.metrics.complexity,
});

/** One feedback as the former summary held it (a map feedbackId → this, LegacyFeedbackMap). */
export interface FeedbackSummary {
  status: SessionFeedbackStatus;
  severity: SessionFeedbackSeverity;
  type: SessionFeedbackType;
  reportedByHuman: boolean;
  createdByCustomer: boolean;
  userId: string;
  createDate: string;
}

export const feedbackSummaryOf = (f: ChatSessionFeedback): FeedbackSummary => ({
  status: f.status,
  severity: f.severity,
  type: f.type,
  reportedByHuman: f.reportedByHuman,
  createdByCustomer: f.createdByCustomer,
  userId: f.userId,
  createDate: f.createDate,
});

/** The former shape of the feedback summary: one entry per feedback (unbounded). */
export type LegacyFeedbackMap = Record<string, FeedbackSummary>;
/** The bounded shape: `v: 2`, and a count per code (feedbackCodes). */
export type FeedbackCounts = Record<string, number>;
export const FEEDBACK_SUMMARY_VERSION_KEY = 'v';
export const FEEDBACK_SUMMARY_VERSION = 2;

/** The part of a feedback the counts tell apart. */
export type FeedbackCombination = Pick<FeedbackSummary, 'status' | 'severity' | 'type' | 'reportedByHuman' | 'createdByCustomer'>;
const VALUE_COMBINATIONS = SESSION_FEEDBACK_STATUSES.length * SESSION_FEEDBACK_SEVERITIES.length * SESSION_FEEDBACK_TYPES.length;

/**
 * A feedback's two codes: its status × severity × type combination (its index among the 80, 2 characters in
 * base 36) and its flags (`f0`..`f3`: reportedByHuman × createdByCustomer). Each counts one per feedback.
 */
export function feedbackCodes(f: FeedbackCombination): [values: string, flags: string] {
  let i = SESSION_FEEDBACK_STATUSES.indexOf(f.status);
  i = i * SESSION_FEEDBACK_SEVERITIES.length + SESSION_FEEDBACK_SEVERITIES.indexOf(f.severity);
  i = i * SESSION_FEEDBACK_TYPES.length + SESSION_FEEDBACK_TYPES.indexOf(f.type);
  return [i.toString(36).padStart(2, '0'), `f${(f.reportedByHuman ? 2 : 0) + (f.createdByCustomer ? 1 : 0)}`];
}

export type DecodedCode =
  | { kind: 'values'; status: FeedbackSummary['status']; severity: FeedbackSummary['severity']; type: FeedbackSummary['type'] }
  | { kind: 'flags'; reportedByHuman: boolean; createdByCustomer: boolean };

export function decodeFeedbackCode(code: string): DecodedCode | undefined {
  const flags = /^f([0-3])$/.exec(code);
  if (flags) return { kind: 'flags', reportedByHuman: Number(flags[1]) >= 2, createdByCustomer: Number(flags[1]) % 2 === 1 };
  if (!/^[0-9a-z]{2}$/.test(code)) return undefined;
  let i = Number.parseInt(code, 36);
  if (i >= VALUE_COMBINATIONS) return undefined;
  const type = SESSION_FEEDBACK_TYPES[i % SESSION_FEEDBACK_TYPES.length]!;
  i = Math.floor(i / SESSION_FEEDBACK_TYPES.length);
  const severity = SESSION_FEEDBACK_SEVERITIES[i % SESSION_FEEDBACK_SEVERITIES.length]!;
  const status = SESSION_FEEDBACK_STATUSES[Math.floor(i / SESSION_FEEDBACK_SEVERITIES.length)]!;
  return { kind: 'values', status, severity, type };
}

/** The most entries a summary can hold: 80 value combinations, 4 flag combinations and `v`. */
export const FEEDBACK_SUMMARY_MAX_ENTRIES = VALUE_COMBINATIONS + 4 + 1;

type StoredSummary = Record<string, unknown>;

/** The former per-feedback map (a session not converted yet): no `v`, and entries that are maps. */
export function isLegacyFeedbackMap(summary: unknown): summary is LegacyFeedbackMap {
  if (typeof summary !== 'object' || summary === null) return false;
  const s = summary as StoredSummary;
  return !(FEEDBACK_SUMMARY_VERSION_KEY in s) && Object.values(s).some((e) => typeof e === 'object' && e !== null);
}

/** The counts of a stored summary of either shape (absent: none). Counts ≤ 0 are no feedback. */
export function feedbackCountsOf(summary: unknown): FeedbackCounts {
  if (typeof summary !== 'object' || summary === null) return {};
  const counts: FeedbackCounts = {};
  if (isLegacyFeedbackMap(summary)) {
    for (const entry of Object.values(summary)) for (const code of feedbackCodes(entry)) counts[code] = (counts[code] ?? 0) + 1;
    return counts;
  }
  for (const [code, n] of Object.entries(summary as StoredSummary))
    if (code !== FEEDBACK_SUMMARY_VERSION_KEY && typeof n === 'number' && n > 0) counts[code] = n;
  return counts;
}
