/** The chat app feature `fileUpload` (files attached to messages; docs/api.md#files). records.ts validates it. */
import * as z from 'zod';

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
export const fileUploadFeatureSchema = z.strictObject({
    featureId: z.literal('fileUpload'),
    enabled: z.boolean(),
    allowedMimeTypes: z.array(mimeTypeSchema).min(1).max(100).optional(),
    maxSizeBytes: z.number().int().positive().max(FILE_MAX_BYTES_LIMIT).optional(),
    useCase: z.enum(['CHAT', 'CODE_INTERPRETER']).optional(),
});
