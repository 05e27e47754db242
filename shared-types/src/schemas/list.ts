/** Pagination of list routes. */
import * as z from 'zod';
import { MESSAGE_LIST_ORDERS } from '../types/chatbot/chatbot-types';

export const LIST_LIMIT_MAX = 100;
export const LIST_LIMIT_DEFAULT = 20;

/** Query strings arrive as strings: limit is coerced. */
export const listQuerySchema = z.strictObject({
    limit: z.coerce.number().int().min(1).max(LIST_LIMIT_MAX).optional(),
    cursor: z.string().min(1).max(4096).optional(),
});

/** A session's messages: `order` asc (default, oldest first) or desc (newest first, the cursor pages to older ones). */
export const listMessagesQuerySchema = listQuerySchema.extend({
    order: z.enum(MESSAGE_LIST_ORDERS).optional(),
});
