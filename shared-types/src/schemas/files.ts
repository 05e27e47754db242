/** Files attached to converse messages: the chat app's upload settings and the upload/download routes' shapes. */
import * as z from 'zod';
import { chatMessageFileSchema } from './message';
import { shortText } from './common';
import { mimeTypeSchema } from './file-feature';

/** POST /sessions/{sessionId}/files */
export const createFileUploadRequestSchema = z.strictObject({
    fileName: shortText(255)
        .min(1)
        .refine(
            (name) => ![...name].some((c) => c === '/' || c === '\\' || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
            'a file name without path separators or control characters',
        ),
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
