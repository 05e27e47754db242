/** Session feedback: the requests that create, change or list it (the record: ./feedback-record.ts). */
import * as z from 'zod';
import { SESSION_FEEDBACK_SEVERITIES, SESSION_FEEDBACK_STATUSES, SESSION_FEEDBACK_TYPES } from '../types/chatbot/chatbot-types';
import { isoDateSchema, shortText, TITLE_MAX } from './common';
import { listQuerySchema } from './list';

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
