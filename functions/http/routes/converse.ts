/** The converse routes (the route table is functions/http/routes.ts; their answers: ../responses/converse.ts). */
import * as z from 'zod';
import { converseWireRequestSchema, idSchema } from 'pika-shared/schemas';
import type { RouteDef } from './common';

export const CONVERSE_ROUTES = [
  {
    id: 'converse',
    method: 'POST',
    path: '/converse',
    group: 'converse',
    summary: 'Send a message; the answer streams back as Server-Sent Events',
    access: ['user'],
    errors: [
      'FORBIDDEN',
      'NOT_FOUND',
      'CONFLICT',
      'TURN_IN_PROGRESS',
      'USER_ERASURE_IN_PROGRESS',
      'IDEMPOTENCY_KEY_REUSED',
      'RATE_LIMITED',
      'BUDGET_EXCEEDED',
      'AGENT_ERROR',
    ],
    body: converseWireRequestSchema,
    streaming: true,
    // 409: the idempotency key's turn, or another turn of the session, still runs; 429: the converse rate limit or a budget.
    retryAfter: ['CONFLICT', 'TURN_IN_PROGRESS', 'RATE_LIMITED', 'BUDGET_EXCEEDED'],
    // Read by prepareTurn (functions/converse/prepare.ts) with this same schema: a retry with the same key replays the turn.
    headers: z.object({ 'Idempotency-Key': idSchema.optional() }),
  },
] as const satisfies readonly RouteDef[];
