/**
 * Ownership and chat-app access, decided here and nowhere else: who may do what with a session and its
 * children, which chat apps and agents a caller may use, what of feedback a caller sees.
 */
import type { ChatAppConfig } from 'pika-shared/types/chatbot/chatbot-types';
import { getChatApp } from '../data/config';
import { getSession, type Session } from '../data/sessions';
import { forbidden, notFound } from '../platform/errors';
import { logger } from '../platform/logger';
import type { Principal } from './principal';

/** The user's entity in a chat app: the value of its access.entity attribute in the user's customData. */
export function entityOf(app: ChatAppConfig, customData: Record<string, unknown> | undefined): string | undefined {
  const attribute = app.access?.entity?.attributeName;
  const value = attribute ? customData?.[attribute] : undefined;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * What a caller does with a session (and its messages, feedback, insights):
 * - read: the owner; content-admins and the service role too (each such read logged as viewingContentFor);
 * - rename: the owner only; a caller who may read it gets 403;
 * - flag (for human review): content-admins only (403 for anyone else), on any session they may read;
 * - delete, cancel (stop a running answer): the owner only; everyone else 404 (admins read, never remove);
 * - converse: the owner only; content-admins get 403 (they may read, not converse), everyone else 404.
 * - upload (announce a file): the owner only; everyone else 404.
 * Whoever may not read a session gets 404: its existence is never revealed.
 */
export type SessionAction = 'read' | 'rename' | 'flag' | 'delete' | 'cancel' | 'converse' | 'upload';

/** The one ownership rule: `session` if the caller may do every one of `actions` on it; 404/403 otherwise. */
export async function authorizeSession(
  p: Principal,
  session: Session | undefined,
  actions: SessionAction | SessionAction[],
  routeId: string,
): Promise<Session> {
  const all = Array.isArray(actions) ? actions : [actions];
  await checkRoles(p, all);
  if (!session) throw notFound('Session');
  for (const action of all) await authorizeOne(p, session, action, routeId);
  return session;
}

/** Actions that need a role whoever owns the session. */
async function checkRoles(p: Principal, actions: SessionAction[]): Promise<void> {
  if (actions.includes('flag') && !(await p.isContentAdmin())) throw forbidden('Only content admins flag sessions for human review');
}

async function authorizeOne(p: Principal, session: Session, action: SessionAction, routeId: string): Promise<void> {
  if (session.userId === p.userId) return;
  switch (action) {
    case 'read':
    case 'flag':
      if (await mayViewOthers(p)) {
        logger.info('viewing content for another user', { routeId, viewerUserId: p.userId, viewingContentFor: session.userId, sessionId: session.sessionId });
        return;
      }
      break;
    case 'rename':
      if (await mayViewOthers(p)) throw forbidden('Only the owner renames a session');
      break;
    case 'converse':
      if (await p.isContentAdmin()) throw forbidden("Content admins may read other users' sessions but not converse in them");
      break;
    case 'delete':
    case 'cancel':
    case 'upload':
      break;
  }
  throw notFound('Session');
}

/** The stored session if the caller may do `action` on it. */
export async function sessionFor(p: Principal, sessionId: string, actions: SessionAction | SessionAction[], routeId: string): Promise<Session> {
  await checkRoles(p, Array.isArray(actions) ? actions : [actions]); // a role refusal comes before any read
  return authorizeSession(p, await getSession(sessionId), actions, routeId);
}

/** Content-admins (and site-admins) and the service role read other users' sessions. */
async function mayViewOthers(p: Principal): Promise<boolean> {
  return (await p.isContentAdmin()) || (await p.isService());
}

/**
 * Whose memory a caller may read: their own; another user's for content-admins, logged as viewingContentFor
 * (the route admits only admins). Deleting memory is the owner's alone (the /users/me routes).
 */
export async function memoryOwner(p: Principal, userId: string, routeId: string): Promise<string> {
  if (userId === p.userId) return userId;
  if (!(await p.isContentAdmin())) throw forbidden('Only content admins read another user\u2019s memory');
  logger.info('viewing content for another user', { routeId, viewerUserId: p.userId, viewingContentFor: userId });
  return userId;
}

/**
 * Feedback as the caller may see it: internal comments (an admin's notes, with their author's userId) only
 * for content-admins and the service role, never for the session's owner.
 */
export async function visibleFeedback<T extends { internalComments?: unknown }>(p: Principal, items: T[]): Promise<T[]> {
  if ((await p.isContentAdmin()) || (await p.isService())) return items;
  return items.map(({ internalComments: _hidden, ...rest }) => rest as T);
}

/** The chat app if it exists, is enabled and its access rules admit the caller (403 names the failed rule). */
export async function usableChatApp(p: Principal, chatAppId: string): Promise<ChatAppConfig> {
  const app = await getChatApp(chatAppId);
  if (!app) throw notFound('Chat app');
  if (!app.enabled) throw forbidden('This chat app is disabled');
  const rules = app.access;
  if (rules?.userTypes?.length) {
    const type = await p.userType();
    if (!type || !rules.userTypes.includes(type as never)) throw forbidden('This chat app is not open to your user type');
  }
  if (rules?.roles?.length) {
    let ok = false;
    for (const role of rules.roles) if (await p.hasRole(role)) ok = true;
    if (!ok) throw forbidden('This chat app needs a role you do not have');
  }
  if (rules?.entity) {
    const value = (await p.customData())?.[rules.entity.attributeName];
    if (typeof value !== 'string' || !rules.entity.values.includes(value)) throw forbidden('This chat app is not open to your organisation');
  }
  return app;
}

/** The agent a request may use in a chat app: the app's own, or one of its allowed agents. */
export function agentOf(app: ChatAppConfig, requested: string | undefined): string {
  if (!requested || requested === app.agentId) return app.agentId;
  if (app.allowedAgentIds?.includes(requested)) return requested;
  throw forbidden('This agent is not allowed in this chat app');
}
