/** The session feedback record and its comments (its requests: ./feedback.ts; a module of its own, so validating a request does not build it). */
import * as z from 'zod';
import { SESSION_FEEDBACK_SEVERITIES, SESSION_FEEDBACK_STATUSES, SESSION_FEEDBACK_TYPES } from '../types/chatbot/chatbot-types';
import { idSchema, userIdSchema, isoDateSchema, shortText, TITLE_MAX } from './common';

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
