/** A user's erasure as the API shows it (DELETE /users/me, GET /users/me/erasure; a module of its own: answers only). */
import * as z from 'zod';
import { isoDateSchema } from './common';

export const ERASURE_STATUSES = ['running', 'done', 'failed'] as const;
export const ERASURE_PHASES = ['sessions', 'idempotency', 'usage', 'budgets', 'files', 'memory', 'user', 'settle', 'done'] as const;

export const userErasureSchema = z.object({
    userId: z.string(),
    status: z.enum(ERASURE_STATUSES),
    requestedAt: isoDateSchema,
    lastUpdate: isoDateSchema,
    finishedAt: isoDateSchema.optional(),
    /** Who asked: the user, or a site admin. */
    requestedBy: z.enum(['user', 'admin']),
    /** While running: where the job stands. */
    phase: z.enum(ERASURE_PHASES).optional(),
    /** What was removed so far, by kind (counts only, no content). */
    counts: z.record(z.string(), z.number()).optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export type UserErasure = z.infer<typeof userErasureSchema>;
