/** The stored user (its requests: ./user.ts; a module of its own, so validating a request does not build it). */
import * as z from 'zod';
import { userIdSchema, isoDateSchema, safeKeySchema, safeRecordSchema, shortText } from './common';
import { userTypeSchema } from './user';

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
    viewingContentFor: z.record(safeKeySchema, chatUserLiteSchema).optional(),
    overrideData: z.record(safeKeySchema, safeRecordSchema).optional(),
    createDate: isoDateSchema.optional(),
    lastUpdate: isoDateSchema.optional(),
    userType: userTypeSchema.optional(),
    roles: z.array(shortText(128)).max(50).optional(),
});

export const putChatUserSchema = chatUserSchema;
