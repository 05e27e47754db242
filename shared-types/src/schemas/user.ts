/** Users: the user types and the requests that write a user (the stored user: ./user-record.ts). */
import * as z from 'zod';
import { USER_TYPES } from '../types/chatbot/chatbot-types';
import { customDataSchema, idKeySchema, safeRecordSchema, shortText } from './common';

export const userTypeSchema = z.enum(USER_TYPES);

export const updateMeRequestSchema = z.strictObject({
    firstName: shortText(100).optional(),
    lastName: shortText(100).optional(),
});

export const putUserRequestSchema = z.strictObject({
    firstName: shortText(100).optional(),
    lastName: shortText(100).optional(),
    customData: customDataSchema.optional(),
    overrideData: z.record(idKeySchema, safeRecordSchema).optional(),
    userType: userTypeSchema.optional(),
    roles: z.array(shortText(128)).max(50).optional(),
});
