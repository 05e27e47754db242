/**
 * Everything a converse turn decides before the answer starts streaming, so that each refusal is a plain
 * HTTP 4xx/5xx JSON answer: mode/source rules, the session (unknown id = 404, never a new session), the
 * chat app and its access rules, the agent, idempotency, and the user message stored before Bedrock runs.
 */
import type { AgentConfig, ChatAppConfig, ConverseInvocationMode, ConverseSource, RecordOrUndef, ChatUser } from 'pika-shared/types/chatbot/chatbot-types';
import type { z } from 'zod';
import type { converseWireRequestSchema } from 'pika-shared/schemas';
import { getAgent } from '../data/config';
import { claimIdempotencyKey, releaseIdempotencyKey, type IdempotencyRecord } from '../data/idempotency';
import { appendMessage, startSessionWithMessage } from '../data/messages';
import { consumeRateLimit, converseRateLimit } from '../data/rate-limit';
import { getSessionWithUser, type Session } from '../data/sessions';
import { AppError, conflict, forbidden, notFound, validationFailed } from '../lib/errors';
import { agentOf, usableChatApp } from '../http/access';
import type { Principal } from '../http/principal';

export type ConverseBody = z.infer<typeof converseWireRequestSchema>;

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export interface TurnPlan {
  userId: string;
  user: ChatUser<RecordOrUndef> | undefined;
  app: ChatAppConfig;
  agent: AgentConfig;
  session: Session;
  sessionCreated: boolean;
  message: string;
  source: ConverseSource;
  invocationMode: ConverseInvocationMode;
  timezone?: string;
  userMessageId: string;
  idempotency?: { scope: string; key: string };
}

export type Prepared = { kind: 'turn'; plan: TurnPlan } | { kind: 'replay'; record: IdempotencyRecord };

function modeAndSource(body: ConverseBody): { invocationMode: ConverseInvocationMode; source: ConverseSource } {
  const invocationMode = body.invocationMode ?? 'chat-app';
  const source = body.source ?? (invocationMode === 'chat-app-component' ? 'component' : 'user');
  if (invocationMode === 'chat-app-component' && !body.chatAppComponentConfig) {
    throw validationFailed('chat-app-component mode needs chatAppComponentConfig', [{ path: 'body.chatAppComponentConfig', message: 'required' }]);
  }
  if (source !== 'user' && invocationMode !== 'chat-app-component') {
    throw validationFailed(`source '${source}' is for chat-app-component mode`, [{ path: 'body.source', message: 'needs invocationMode chat-app-component' }]);
  }
  if (invocationMode === 'direct-agent-invoke' && !body.agentId) {
    throw validationFailed('direct-agent-invoke mode names its agent', [{ path: 'body.agentId', message: 'required' }]);
  }
  return { invocationMode, source };
}

/** The caller's session and stored user in one read; another user's session is a 404 (content-admins: 403). */
async function existingSession(principal: Principal, sessionId: string): Promise<Session> {
  const { session, user } = await getSessionWithUser(sessionId, principal.userId);
  principal.primeStoredUser(user);
  if (!session) throw notFound('Session');
  if (session.userId !== principal.userId) {
    if (await principal.isContentAdmin()) throw forbidden("Content admins may read other users' sessions but not converse in them");
    throw notFound('Session');
  }
  return session;
}

export async function prepareTurn(principal: Principal, body: ConverseBody, idempotencyKey: string | undefined): Promise<Prepared> {
  const { invocationMode, source } = modeAndSource(body);
  await consumeRateLimit(principal.userId, 'converse', converseRateLimit());
  const found = body.sessionId ? await existingSession(principal, body.sessionId) : undefined;
  const chatAppId = body.chatAppId ?? found?.chatAppId;
  if (!chatAppId) throw validationFailed('Give chatAppId (or the sessionId of an existing session)', [{ path: 'body.chatAppId', message: 'required' }]);
  if (found && found.chatAppId !== chatAppId) throw validationFailed('The session belongs to another chat app', [{ path: 'body.chatAppId', message: 'mismatch' }]);
  const app = await usableChatApp(principal, chatAppId);
  const agentId = agentOf(app, body.agentId ?? found?.agentId);
  const agent = await getAgent(agentId);
  if (!agent) throw new AppError('NOT_FOUND', `Agent ${agentId} has no configuration`);

  const key = idempotencyKey ?? body.clientMessageId;
  const idempotency = key ? { scope: found?.sessionId ?? `u.${principal.userId}`, key } : undefined;
  if (idempotency) {
    const claim = await claimIdempotencyKey(idempotency.scope, idempotency.key, IDEMPOTENCY_TTL_SECONDS);
    if (!claim.isNew) {
      if (claim.record.status === 'completed') return { kind: 'replay', record: claim.record };
      throw conflict('A request with this idempotency key is still running');
    }
  }
  try {
    const first = {
      role: 'user' as const,
      content: body.message,
      source,
      metadata: { invocationMode, ...(body.chatAppComponentConfig ? { componentId: body.chatAppComponentConfig.componentId } : {}) },
      ...(body.files ? { files: body.files } : {}),
    };
    // A new session and its first message are one transaction; otherwise the message joins the session.
    const { session, message: userMessage } = found
      ? { session: found, message: await appendMessage({ ...first, userId: principal.userId, sessionId: found.sessionId }) }
      : await startSessionWithMessage({ userId: principal.userId, chatAppId, agentId }, first);
    return {
      kind: 'turn',
      plan: {
        userId: principal.userId,
        user: await principal.storedUser(),
        app,
        agent,
        session,
        sessionCreated: !found,
        message: body.message,
        source,
        invocationMode,
        ...(body.timezone ? { timezone: body.timezone } : {}),
        userMessageId: userMessage.messageId,
        ...(idempotency ? { idempotency } : {}),
      },
    };
  } catch (err) {
    // Nothing was stored for this turn: let a retry with the same key run it.
    if (idempotency) await releaseIdempotencyKey(idempotency.scope, idempotency.key).catch(() => undefined);
    throw err;
  }
}
