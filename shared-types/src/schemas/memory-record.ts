/** A user's memory record as the API lists it (a module of its own, so validating a request does not build it). */
import * as z from 'zod';
import { isoDateSchema } from './common';
import { memoryRecordIdSchema } from './memory';

export const userMemoryRecordSchema = z.object({
    recordId: memoryRecordIdSchema,
    memoryId: z.string(),
    content: z.string(),
    namespaces: z.array(z.string()),
    strategyId: z.string().optional(),
    createdAt: isoDateSchema,
});

export type UserMemoryRecord = z.infer<typeof userMemoryRecordSchema>;
