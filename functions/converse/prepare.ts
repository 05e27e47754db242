/**
 * Everything a converse turn decides before the answer starts streaming, so that each refusal is a plain
 * HTTP 4xx/5xx JSON answer: mode/source rules, the session (unknown id = 404, never a new session), the
 * chat app and its access rules, the agent, idempotency, and the user message stored before Bedrock runs.
 */
import type { AgentConfig, ChatAppConfig, ConverseInvocationMode, ConverseSource, RecordOrUndef, ChatUser } from 'pika-shared/types/chatbot/chatbot-types';
import { createHash } from 'node:crypto';
import type * as z from 'zod';
import { idSchema, type converseWireRequestSchema } from 'pika-shared/schemas';
import { getAgent } from '../data/config';
import { claimIdempotencyKey, releaseIdempotencyKey, type IdempotencyRecord } from '../data/idempotency';
import { newId } from '../data/items';
import { conversationSessionId } from '../data/keys';
import { storeUserMessage } from '../data/turn-writes';
import { retentionDaysOf } from '../data/ttl';
import type { Reservation } from '../data/usage-aggregates';
import { consumeRateLimit, converseRateLimit } from '../data/rate-limit';
import { assertNotBeingErased } from '../data/erasure';
import { getSessionWithUser, type Session } from '../data/sessions';
import type { ProviderState } from '../data/turns';
import { budgetForTurn } from './budget';
import { memoryMarkFor } from '../memory/registry';
import { ConverseError } from './errors';
import { agentOf, authorizeSession, entityOf, usableChatApp } from '../policy/access';
import type { Principal } from '../policy/principal';
import { attachFiles, filesForTurn, messageFileOf } from '../files/service';
import type { FileRecord } from '../data/files';
import { assertNotAwaiting, resumeOf, storedResults } from './client-tools';
import type { ResumeInput } from './providers/events';

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
  /** The caller's effective user type (token claim, else stored user). */
  userType?: string;
  userMessageId: string;
  /** The turn's id: it holds the session while it runs; stop requests name it. */
  turnId: string;
  /** When the turn started (its user message's time). */
  startedAt: string;
  /** What the turn set aside on the user's budget (given back when its answer is stored). */
  reservation?: Reservation;
  /** Which provider session answered this chat session last (whether history must be sent again). */
  provider: ProviderState;
  /** The session's insights are pending (an answer's activity awaits them, functions/insights/due.ts). */
  insightsPending: boolean;
  idempotency?: { scope: string; key: string };
  /** The message's files as the server stored them (verified in prepare; see functions/files/service.ts). */
  files?: FileRecord[];
  /** The user's entity in this chat app (budgets and usage are attributed to it too). */
  entityId?: string;
  /** Chat apps that record memory: the user's last "forget me" (or erasure) before the message was stored, '' for none. */
  memoryMark?: string;
  /** The turn answers the tool requests of the session's awaiting answer (docs/converse.md#human-in-the-loop): `message` is ''. */
  resume?: ResumeInput;
}

/** What a finished turn stores on its idempotency record, for a retried request to replay. */
export interface TurnOutcome {
  sessionId: string;
  userMessageId: string;
  messageId: string;
  source: ConverseSource;
  error?: { code: string; message: string };
}

export type Prepared = { kind: 'turn'; plan: TurnPlan } | { kind: 'replay'; record: IdempotencyRecord<TurnOutcome> };

function modeAndSource(body: ConverseBody): { invocationMode: ConverseInvocationMode; source: ConverseSource } {
  const invocationMode = body.invocationMode ?? 'chat-app';
  const source = body.source ?? (invocationMode === 'chat-app-component' ? 'component' : 'user');
  if (invocationMode === 'chat-app-component' && !body.chatAppComponentConfig) {
    throw new ConverseError('VALIDATION_FAILED', 'chat-app-component mode needs chatAppComponentConfig', [
      { path: 'body.chatAppComponentConfig', message: 'required' },
    ]);
  }
  if (source !== 'user' && invocationMode !== 'chat-app-component') {
    throw new ConverseError('VALIDATION_FAILED', `source '${source}' is for chat-app-component mode`, [
      { path: 'body.source', message: 'needs invocationMode chat-app-component' },
    ]);
  }
  if (body.message === undefined && !body.toolResults)
    throw new ConverseError('VALIDATION_FAILED', 'Give the message (or toolResults answering the agent)', [{ path: 'body.message', message: 'required' }]);
  if (body.message !== undefined && body.toolResults)
    throw new ConverseError('VALIDATION_FAILED', 'toolResults answer the agent: send the next message once it has answered', [
      { path: 'body.message', message: 'not with toolResults' },
    ]);
  if (invocationMode === 'direct-agent-invoke' && !body.agentId) {
    throw new ConverseError('VALIDATION_FAILED', 'direct-agent-invoke mode names its agent', [{ path: 'body.agentId', message: 'required' }]);
  }
  return { invocationMode, source };
}

interface Existing {
  session: Session;
  provider: ProviderState;
  insightsPending: boolean;
}

/** The caller's session and stored user in one read, then the ownership rule for conversing. */
async function existingSession(principal: Principal, sessionId: string): Promise<Existing> {
  const { session, user, provider, insightsActivity } = await getSessionWithUser(sessionId, principal.userId);
  principal.primeStoredUser(user);
  return { session: await authorizeSession(principal, session, 'converse', 'converse'), provider, insightsPending: insightsActivity !== undefined };
}

/**
 * A client's conversation id (docs/converse.md#client-conversation-ids), in the same one read: the session it
 * names (a session id the client got from us; another user's is a 404), else the caller's session derived from
 * it, else none yet — the turn creates that derived session.
 */
async function conversationSession(principal: Principal, conversationId: string): Promise<{ existing?: Existing; sessionId: string }> {
  const derived = conversationSessionId(principal.userId, conversationId);
  const { session, user, provider, insightsActivity } = await getSessionWithUser([conversationId, derived], principal.userId);
  principal.primeStoredUser(user);
  if (!session) return { sessionId: derived };
  const authorized = await authorizeSession(principal, session, 'converse', 'converse');
  return { existing: { session: authorized, provider, insightsPending: insightsActivity !== undefined }, sessionId: authorized.sessionId };
}

/** The Idempotency-Key header obeys the same rule as `clientMessageId`; checked before anything is spent. */
function idempotencyKeyOf(header: string | undefined, body: ConverseBody): string | undefined {
  if (header === undefined) return body.clientMessageId;
  if (!idSchema.safeParse(header).success) {
    throw new ConverseError('VALIDATION_FAILED', 'Invalid Idempotency-Key header', [
      { path: 'header.idempotency-key', message: '1-128 characters: letters, digits and . _ : @ -' },
    ]);
  }
  return header;
}

/**
 * What makes two requests "the same turn" for an idempotency key: the whole body but the key itself, and
 * the fields the server ignores. A key reused with another request is refused rather than replayed.
 */
function requestHash(body: ConverseBody): string {
  const { clientMessageId: _key, userId: _ignoredUser, features: _ignoredFeatures, entityAttributeNameInUserCustomData: _ignoredEntity, ...rest } = body;
  return createHash('sha256').update(canonicalJson(rest)).digest('base64url');
}

/** JSON with object keys sorted at every depth: equal values, equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface PrepareOptions {
  /**
   * Epoch ms when the invocation ends: a running turn holds its idempotency key and the session's title
   * claim until then, no longer (a turn that dies frees them).
   */
  deadlineMs: number;
  /** The client's own conversation id (AI SDK chat id, AG-UI threadId) when the body names no session. */
  conversationId?: string;
  /** The body's toolResults come from a library's resent history: answers to calls no longer pending are ignored. */
  toolResultsFromHistory?: boolean;
}

export async function prepareTurn(principal: Principal, body: ConverseBody, idempotencyHeader: string | undefined, opts: PrepareOptions): Promise<Prepared> {
  const { invocationMode, source } = modeAndSource(body);
  const key = idempotencyKeyOf(idempotencyHeader, body);
  // A user being erased starts no new turn (409 USER_ERASURE_IN_PROGRESS): read alongside the session.
  const [, conversation, named] = await Promise.all([
    assertNotBeingErased(principal.userId),
    !body.sessionId && opts.conversationId ? conversationSession(principal, opts.conversationId) : undefined,
    body.sessionId ? existingSession(principal, body.sessionId) : undefined,
  ]);
  const existing = named ?? conversation?.existing;
  // The session a new conversation gets (fixed, so concurrent first requests create it once), else a new id.
  const newSessionId = existing ? undefined : conversation?.sessionId;
  const found = existing?.session;
  const chatAppId = body.chatAppId ?? found?.chatAppId;
  if (!chatAppId)
    throw new ConverseError('VALIDATION_FAILED', 'Give chatAppId (or the sessionId of an existing session)', [{ path: 'body.chatAppId', message: 'required' }]);
  if (found && found.chatAppId !== chatAppId)
    throw new ConverseError('VALIDATION_FAILED', 'The session belongs to another chat app', [{ path: 'body.chatAppId', message: 'mismatch' }]);
  const app = await usableChatApp(principal, chatAppId);
  const agentId = agentOf(app, body.agentId ?? found?.agentId);
  const agent = await getAgent(agentId);
  if (!agent) throw new ConverseError('NOT_FOUND', `Agent ${agentId} has no configuration`);
  // An answer awaiting the client takes its answers, and only them (client-tools.ts). Checked before anything
  // is spent — with an idempotency key after its claim instead, so that a retried answer replays its turn.
  const awaiting = existing?.provider.awaiting;
  const checkResume = () =>
    body.toolResults ? resumeOf(awaiting, body.toolResults, agentId, { fromHistory: opts.toolResultsFromHistory === true }) : assertNotAwaiting(awaiting);
  const checked = key ? undefined : checkResume();
  const files = await filesForTurn(principal.userId, found, app, body.files);
  // Counted once the request is known valid and allowed (docs/api.md#rate-limits); given back if refused below.
  const refundRate = await consumeRateLimit(principal.userId, 'converse', converseRateLimit());
  await attachFiles(found?.sessionId ?? '', files);

  const idempotency = key ? { scope: found?.sessionId ?? newSessionId ?? `u.${principal.userId}`, key } : undefined;
  if (idempotency) {
    const hash = requestHash(body);
    const claim = await claimIdempotencyKey<TurnOutcome>(idempotency.scope, idempotency.key, {
      ttlSeconds: IDEMPOTENCY_TTL_SECONDS,
      leaseSeconds: Math.max(1, Math.ceil((opts.deadlineMs - Date.now()) / 1000)),
      requestHash: hash,
    });
    if (claim.outcome !== 'claimed') await refundRate().catch(() => undefined); // a replay or a refusal runs no turn
    if (claim.outcome === 'reused') throw new ConverseError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was used for another request');
    if (claim.outcome === 'completed') return { kind: 'replay', record: claim.record };
    if (claim.outcome === 'running')
      throw new ConverseError('CONFLICT', 'A request with this idempotency key is still running', { retryAfterSeconds: claim.retryAfterSeconds });
  }
  const entityId = entityOf(app, await principal.customData());
  try {
    const resume = key ? checkResume() : checked;
    // Over a budget: 429 before the user message is stored or the agent called (the claim is released below).
    // Alongside: where the user's "forget me" stands before their message is stored (memory.ts rememberTurn).
    const [reservation, memoryMark] = await Promise.all([
      budgetForTurn({ app, agent, userId: principal.userId, entityId }),
      memoryMarkFor(app, principal.userId),
    ]);
    // A new session keeps the user's custom data ("inherits from user"), which session search filters on.
    const customData = found ? undefined : await principal.customData();
    const turnId = newId();
    const stored = await storeUserMessage({
      userId: principal.userId,
      chatAppId,
      session: found
        ? { sessionId: found.sessionId }
        : {
            create: {
              userId: principal.userId,
              ...(newSessionId ? { sessionId: newSessionId } : {}),
              chatAppId,
              agentId,
              titleClaimUntilMs: opts.deadlineMs,
              customData,
            },
          },
      message: {
        content: body.message ?? '',
        source,
        metadata: {
          invocationMode,
          ...(body.chatAppComponentConfig ? { componentId: body.chatAppComponentConfig.componentId } : {}),
          ...(resume ? { toolResults: storedResults(resume) } : {}),
        },
        ...(files.length ? { files: files.map(messageFileOf) } : {}),
      },
      turnId,
      leaseUntilIso: new Date(opts.deadlineMs).toISOString(),
      ...(reservation ? { reservation } : {}),
      // Checked again in the write: another request may have answered the same tool requests meanwhile.
      resumes: resume ? awaiting?.messageId : undefined,
      retentionDays: retentionDaysOf(app),
    });
    const session = stored.session ?? found!;
    const userMessage = stored.message;
    const userType = await principal.userType();
    return {
      kind: 'turn',
      plan: {
        userId: principal.userId,
        user: await principal.storedUser(),
        app,
        agent,
        session,
        sessionCreated: !found,
        message: body.message ?? '',
        source,
        invocationMode,
        ...(body.timezone ? { timezone: body.timezone } : {}),
        ...(userType ? { userType } : {}),
        userMessageId: userMessage.messageId,
        turnId,
        startedAt: userMessage.createDate,
        ...(reservation ? { reservation: reservation.amount } : {}),
        provider: existing?.provider ?? {},
        insightsPending: existing?.insightsPending ?? false,
        ...(idempotency ? { idempotency } : {}),
        ...(files.length ? { files } : {}),
        ...(entityId !== undefined ? { entityId } : {}),
        ...(memoryMark !== undefined ? { memoryMark } : {}),
        ...(resume ? { resume } : {}),
      },
    };
  } catch (err) {
    // Nothing was stored for this turn: let a retry with the same key run it, and give the rate count back.
    if (idempotency) await releaseIdempotencyKey(idempotency.scope, idempotency.key).catch(() => undefined);
    await refundRate().catch(() => undefined);
    throw err;
  }
}
