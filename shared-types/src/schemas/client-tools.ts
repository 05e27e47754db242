/** Human in the loop (docs/converse.md#human-in-the-loop): the chat app's client tools and the client's answers. */
import * as z from 'zod';
import { idSchema, shortText } from './common';

/** A function name as agents name them (Classic action group functions, harness inline functions). */
export const clientToolNameSchema = z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'only letters, digits and _ . : - are allowed');

export const clientToolConfigSchema = z.strictObject({
    name: clientToolNameSchema,
    description: shortText(1_000).optional(),
    approval: z.boolean().optional(),
});

export const clientToolsSchema = z
    .array(clientToolConfigSchema)
    .max(50)
    .refine((tools) => new Set(tools.map((t) => t.name)).size === tools.length, 'each function is named once');

/** A client tool's output (text; JSON as text) or a denial's reason: bounded like a message. */
export const TOOL_OUTPUT_MAX = 20_000;

/** One answer to a tool request of the awaiting answer (the `tool_request` event's toolCallId). */
export const converseToolResultSchema = z.strictObject({
    toolCallId: idSchema,
    output: z.string().max(TOOL_OUTPUT_MAX).optional(),
    isError: z.boolean().optional(),
    approved: z.boolean().optional(),
    reason: shortText(1_000).optional(),
});

/** At most as many answers as an answer may ask (MAX_TOOL_REQUESTS). */
export const MAX_TOOL_REQUESTS = 10;
export const converseToolResultsSchema = z.array(converseToolResultSchema).min(1).max(MAX_TOOL_REQUESTS);
