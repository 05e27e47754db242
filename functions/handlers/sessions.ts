/** Sessions and their message history. */
import { listMessages } from '../data/messages';
import { createSession, listUserSessions, updateSession } from '../data/sessions';
import { deleteSessionInBackground } from '../lifecycle/purge-session';
import { agentOf, sessionFor, usableChatApp, type SessionAction } from '../policy/access';
import { createGroupHandler } from '../http/handler';
import { SESSIONS_ROUTES } from '../http/routes/sessions';
import { nowIso } from '../data/items';
import { retentionDaysOf } from '../data/ttl';
import { requestStop } from '../data/turns';
import { conflict } from '../platform/errors';
import { searchSessionsFor } from './session-search';
import { announceUpload, downloadLink } from '../files/service';

export const handler = createGroupHandler('sessions', SESSIONS_ROUTES, {
  createSession: async ({ principal, body }) => {
    const app = await usableChatApp(principal, body.chatAppId);
    // A session inherits the creating user's stored customData unless the request gives its own (the spec).
    const customData = body.customData ?? (await principal.customData());
    return createSession({
      userId: principal.userId,
      chatAppId: app.chatAppId,
      agentId: agentOf(app, body.agentId),
      title: body.title,
      customData,
      retentionDays: retentionDaysOf(app),
    });
  },
  listSessions: async ({ principal, query }) =>
    listUserSessions({ userId: principal.userId, chatAppId: query.chatAppId, limit: query.limit, cursor: query.cursor, caller: principal.userId }),
  searchSessions: async ({ principal, body }) => searchSessionsFor(principal, body),
  getSession: async ({ principal, params, route }) => sessionFor(principal, params.sessionId, 'read', route.id),
  updateSession: async ({ principal, params, body, route }) => {
    const actions: SessionAction[] = [
      ...(body.title !== undefined ? ['rename' as const] : []),
      ...(body.flaggedForHumanReview !== undefined ? ['flag' as const] : []),
    ];
    const session = await sessionFor(principal, params.sessionId, actions, route.id);
    return updateSession(session.sessionId, body);
  },
  deleteSession: async ({ principal, params, route }) => {
    await sessionFor(principal, params.sessionId, 'delete', route.id);
    // Gone from every list and read at once; its items and objects go in the background (functions/lifecycle).
    await deleteSessionInBackground(params.sessionId);
    return { deleted: true };
  },
  cancelSession: async ({ principal, params, route }) => {
    const session = await sessionFor(principal, params.sessionId, 'cancel', route.id);
    if (!(await requestStop(session.sessionId, principal.userId, nowIso()))) throw conflict('Nothing is running in this session');
    return { cancelRequested: true };
  },
  createFileUpload: async ({ principal, params, body, route }) => {
    const session = await sessionFor(principal, params.sessionId, 'upload', route.id);
    return announceUpload(session, await usableChatApp(principal, session.chatAppId), body);
  },
  getFile: async ({ principal, params, route }) => {
    await sessionFor(principal, params.sessionId, 'read', route.id);
    return downloadLink(params.sessionId, params.fileId);
  },
  listMessages: async ({ principal, params, query, route }) => {
    await sessionFor(principal, params.sessionId, 'read', route.id);
    return listMessages({ sessionId: params.sessionId, limit: query.limit, cursor: query.cursor, order: query.order, caller: principal.userId });
  },
});
