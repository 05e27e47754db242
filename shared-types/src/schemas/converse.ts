/** The converse request: the spec's, and what POST /converse accepts. */
import * as z from 'zod';
import { CONVERSE_INVOCATION_MODES, CONVERSE_SOURCES } from '../types/chatbot/chatbot-types';
import { idSchema, userIdSchema, safeKeySchema, safeRecordSchema, shortText, timeZoneSchema, MESSAGE_MAX } from './common';
import { chatMessageFileSchema } from './message';
import { chatAppFeatureSchema } from './feature';
import { FILE_MAX_BYTES_LIMIT, mimeTypeSchema } from './file-feature';
import { converseToolResultsSchema } from './client-tools';

export const chatAppComponentConfigSchema = z.strictObject({ componentId: idSchema, settings: safeRecordSchema.optional() });

const converseCommon = {
    sessionId: idSchema.optional(),
    chatAppId: idSchema.optional(),
    timezone: timeZoneSchema.optional(),
    message: z.string().min(1).max(MESSAGE_MAX),
    // As the upload announced them (a MIME type, a whole number of bytes): the server compares them with the upload.
    files: z
        .array(chatMessageFileSchema.extend({ mimeType: mimeTypeSchema, size: z.number().int().min(0).max(FILE_MAX_BYTES_LIMIT) }))
        .max(20)
        .optional(),
    agentId: idSchema,
    // Spec field; the server ignores it (the chat app's access.entity.attributeName decides).
    entityAttributeNameInUserCustomData: shortText(128).optional(),
    invocationMode: z.enum(CONVERSE_INVOCATION_MODES).optional(),
    chatAppComponentConfig: chatAppComponentConfigSchema.optional(),
    source: z.enum(CONVERSE_SOURCES),
};

/** The spec's ConverseRequest exactly (userId and features required). */
export const converseRequestSchema = z.object({
    ...converseCommon,
    userId: userIdSchema,
    features: z.record(safeKeySchema, chatAppFeatureSchema),
});

/**
 * What POST /converse accepts: the spec's request, but userId and features may be omitted and are ignored
 * when sent (the user comes from the token, features from the chat app's settings); agentId and source are
 * optional (the chat app's agent, 'user'); clientMessageId makes a retry idempotent. `toolResults` answer the
 * tool requests of an answer awaiting the client (docs/converse.md#human-in-the-loop): such a request has no
 * `message` (one of the two is required; the server says which is missing).
 */
export const converseWireRequestSchema = z
    .strictObject({
        ...converseCommon,
        userId: userIdSchema.optional(),
        features: z.record(safeKeySchema, z.unknown()).optional(),
        agentId: idSchema.optional(),
        source: z.enum(CONVERSE_SOURCES).optional(),
        clientMessageId: idSchema.optional(),
        message: converseCommon.message.optional(),
        toolResults: converseToolResultsSchema.optional(),
    })
    // The server refuses a request with neither (400 naming body.chatAppId): documented, checked where the session is read.
    .meta({ anyOf: [{ required: ['sessionId'] }, { required: ['chatAppId'] }] });
