/** Chat messages, their usage and their files. */
import * as z from 'zod';
import { CHAT_MESSAGE_ROLES, CHAT_MESSAGE_STATUSES, CONVERSE_SOURCES } from '../types/chatbot/chatbot-types';
import { idSchema, userIdSchema, isoDateSchema, nonNegative, safeRecordSchema, shortText } from './common';

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
