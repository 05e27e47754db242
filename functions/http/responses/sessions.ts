/** The sessions routes' success answers (the routes: ../routes/sessions.ts). */
import * as z from 'zod';
import { chatMessageSchema, chatSessionFeedbackSchema, chatSessionSchema, fileDownloadSchema, fileUploadSchema } from 'pika-shared/schemas';
import type { SESSIONS_ROUTES } from '../routes/sessions';
import { deleted, pageOf, type ResponsesOf } from './common';

export const SESSIONS_RESPONSES = {
  createSession: chatSessionSchema,
  listSessions: pageOf(chatSessionSchema),
  searchSessions: z.object({
    success: z.boolean(),
    sessions: z.array(chatSessionSchema.extend({ feedback: z.array(chatSessionFeedbackSchema).optional() })),
    error: z.string().optional(),
    scrollId: z.string().optional(),
    total: z.number(),
    pageSize: z.number(),
  }),
  getSession: chatSessionSchema,
  updateSession: chatSessionSchema,
  deleteSession: deleted,
  cancelSession: z.object({ cancelRequested: z.literal(true) }),
  createFileUpload: fileUploadSchema,
  getFile: fileDownloadSchema,
  listMessages: pageOf(chatMessageSchema),
} satisfies ResponsesOf<typeof SESSIONS_ROUTES>;
