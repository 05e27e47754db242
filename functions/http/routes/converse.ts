/** The converse routes (the route table is functions/http/routes.ts; their answers: ../responses/converse.ts). */
import * as z from 'zod';
import { AG_UI_PROTOCOL, AI_SDK_PROTOCOL, agUiRunInputSchema, aiSdkChatRequestSchema, converseWireRequestSchema, idSchema } from 'pika-shared/schemas';
import type { RouteDef } from './common';

/** What every execution mode of the turn can refuse before its stream starts (functions/converse/prepare.ts). */
const TURN_ERRORS = [
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'TURN_IN_PROGRESS',
  'USER_ERASURE_IN_PROGRESS',
  'IDEMPOTENCY_KEY_REUSED',
  'RATE_LIMITED',
  'BUDGET_EXCEEDED',
  'AGENT_ERROR',
] as const;
// 409: the idempotency key's turn, or another turn of the session, still runs; 429: the converse rate limit or a budget.
const TURN_RETRY_AFTER = ['CONFLICT', 'TURN_IN_PROGRESS', 'RATE_LIMITED', 'BUDGET_EXCEEDED'] as const;
// Read by prepareTurn (functions/converse/prepare.ts) with this same schema: a retry with the same key replays the turn.
const TURN_HEADERS = z.object({ 'Idempotency-Key': idSchema.optional() });

export const CONVERSE_ROUTES = [
  {
    id: 'converse',
    method: 'POST',
    path: '/converse',
    group: 'converse',
    summary: 'Send a message; the answer streams back as Server-Sent Events',
    access: ['user'],
    errors: TURN_ERRORS,
    body: converseWireRequestSchema,
    streaming: true,
    retryAfter: TURN_RETRY_AFTER,
    headers: TURN_HEADERS,
  },
  {
    id: 'converseAiSdk',
    method: 'POST',
    path: '/converse/ai-sdk',
    group: 'converse',
    summary: "The converse turn for the Vercel AI SDK's useChat (DefaultChatTransport): a UI message stream v1",
    access: ['user'],
    errors: TURN_ERRORS,
    body: aiSdkChatRequestSchema,
    streaming: true,
    protocol: AI_SDK_PROTOCOL,
    retryAfter: TURN_RETRY_AFTER,
    headers: TURN_HEADERS,
  },
  {
    id: 'converseAgUi',
    method: 'POST',
    path: '/converse/ag-ui',
    group: 'converse',
    summary: 'The converse turn for AG-UI clients (@ag-ui/client HttpAgent, CopilotKit): RunAgentInput in, AG-UI events out',
    access: ['user'],
    errors: TURN_ERRORS,
    body: agUiRunInputSchema,
    streaming: true,
    protocol: AG_UI_PROTOCOL,
    retryAfter: TURN_RETRY_AFTER,
    headers: TURN_HEADERS,
  },
] as const satisfies readonly RouteDef[];
