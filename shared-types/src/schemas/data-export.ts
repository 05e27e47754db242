/** An export of a user's data as the API shows it (POST /users/me/exports, GET /users/me/exports/{exportId}; answers only). */
import * as z from 'zod';
import { isoDateSchema } from './common';

export const EXPORT_STATUSES = ['running', 'done', 'failed'] as const;

export const userExportSchema = z.object({
    exportId: z.string(),
    status: z.enum(EXPORT_STATUSES),
    createdAt: isoDateSchema,
    completedAt: isoDateSchema.optional(),
    /** When done: a presigned GET of the NDJSON document, made for this answer, short-lived. */
    downloadUrl: z.string().optional(),
    downloadUrlExpiresAt: isoDateSchema.optional(),
    /** When the document and this record are deleted. */
    expiresAt: isoDateSchema.optional(),
    /** When done: what the document holds, by kind (counts only). */
    counts: z.record(z.string(), z.number()).optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export type UserExport = z.infer<typeof userExportSchema>;
