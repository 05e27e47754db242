/** What the response modules share: their table's shape and the small answer schemas several of them use. */
import * as z from 'zod';
import type { RouteDef } from '../routes/common';

/**
 * The success answers of one group's routes (for a streaming route: its `done` event), by route id: exactly
 * one per route of the group (`satisfies ResponsesOf<typeof GROUP_ROUTES>`: a missing or extra id fails `tsc`).
 */
export type ResponsesOf<Routes extends readonly RouteDef[]> = { readonly [K in Routes[number]['id']]: z.ZodType };

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().optional() });
export const deleted = z.object({ deleted: z.literal(true) });
