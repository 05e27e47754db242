/**
 * Ownership and chat-app access, checked in one place. Another user's item is a 404 (existence is never
 * revealed); content-admins (and site-admins, and the service role) may READ other users' sessions, and
 * every such read is logged as the spec's viewingContentFor.
 */
import type { ChatAppConfig } from 'pika-shared/types/chatbot/chatbot-types';
import { getChatApp } from '../data/config';
import { getSession, type Session } from '../data/sessions';
import { forbidden, notFound } from '../lib/errors';
import { logger } from './logger';
import type { Principal } from './principal';

/** The session if the caller owns it; 404 otherwise. */
export async function ownedSession(p: Principal, sessionId: string): Promise<Session> {
  const session = await getSession(sessionId);
  if (!session || session.userId !== p.userId) throw notFound('Session');
  return session;
}

/** The session if the caller owns it or may view other users' content (logged); 404 otherwise. */
export async function readableSession(p: Principal, sessionId: string, routeId: string): Promise<Session> {
  const session = await getSession(sessionId);
  if (!session) throw notFound('Session');
  if (session.userId === p.userId) return session;
  if ((await p.isContentAdmin()) || (await p.isService())) {
    logger.info('viewing content for another user', { routeId, viewerUserId: p.userId, viewingContentFor: session.userId, sessionId });
    return session;
  }
  throw notFound('Session');
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
