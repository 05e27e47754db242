/** Schemas of request bodies and queries. Request objects are strict: unknown keys are rejected. */
import * as z from 'zod';
import {
    CONVERSE_INVOCATION_MODES,
    CONVERSE_SOURCES,
    SESSION_FEEDBACK_SEVERITIES,
    SESSION_FEEDBACK_STATUSES,
    SESSION_FEEDBACK_TYPES,
    SESSION_INSIGHT_COMPLEXITY_LEVELS,
    SESSION_INSIGHT_GOAL_COMPLETION_STATUSES,
    SESSION_INSIGHT_SATISFACTION_LEVELS,
    SESSION_INSIGHT_USER_SENTIMENTS,
    SESSION_SEARCH_SORT_FIELDS,
} from '../types/chatbot/chatbot-types';
import { idSchema, userIdSchema, isoDateSchema, MESSAGE_MAX, safeRecordSchema, score0to100, shortText, TITLE_MAX } from './common';
import { chatAppFeatureSchema, chatMessageFileSchema, chatUserSchema, sessionInsightsSchema, userTypeSchema } from './records';

export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 20;

/** Query strings arrive as strings: limit is coerced. */
export const listQuerySchema = z.strictObject({
    limit: z.coerce.number().int().min(1).max(LIST_LIMIT_MAX).optional(),
    cursor: z.string().min(1).max(4096).optional(),
});

export const updateMeRequestSchema = z.strictObject({
    firstName: shortText(100).optional(),
    lastName: shortText(100).optional(),
});

export const putUserRequestSchema = z.strictObject({
    firstName: shortText(100).optional(),
    lastName: shortText(100).optional(),
    customData: safeRecordSchema.optional(),
    overrideData: z.record(idSchema, safeRecordSchema).optional(),
    userType: userTypeSchema.optional(),
    roles: z.array(shortText(128)).max(50).optional(),
});

export const createSessionRequestSchema = z.strictObject({
    chatAppId: idSchema,
    agentId: idSchema.optional(),
    /** Absent: the first converse turn generates one. */
    title: shortText(TITLE_MAX).min(1).optional(),
    customData: safeRecordSchema.optional(),
});

export const updateSessionRequestSchema = z
    .strictObject({
        title: shortText(TITLE_MAX).min(1).optional(),
        flaggedForHumanReview: z.boolean().optional(),
    })
    .refine((b) => b.title !== undefined || b.flaggedForHumanReview !== undefined, 'give title or flaggedForHumanReview');

export const createFeedbackRequestSchema = z.strictObject({
    type: z.enum(SESSION_FEEDBACK_TYPES),
    severity: z.enum(SESSION_FEEDBACK_SEVERITIES),
    title: shortText(TITLE_MAX).min(1),
    description: shortText(10_000),
});

export const updateFeedbackRequestSchema = z
    .strictObject({
        status: z.enum(SESSION_FEEDBACK_STATUSES).optional(),
        severity: z.enum(SESSION_FEEDBACK_SEVERITIES).optional(),
        expectedLastUpdate: isoDateSchema.optional(),
    })
    .refine((b) => b.status !== undefined || b.severity !== undefined, 'give status or severity');

export const addFeedbackCommentRequestSchema = z.strictObject({ comment: shortText(5_000).min(1) });

export const feedbackListQuerySchema = listQuerySchema.extend({
    status: z.enum(SESSION_FEEDBACK_STATUSES).optional(),
    severity: z.enum(SESSION_FEEDBACK_SEVERITIES).optional(),
    type: z.enum(SESSION_FEEDBACK_TYPES).optional(),
});

export const putInsightsRequestSchema = sessionInsightsSchema.strict();

export const setWidgetDataBodySchema = z.strictObject({ data: safeRecordSchema, partial: z.boolean().optional() });

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

export const chatAppComponentConfigSchema = z.strictObject({ componentId: idSchema, settings: safeRecordSchema.optional() });

const converseCommon = {
    sessionId: idSchema.optional(),
    chatAppId: idSchema.optional(),
    timezone: shortText(64).optional(),
    message: z.string().min(1).max(MESSAGE_MAX),
    files: z.array(chatMessageFileSchema).max(20).optional(),
    agentId: idSchema,
    entityAttributeNameInUserCustomData: shortText(128).optional(),
    invocationMode: z.enum(CONVERSE_INVOCATION_MODES).optional(),
    chatAppComponentConfig: chatAppComponentConfigSchema.optional(),
    source: z.enum(CONVERSE_SOURCES),
};

/** The spec's ConverseRequest exactly (userId and features required). */
export const converseRequestSchema = z.object({
    ...converseCommon,
    userId: userIdSchema,
    features: z.record(z.string(), chatAppFeatureSchema),
});

/**
 * What POST /converse accepts: the spec's request, but userId and features may be omitted and are ignored
 * when sent (the user comes from the token, features from the chat app's settings); agentId and source are
 * optional (the chat app's agent, 'user'); clientMessageId makes a retry idempotent.
 */
export const converseWireRequestSchema = z.strictObject({
    ...converseCommon,
    userId: userIdSchema.optional(),
    features: z.record(z.string(), z.unknown()).optional(),
    agentId: idSchema.optional(),
    source: z.enum(CONVERSE_SOURCES).optional(),
    clientMessageId: idSchema.optional(),
});

export const putChatUserSchema = chatUserSchema;
