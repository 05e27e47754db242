/** Files attached to converse messages: the chat app's upload settings and the upload/download routes' shapes. */
import { z } from 'zod';
import { chatAppFeatureSchema, chatMessageFileSchema } from './records';
import { shortText } from './common';

/** What a chat app accepts when its `fileUpload` feature sets nothing: common documents and images. */
export const DEFAULT_FILE_MIME_TYPES = [
    'application/pdf',
    'text/plain',
    'text/markdown',
    'text/csv',
    'text/html',
    'application/msword',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.ms-excel',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'image/png',
    'image/jpeg',
    'image/gif',
    'image/webp',
] as const;

/** 10 MB. */
export const DEFAULT_FILE_MAX_BYTES = 10 * 1024 * 1024;
/** The largest limit a chat app may set (Bedrock agents take files up to 10 MB each; images less). */
export const FILE_MAX_BYTES_LIMIT = 100 * 1024 * 1024;

/** A MIME type as `type/subtype`, lower case, no parameters. */
export const mimeTypeSchema = z
    .string()
    .max(255)
    .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/, 'a MIME type such as application/pdf (lower case, no parameters)');

/**
 * The chat app feature `fileUpload` (`features.fileUpload`): absent, uploads are allowed with the defaults;
 * `enabled: false` turns them off. `useCase` is what Agents Classic do with a file: `CHAT` (read it with the
 * question) or `CODE_INTERPRETER` (the code interpreter works on it).
 */
export const fileUploadFeatureSchema = chatAppFeatureSchema.extend({
    allowedMimeTypes: z.array(mimeTypeSchema).min(1).max(100).optional(),
    maxSizeBytes: z.number().int().positive().max(FILE_MAX_BYTES_LIMIT).optional(),
    useCase: z.enum(['CHAT', 'CODE_INTERPRETER']).optional(),
});

/** POST /sessions/{sessionId}/files */
export const createFileUploadRequestSchema = z.strictObject({
    fileName: shortText(255)
        .min(1)
        .regex(/^[^\u0000-\u001f\u007f/\\]+$/, 'a file name without path separators or control characters'),
    mimeType: mimeTypeSchema,
    size: z.number().int().positive(),
});

/** The answer: the file record and the browser form to upload it with (POST `url`, `fields` first, then `file`). */
export const fileUploadSchema = z.object({
    file: chatMessageFileSchema,
    upload: z.object({ url: z.string(), fields: z.record(z.string(), z.string()), expiresAt: z.string() }),
});

/** GET /sessions/{sessionId}/files/{fileId}: a short-lived download link. */
export const fileDownloadSchema = z.object({ file: chatMessageFileSchema, url: z.string(), expiresAt: z.string() });
