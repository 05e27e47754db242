/** Sessions and their message history. */
import { listMessages } from '../data/messages';
import { createSession, deleteSession, listUserSessions, updateSession } from '../data/sessions';
import { forbidden } from '../lib/errors';
import { agentOf, ownedSession, readableSession, usableChatApp } from '../http/access';
import { createGroupHandler } from '../http/handler';
import { searchSessionsFor } from './session-search';

export const handler = createGroupHandler('sessions', {
  createSession: async ({ principal, body }) => {
    const app = await usableChatApp(principal, body.chatAppId);
    return createSession({
      userId: principal.userId,
      chatAppId: app.chatAppId,
      agentId: agentOf(app, body.agentId),
      ...(body.title !== undefined ? { title: body.title } : {}),
      ...(body.customData !== undefined ? { customData: body.customData } : {}),
    });
  },
  listSessions: async ({ principal, query }) =>
    listUserSessions({ userId: principal.userId, chatAppId: query.chatAppId, limit: query.limit, cursor: query.cursor, caller: principal.userId }),
  searchSessions: async ({ principal, body }) => searchSessionsFor(principal, body),
  getSession: async ({ principal, params, route }) => readableSession(principal, params.sessionId, route.id),
  updateSession: async ({ principal, params, body, route }) => {
    // Owners rename; only content-admins set the review flag (on any session they can read).
    if (body.flaggedForHumanReview !== undefined && !(await principal.isContentAdmin())) {
      throw forbidden('Only content admins flag sessions for human review');
    }
    const session = await readableSession(principal, params.sessionId, route.id);
    if (body.title !== undefined && session.userId !== principal.userId) throw forbidden('Only the owner renames a session');
    return updateSession(session.sessionId, body);
  },
  deleteSession: async ({ principal, params }) => {
    await ownedSession(principal, params.sessionId);
    await deleteSession(params.sessionId);
    return { deleted: true };
  },
  listMessages: async ({ principal, params, query, route }) => {
    await readableSession(principal, params.sessionId, route.id);
    return listMessages({ sessionId: params.sessionId, limit: query.limit, cursor: query.cursor, caller: principal.userId });
  },
});
