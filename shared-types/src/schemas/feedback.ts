/** Session feedback: the record, its comments, and the requests that create, change or list it. */
import * as z from 'zod';
import { SESSION_FEEDBACK_SEVERITIES, SESSION_FEEDBACK_STATUSES, SESSION_FEEDBACK_TYPES } from '../types/chatbot/chatbot-types';
import { idSchema, userIdSchema, isoDateSchema, shortText, TITLE_MAX } from './common';
import { listQuerySchema } from './list';

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
