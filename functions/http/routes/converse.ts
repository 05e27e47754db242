/** The converse routes (the route table is functions/http/routes.ts; their answers: ../responses/converse.ts). */
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
    streaming: true,
  },
] as const satisfies readonly RouteDef[];
