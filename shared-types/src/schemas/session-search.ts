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
    goalCompletionStatus: z.array(z.enum(SESSION_INSIGHT_GOAL_COMPLETION_STATUSES)).optional(),
    satisfactionLevel: z.array(z.enum(SESSION_INSIGHT_SATISFACTION_LEVELS)).optional(),
    sentiment: z.array(z.enum(SESSION_INSIGHT_USER_SENTIMENTS)).optional(),
    complexity: z.array(z.enum(SESSION_INSIGHT_COMPLEXITY_LEVELS)).optional(),
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
    feedbackInStatus: z.array(z.enum(SESSION_FEEDBACK_STATUSES)).optional(),
    feedbackReportedByHuman: z.boolean().optional(),
    feedbackCreatedByCustomer: z.boolean().optional(),
    feedbackSeverity: z.array(z.enum(SESSION_FEEDBACK_SEVERITIES)).optional(),
    feedbackType: z.array(z.enum(SESSION_FEEDBACK_TYPES)).optional(),
    feedbackUserId: userIdSchema.optional(),
    includeInsights: z.boolean().optional(),
    includeFeedback: z.boolean().optional(),
    sortBy: z
        .array(z.strictObject({ field: z.enum(SESSION_SEARCH_SORT_FIELDS), order: z.enum(['asc', 'desc']) }))
        .max(3)
        .optional(),
    size: z.number().int().min(1).max(LIST_LIMIT_MAX).optional(),
});
