/** Generated session insights: the record, its generation status and the request that stores one. */
import * as z from 'zod';
import {
    SESSION_INSIGHT_AI_CONFIDENCE_LEVELS,
    SESSION_INSIGHT_COMPLEXITY_LEVELS,
    SESSION_INSIGHT_DURATION_ESTIMATES,
    SESSION_INSIGHT_GOAL_COMPLETION_STATUSES,
    SESSION_INSIGHT_SATISFACTION_LEVELS,
    SESSION_INSIGHT_USER_EFFORT_LEVELS,
    SESSION_INSIGHT_USER_SENTIMENTS,
} from '../types/chatbot/chatbot-types';
import { idSchema, isoDateSchema, nonNegative, score0to100, shortText } from './common';

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

export const putInsightsRequestSchema = sessionInsightsSchema.strict();
