/**
 * What a session search asks for (SessionSearchPlan) and whether one session matches it, on its index entry or
 * item alone: customData, flag, title, dates, and the insights and feedback summaries (search-summaries.ts).
 */
import type {
  InsightsSearchParams,
  SessionFeedbackSeverity,
  SessionFeedbackStatus,
  SessionFeedbackType,
  SessionSearchSortField,
} from 'pika-shared/types/chatbot/chatbot-types';
import type { RawItem, SessionItem } from './items';
import {
  decodeFeedbackCode,
  FEEDBACK_SUMMARY_ATTRIBUTE,
  feedbackCountsOf,
  INSIGHTS_SUMMARY_ATTRIBUTE,
  isLegacyFeedbackMap,
  type FeedbackSummary,
  type InsightsSummary,
} from './search-summaries';

export interface FeedbackFilter {
  status?: SessionFeedbackStatus[];
  severity?: SessionFeedbackSeverity[];
  type?: SessionFeedbackType[];
  reportedByHuman?: boolean;
  createdByCustomer?: boolean;
  userId?: string;
}

export interface SessionSearchPlan {
  /** Narrowing keys: at least one (sessionId, userId or chatAppId). */
  sessionId?: string;
  userId?: string;
  chatAppId?: string;
  /** Bounds are ISO strings as stored (UTC, milliseconds), both inclusive. */
  date?: { on: 'created' | 'updated' | 'feedback'; from: string; to?: string };
  flagged?: boolean;
  titlePartial?: string;
  customData?: Record<string, unknown>;
  insights?: InsightsSearchParams;
  /** Present when any feedback* filter is: a session matches when ONE of its feedback matches all of them. */
  feedback?: FeedbackFilter;
  sortBy: { field: SessionSearchSortField; order: 'asc' | 'desc' }[];
  limit?: number;
  cursor?: string;
  caller: string;
  budget?: number;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as RawItem)[k], (b as RawItem)[k]));
}

const inList = <T>(list: T[] | undefined, v: T | undefined) => !list || list.length === 0 || (v !== undefined && list.includes(v));
const inRange = (v: string | undefined, r: { from: string; to?: string }) => v !== undefined && v >= r.from && (r.to === undefined || v <= r.to);

function feedbackMatches(f: FeedbackSummary, filter: FeedbackFilter | undefined, date: SessionSearchPlan['date']): boolean {
  if (date?.on === 'feedback' && !inRange(f.createDate, date)) return false;
  if (!filter) return true;
  return (
    inList(filter.status, f.status) &&
    inList(filter.severity, f.severity) &&
    inList(filter.type, f.type) &&
    (filter.reportedByHuman === undefined || f.reportedByHuman === filter.reportedByHuman) &&
    (filter.createdByCustomer === undefined || f.createdByCustomer === filter.createdByCustomer) &&
    (filter.userId === undefined || f.userId === filter.userId)
  );
}

function insightsMatch(s: InsightsSummary | undefined, p: InsightsSearchParams): boolean {
  if (!s) return false;
  return (
    inList(p.goalCompletionStatus, s.goalStatus) &&
    inList(p.satisfactionLevel, s.satisfaction) &&
    inList(p.sentiment, s.sentiment) &&
    inList(p.complexity, s.complexity) &&
    (p.minGoalAchievementScore === undefined || s.goalScore >= p.minGoalAchievementScore) &&
    (p.maxGoalAchievementScore === undefined || s.goalScore <= p.maxGoalAchievementScore)
  );
}

/**
 * Whether a session matches: true, false, or 'verify' — everything but the feedback creator or the feedback
 * date range matched, which the bounded feedback summary cannot tell: its feedback items are checked
 * (feedbackItemsMatch). A session still carrying the former per-feedback summary is decided on it.
 */
export function matches(item: SessionItem, plan: SessionSearchPlan): boolean | 'verify' {
  if (plan.sessionId !== undefined && item.sessionId !== plan.sessionId) return false;
  if (plan.userId !== undefined && item.userId !== plan.userId) return false;
  if (plan.chatAppId !== undefined && item.chatAppId !== plan.chatAppId) return false;
  const d = plan.date;
  if (d?.on === 'created' && !inRange(item.createDate, d)) return false;
  if (d?.on === 'updated' && !inRange(item.lastUpdate, d)) return false;
  if (plan.flagged !== undefined && (item.flaggedForHumanReview === true) !== plan.flagged) return false;
  if (plan.titlePartial && !(typeof item.title === 'string' && item.title.toLowerCase().includes(plan.titlePartial.toLowerCase()))) return false;
  if (plan.customData) {
    const cd: RawItem = item.customData ?? {};
    if (typeof cd !== 'object' || !Object.entries(plan.customData).every(([k, v]) => Object.hasOwn(cd, k) && deepEqual(cd[k], v))) return false;
  }
  if (plan.insights && !insightsMatch(item[INSIGHTS_SUMMARY_ATTRIBUTE], plan.insights)) return false;
  if (plan.feedback || d?.on === 'feedback') {
    const summary = item[FEEDBACK_SUMMARY_ATTRIBUTE];
    if (isLegacyFeedbackMap(summary)) return Object.values(summary).some((f) => feedbackMatches(f, plan.feedback, d));
    const present = Object.keys(feedbackCountsOf(summary)).map(decodeFeedbackCode);
    const f = plan.feedback ?? {};
    if (!present.some((c) => c?.kind === 'values' && inList(f.status, c.status) && inList(f.severity, c.severity) && inList(f.type, c.type))) return false;
    const flags = present.filter((c) => c?.kind === 'flags');
    const flagsMatch = (c: (typeof flags)[number]) =>
      c !== undefined &&
      (f.reportedByHuman === undefined || c.reportedByHuman === f.reportedByHuman) &&
      (f.createdByCustomer === undefined || c.createdByCustomer === f.createdByCustomer);
    if (!flags.some(flagsMatch)) return false;
    // Counted apart from the values: decided only when every feedback's flags match (or none is asked for).
    if (!flags.every(flagsMatch) || f.userId !== undefined || d?.on === 'feedback') return 'verify';
  }
  return true;
}
