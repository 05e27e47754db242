/** Users: the stored user and the requests that write one. */
import * as z from 'zod';
import { USER_TYPES } from '../types/chatbot/chatbot-types';
import { idSchema, userIdSchema, isoDateSchema, safeRecordSchema, shortText } from './common';

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

export const putChatUserSchema = chatUserSchema;
