/** The feedback routes' success answers (the routes: ../routes/feedback.ts). */
import { chatSessionFeedbackSchema } from 'pika-shared/schemas';
import type { FEEDBACK_ROUTES } from '../routes/feedback';
import { pageOf, type ResponsesOf } from './common';

export const FEEDBACK_RESPONSES = {
  createFeedback: chatSessionFeedbackSchema,
  listSessionFeedback: pageOf(chatSessionFeedbackSchema),
  updateFeedback: chatSessionFeedbackSchema,
  addFeedbackComment: chatSessionFeedbackSchema,
  listFeedback: pageOf(chatSessionFeedbackSchema),
} satisfies ResponsesOf<typeof FEEDBACK_ROUTES>;
