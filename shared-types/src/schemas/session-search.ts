/** Session search: its request and the insights filters in it. */
import * as z from 'zod';
import {
    SESSION_FEEDBACK_SEVERITIES,
    SESSION_FEEDBACK_STATUSES,
    SESSION_FEEDBACK_TYPES,
    SESSION_INSIGHT_COMPLEXITY_LEVELS,
    SESSION_INSIGHT_GOAL_COMPLETION_STATUSES,
    SESSION_INSIGHT_SATISFACTION_LEVELS,
    SESSION_INSIGHT_USER_SENTIMENTS,
    SESSION_SEARCH_SORT_FIELDS,
} from '../types/chatbot/chatbot-types';
import { idSchema, userIdSchema, isoDateSchema, safeRecordSchema, score0to100, shortText, TITLE_MAX } from './common';
import { LIST_LIMIT_MAX } from './list';

export const insightsSearchParamsSchema = z.strictObject({
    goalCompletionStatus: z.array(z.enum(SESSION_INSIGHT_GOAL_COMPLETION_STATUSES)).max(SESSION_INSIGHT_GOAL_COMPLETION_STATUSES.length).optional(),
    satisfactionLevel: z.array(z.enum(SESSION_INSIGHT_SATISFACTION_LEVELS)).max(SESSION_INSIGHT_SATISFACTION_LEVELS.length).optional(),
    sentiment: z.array(z.enum(SESSION_INSIGHT_USER_SENTIMENTS)).max(SESSION_INSIGHT_USER_SENTIMENTS.length).optional(),
    complexity: z.array(z.enum(SESSION_INSIGHT_COMPLEXITY_LEVELS)).max(SESSION_INSIGHT_COMPLEXITY_LEVELS.length).optional(),
    minGoalAchievementScore: score0to100.optional(),
    maxGoalAchievementScore: score0to100.optional(),
});

export const sessionSearchRequestSchema = z.strictObject({
    userId: userIdSchema.optional(),
    chatAppId: idSchema.optional(),
    sessionId: idSchema.optional(),
    customUserData: safeRecordSchema.optional(),
    titlePartial: shortText(TITLE_MAX).optional(),
    dateFilter: z
        .strictObject({ dateType: z.enum(['created', 'updated', 'feedback']), startDate: isoDateSchema, endDate: isoDateSchema.optional() })
        .optional(),
    flagged: z.boolean().optional(),
    insights: insightsSearchParamsSchema.optional(),
    scrollId: z.string().min(1).max(4096).optional(),
    feedbackInStatus: z.array(z.enum(SESSION_FEEDBACK_STATUSES)).max(SESSION_FEEDBACK_STATUSES.length).optional(),
    feedbackReportedByHuman: z.boolean().optional(),
    feedbackCreatedByCustomer: z.boolean().optional(),
    feedbackSeverity: z.array(z.enum(SESSION_FEEDBACK_SEVERITIES)).max(SESSION_FEEDBACK_SEVERITIES.length).optional(),
    feedbackType: z.array(z.enum(SESSION_FEEDBACK_TYPES)).max(SESSION_FEEDBACK_TYPES.length).optional(),
    feedbackUserId: userIdSchema.optional(),
    includeInsights: z.boolean().optional(),
    includeFeedback: z.boolean().optional(),
    sortBy: z
        .array(z.strictObject({ field: z.enum(SESSION_SEARCH_SORT_FIELDS), order: z.enum(['asc', 'desc']) }))
        .max(3)
        .optional(),
    size: z.number().int().min(1).max(LIST_LIMIT_MAX).optional(),
});
