/** Files attached to converse messages: the request that announces an upload (the routes' answers: ./file-links.ts). */
import * as z from 'zod';
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
