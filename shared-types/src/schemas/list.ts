/** Pagination of list routes. */
import * as z from 'zod';

export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 20;

/** Query strings arrive as strings: limit is coerced. */
export const listQuerySchema = z.strictObject({
    limit: z.coerce.number().int().min(1).max(LIST_LIMIT_MAX).optional(),
    cursor: z.string().min(1).max(4096).optional(),
});
