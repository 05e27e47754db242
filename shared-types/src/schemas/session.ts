/** Chat sessions: the record and the requests that create or change one. */
import * as z from 'zod';
import { idSchema, userIdSchema, isoDateSchema, nonNegative, safeRecordSchema, shortText, TITLE_MAX } from './common';
import { sessionInsightsSchema } from './insights';

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
