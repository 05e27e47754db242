/** Chat sessions: the requests that create or change one (the record: ./session-record.ts). */
import * as z from 'zod';
import { customDataSchema, idSchema, shortText, TITLE_MAX } from './common';

export const createSessionRequestSchema = z.strictObject({
    chatAppId: idSchema,
    agentId: idSchema.optional(),
    /** Absent: the first converse turn generates one. */
    title: shortText(TITLE_MAX).min(1).optional(),
    customData: customDataSchema.optional(),
});

export const updateSessionRequestSchema = z
    .strictObject({
        title: shortText(TITLE_MAX).min(1).optional(),
        flaggedForHumanReview: z.boolean().optional(),
    })
    .refine((b) => b.title !== undefined || b.flaggedForHumanReview !== undefined, 'give title or flaggedForHumanReview');
