/** Schemas of the stored records (what the API returns). Drift against the types is checked in ./drift-check. */
import * as z from 'zod';
import {
    ANSWER_GRADES,
    CHAT_MESSAGE_ROLES,
    CHAT_MESSAGE_STATUSES,
    CONVERSE_SOURCES,
    SESSION_FEEDBACK_SEVERITIES,
    SESSION_FEEDBACK_STATUSES,
    SESSION_FEEDBACK_TYPES,
    SESSION_INSIGHT_AI_CONFIDENCE_LEVELS,
    SESSION_INSIGHT_COMPLEXITY_LEVELS,
    SESSION_INSIGHT_DURATION_ESTIMATES,
    SESSION_INSIGHT_GOAL_COMPLETION_STATUSES,
    SESSION_INSIGHT_SATISFACTION_LEVELS,
    SESSION_INSIGHT_USER_EFFORT_LEVELS,
    SESSION_INSIGHT_USER_SENTIMENTS,
    USER_TYPES,
} from '../types/chatbot/chatbot-types';
import { idSchema, userIdSchema, isoDateSchema, nonNegative, safeRecordSchema, score0to100, shortText, TITLE_MAX } from './common';
import { agentCoreHarnessSchema, agentCoreRuntimeSchema } from './agentcore';
import { userMemoryFeatureSchema } from './memory';
import { fileUploadFeatureSchema } from './file-feature';
import { chatAppBudgetsSchema } from './budgets';

export const userTypeSchema = z.enum(USER_TYPES);

export const chatUserLiteSchema = z.object({
    userId: userIdSchema,
    firstName: shortText(100).optional(),
    lastName: shortText(100).optional(),
    userType: userTypeSchema.optional(),
});

export const chatUserSchema = z.object({
    userId: userIdSchema,
    firstName: shortText(100).optional(),
    lastName: shortText(100).optional(),
    customData: safeRecordSchema.optional(),
    viewingContentFor: z.record(z.string(), chatUserLiteSchema).optional(),
    overrideData: z.record(z.string(), safeRecordSchema).optional(),
    createDate: isoDateSchema.optional(),
    lastUpdate: isoDateSchema.optional(),
    userType: userTypeSchema.optional(),
    roles: z.array(shortText(128)).max(50).optional(),
});

export const sessionInsightsSchema = z.object({
    summary: shortText(10_000),
    goalAchievement: z.object({
        score: score0to100,
        status: z.enum(SESSION_INSIGHT_GOAL_COMPLETION_STATUSES),
        explanation: shortText(5_000),
    }),
    userSatisfaction: z.object({
        score: score0to100,
        level: z.enum(SESSION_INSIGHT_SATISFACTION_LEVELS),
        sentiment: z.enum(SESSION_INSIGHT_USER_SENTIMENTS),
        explanation: shortText(5_000),
    }),
    aiPerformance: z.object({
        overallScore: score0to100,
        accuracy: score0to100,
        efficiency: score0to100,
        explanation: shortText(5_000),
    }),
    interactionQuality: z.object({ score: score0to100, explanation: shortText(5_000) }),
    metrics: z.object({
        sessionDuration: z.enum(SESSION_INSIGHT_DURATION_ESTIMATES),
        complexity: z.enum(SESSION_INSIGHT_COMPLEXITY_LEVELS),
        userEffort: z.enum(SESSION_INSIGHT_USER_EFFORT_LEVELS),
        aiConfidence: z.enum(SESSION_INSIGHT_AI_CONFIDENCE_LEVELS),
    }),
    generateDate: isoDateSchema,
});

export const chatSessionSchema = z.object({
    userId: userIdSchema,
    sessionId: idSchema,
    chatAppId: idSchema,
    agentId: idSchema,
    title: shortText(TITLE_MAX).optional(),
    customData: safeRecordSchema.optional(),
    createDate: isoDateSchema,
    lastUpdate: isoDateSchema,
    inputTokens: nonNegative.optional(),
    outputTokens: nonNegative.optional(),
    totalCost: nonNegative.optional(),
    flaggedForHumanReview: z.boolean().optional(),
    insights: sessionInsightsSchema.optional(),
});

export const chatMessageUsageSchema = z.object({
    inputCost: nonNegative,
    inputTokens: nonNegative,
    outputCost: nonNegative,
    outputTokens: nonNegative,
    totalCost: nonNegative,
});

export const chatMessageFileSchema = z.object({
    fileId: idSchema,
    fileName: shortText(512),
    mimeType: shortText(255),
    size: nonNegative,
    s3Key: shortText(1024),
    uploadDate: isoDateSchema,
});

export const chatMessageSchema = z.object({
    userId: userIdSchema,
    sessionId: idSchema,
    messageId: idSchema,
    role: z.enum(CHAT_MESSAGE_ROLES),
    content: z.string(),
    createDate: isoDateSchema,
    usage: chatMessageUsageSchema.optional(),
    files: z.array(chatMessageFileSchema).optional(),
    metadata: safeRecordSchema.optional(),
    source: z.enum(CONVERSE_SOURCES).optional(),
    status: z.enum(CHAT_MESSAGE_STATUSES).optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const feedbackInternalCommentSchema = z.object({
    commentId: idSchema,
    comment: shortText(5_000),
    createdBy: userIdSchema,
    createDate: isoDateSchema,
});

export const chatSessionFeedbackSchema = z.object({
    feedbackId: idSchema,
    sessionId: idSchema,
    userId: userIdSchema,
    type: z.enum(SESSION_FEEDBACK_TYPES),
    severity: z.enum(SESSION_FEEDBACK_SEVERITIES),
    status: z.enum(SESSION_FEEDBACK_STATUSES),
    title: shortText(TITLE_MAX),
    description: shortText(10_000),
    reportedByHuman: z.boolean(),
    createdByCustomer: z.boolean(),
    createDate: isoDateSchema,
    lastUpdate: isoDateSchema,
    internalComments: z.array(feedbackInternalCommentSchema).optional(),
});

export const userWidgetDataSchema = safeRecordSchema;

export const chatAppFeatureSchema = z.looseObject({ featureId: idSchema, enabled: z.boolean() });

/** Chat app feature `verifyResponse` (answer verification, docs/converse.md). */
export const verifyResponseFeatureSchema = z
    .strictObject({
        featureId: z.literal('verifyResponse'),
        enabled: z.boolean(),
        graderModel: z.object({ modelId: shortText(256).min(1), pricing: z.lazy(() => modelPricingSchema) }).optional(),
        retryAtOrBelow: z.enum(ANSWER_GRADES).optional(),
        maxRetries: z.union([z.literal(0), z.literal(1)]).optional(),
    })
    .refine((f) => !f.enabled || f.graderModel, { path: ['graderModel'], message: 'required when the feature is enabled' });

/** A chat app's features by id; the features the server implements are checked against their own schema. */
export const chatAppFeaturesSchema = z.record(idSchema, chatAppFeatureSchema).pipe(
    z
        .object({
            verifyResponse: verifyResponseFeatureSchema.optional(),
            userMemory: userMemoryFeatureSchema.optional(),
            fileUpload: fileUploadFeatureSchema.optional(),
        })
        .catchall(chatAppFeatureSchema),
);

export const chatAppConfigSchema = z.object({
    chatAppId: idSchema,
    title: shortText(TITLE_MAX),
    enabled: z.boolean(),
    agentId: idSchema,
    allowedAgentIds: z.array(idSchema).max(50).optional(),
    features: chatAppFeaturesSchema.optional(),
    access: z
        .object({
            userTypes: z.array(userTypeSchema).optional(),
            roles: z.array(shortText(128)).max(50).optional(),
            entity: z.object({ attributeName: shortText(128), values: z.array(shortText(256)).max(1000) }).optional(),
        })
        .optional(),
    overrideData: safeRecordSchema.optional(),
    privateAttributes: z.array(shortText(128)).max(100).optional(),
    streamTraces: z.boolean().optional(),
    budgets: chatAppBudgetsSchema.optional(),
    insightsModel: z
        .object({ modelId: shortText(256).min(1), pricing: z.object({ inputPer1kTokens: nonNegative, outputPer1kTokens: nonNegative }) })
        .optional(),
    insightsIdleMinutes: z.number().int().min(1).max(10_080).optional(),
    insightsReportPoorOutcomes: z.boolean().optional(),
    createDate: isoDateSchema.optional(),
    lastUpdate: isoDateSchema.optional(),
});

export const modelPricingSchema = z.object({ inputPer1kTokens: nonNegative, outputPer1kTokens: nonNegative });

export const sessionInsightsStatusSchema = z.object({
    sessionId: idSchema,
    status: z.enum(['pending', 'generated', 'failed']),
    activity: isoDateSchema,
    dueDate: isoDateSchema.optional(),
    attempts: nonNegative,
    modelId: z.string().optional(),
    usage: z.object({ inputTokens: nonNegative, outputTokens: nonNegative, totalCost: nonNegative }).optional(),
    error: z.object({ code: z.string(), message: z.string(), issues: z.array(z.string()).optional() }).optional(),
    lastUpdate: isoDateSchema,
});

export const agentConfigSchema = z.object({
    agentId: idSchema,
    description: shortText(1_000).optional(),
    agent: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('bedrock-agent'), bedrockAgentId: shortText(64).min(1), bedrockAgentAliasId: shortText(64).min(1) }),
        z.object({
            kind: z.literal('inline'),
            foundationModel: shortText(256).min(1),
            instruction: shortText(20_000).min(40),
            idleSessionTTLInSeconds: z.number().int().min(60).max(3600).optional(),
            agentName: z
                .string()
                .regex(/^([0-9a-zA-Z][_-]?){1,100}$/, 'letters and digits, single - or _ between them')
                .optional(),
        }),
        agentCoreHarnessSchema,
        agentCoreRuntimeSchema,
    ]),
    providerSessionIdleSeconds: z.number().int().min(0).max(28_800).optional(),
    pricing: modelPricingSchema,
    titleModel: z.object({ modelId: shortText(256).min(1), pricing: modelPricingSchema }).optional(),
    createDate: isoDateSchema.optional(),
    lastUpdate: isoDateSchema.optional(),
});
