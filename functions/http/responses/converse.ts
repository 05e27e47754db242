/** The converse route's answer: its `done` event (the route: ../routes/converse.ts; the stream: docs/converse.md). */
import * as z from 'zod';
import type { CONVERSE_ROUTES } from '../routes/converse';
import type { ResponsesOf } from './common';

export const CONVERSE_RESPONSES = {
  converse: z.object({ sessionId: z.string(), userMessageId: z.string(), messageId: z.string(), usage: z.unknown() }),
  /** The `finish` chunk's message metadata. */
  converseAiSdk: z.object({ sessionId: z.string(), userMessageId: z.string(), messageId: z.string(), usage: z.unknown() }),
  /** RUN_FINISHED's `result`. */
  converseAgUi: z.object({ sessionId: z.string(), messageId: z.string() }),
} satisfies ResponsesOf<typeof CONVERSE_ROUTES>;
