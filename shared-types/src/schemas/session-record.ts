/** The chat session record (its requests: ./session.ts; a module of its own, so validating a request does not build it). */
import * as z from 'zod';
import { idSchema, userIdSchema, isoDateSchema, nonNegative, safeRecordSchema, shortText, TITLE_MAX } from './common';
import { sessionInsightsSchema } from './insights';
import { chatMessageUsageSchema } from './message';

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
    titleUsage: chatMessageUsageSchema.optional(),
    flaggedForHumanReview: z.boolean().optional(),
    insights: sessionInsightsSchema.optional(),
});
