/**
 * What session search filters and sorts on, kept on the session item (SESSION#s / META) so that one read of
 * a session answers every filter: a summary of its insights and one entry per feedback. Each is written in
 * the SAME transaction as the insights or feedback it summarizes (insights.ts, feedback.ts), never by search.
 * Both are internal attributes: they never leave the data layer (items.ts).
 */
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

/** One feedback as search sees it; the session item holds a map feedbackId → this. */
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
