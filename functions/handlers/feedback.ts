/** Feedback on sessions: users report, content-admins triage. */
import { addInternalComment, createFeedback, getFeedback, listFeedback, listSessionFeedback, updateFeedback } from '../data/feedback';
import { chatAppRetentionDays } from '../data/config';
import { newId, nowIso } from '../data/items';
import { orNotFound } from '../platform/errors';
import { sessionFor, visibleFeedback } from '../policy/access';
import { createGroupHandler } from '../http/handler';
import { FEEDBACK_ROUTES } from '../http/routes/feedback';

export const handler = createGroupHandler('feedback', FEEDBACK_ROUTES, {
  createFeedback: async ({ principal, params, body, route }) => {
    const session = await sessionFor(principal, params.sessionId, 'read', route.id);
    return createFeedback({
      ...body,
      sessionId: session.sessionId,
      userId: session.userId,
      reportedByHuman: true,
      createdByCustomer: session.userId === principal.userId,
      retentionDays: await chatAppRetentionDays(session.chatAppId),
    });
  },
  listSessionFeedback: async ({ principal, params, query, route }) => {
    await sessionFor(principal, params.sessionId, 'read', route.id);
    const page = await listSessionFeedback(params.sessionId, { limit: query.limit, cursor: query.cursor, caller: principal.userId });
    return { ...page, items: await visibleFeedback(principal, page.items) };
  },
  updateFeedback: async ({ params, body }) => {
    orNotFound(await getFeedback(params.sessionId, params.feedbackId), 'Feedback');
    const { expectedLastUpdate, ...patch } = body;
    return updateFeedback(params.sessionId, params.feedbackId, patch, expectedLastUpdate);
  },
  addFeedbackComment: async ({ principal, params, body }) => {
    orNotFound(await getFeedback(params.sessionId, params.feedbackId), 'Feedback');
    return addInternalComment(params.sessionId, params.feedbackId, {
      commentId: newId(),
      comment: body.comment,
      createdBy: principal.userId,
      createDate: nowIso(),
    });
  },
  listFeedback: async ({ principal, query }) =>
    listFeedback({ status: query.status, severity: query.severity, type: query.type, limit: query.limit, cursor: query.cursor, caller: principal.userId }),
});
