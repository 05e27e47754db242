/** The converse routes (the route table is functions/http/routes.ts). */
import * as z from 'zod';
import { converseWireRequestSchema } from 'pika-shared/schemas';
import type { RouteDef } from './common';

export const CONVERSE_ROUTES = [
  {
    id: 'converse',
    method: 'POST',
    path: '/converse',
    group: 'converse',
    summary: 'Send a message; the answer streams back as Server-Sent Events',
    access: ['user'],
    body: converseWireRequestSchema,
    response: z.object({ sessionId: z.string(), userMessageId: z.string(), messageId: z.string(), usage: z.unknown() }),
    streaming: true,
  },
] as const satisfies readonly RouteDef[];
