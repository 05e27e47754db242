/** What the file routes answer: the file record with an upload form or a download link (the request: ./files.ts). */
import * as z from 'zod';
import { chatMessageFileSchema } from './message';

/** POST /sessions/{sessionId}/files: the file record and the browser form to upload it with (POST `url`, `fields` first, then `file`). */
export const fileUploadSchema = z.object({
    file: chatMessageFileSchema,
    upload: z.object({ url: z.string(), fields: z.record(z.string(), z.string()), expiresAt: z.string() }),
});

/** GET /sessions/{sessionId}/files/{fileId}: a short-lived download link. */
export const fileDownloadSchema = z.object({ file: chatMessageFileSchema, url: z.string(), expiresAt: z.string() });
