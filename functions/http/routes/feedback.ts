/** The feedback routes (the route table is functions/http/routes.ts; their answers: ../responses/feedback.ts). */
import {
  addFeedbackCommentRequestSchema,
  createFeedbackRequestSchema,
  feedbackListQuerySchema,
  listQuerySchema,
  updateFeedbackRequestSchema,
} from 'pika-shared/schemas';
import { ADMIN_READ, feedbackParams, type RouteDef, sessionParams } from './common';

export const FEEDBACK_ROUTES = [
  {
    id: 'createFeedback',
    method: 'POST',
    path: '/sessions/{sessionId}/feedback',
    group: 'feedback',
    summary: 'Report feedback on a session',
    access: ['user'],
    params: sessionParams,
    body: createFeedbackRequestSchema,
    status: 201,
  },
  {
    id: 'listSessionFeedback',
    method: 'GET',
    path: '/sessions/{sessionId}/feedback',
    group: 'feedback',
    summary: 'Feedback of a session',
    access: ['user'],
    params: sessionParams,
    query: listQuerySchema,
  },
  {
    id: 'updateFeedback',
    method: 'PATCH',
    path: '/sessions/{sessionId}/feedback/{feedbackId}',
    group: 'feedback',
    summary: 'Change status/severity (optimistic: expectedLastUpdate)',
    access: ADMIN_READ,
    params: feedbackParams,
    body: updateFeedbackRequestSchema,
  },
  {
    id: 'addFeedbackComment',
    method: 'POST',
    path: '/sessions/{sessionId}/feedback/{feedbackId}/comments',
    group: 'feedback',
    summary: 'Add an internal comment',
    access: ADMIN_READ,
    params: feedbackParams,
    body: addFeedbackCommentRequestSchema,
    status: 201,
  },
  {
    id: 'listFeedback',
    method: 'GET',
    path: '/feedback',
    group: 'feedback',
    summary: 'Feedback across users, newest first',
    access: ADMIN_READ,
    query: feedbackListQuerySchema,
  },
] as const satisfies readonly RouteDef[];
