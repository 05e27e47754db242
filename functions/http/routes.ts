/**
 * THE route table: the only place a route is defined. The group handlers (functions/handlers), the local
 * server's router, the OpenAPI document (scripts/openapi.ts), the typed client (pika-shared/client) and the
 * CDK RestApi are all derived from it. Pure data + schemas: it imports no handler code.
 */
import * as z from 'zod';
import type { Access } from '../policy/principal';
import {
  addFeedbackCommentRequestSchema,
  adminUsageQuerySchema,
  adminUsageSchema,
  agentConfigSchema,
  budgetLimitsSchema,
  budgetOverrideSchema,
  myBudgetSchema,
  myUsageQuerySchema,
  myUsageSchema,
  chatAppConfigSchema,
  chatMessageSchema,
  chatSessionFeedbackSchema,
  chatSessionSchema,
  chatUserSchema,
  converseWireRequestSchema,
  createFeedbackRequestSchema,
  createSessionRequestSchema,
  feedbackListQuerySchema,
  idSchema,
  userIdSchema,
  listQuerySchema,
  putInsightsRequestSchema,
  putUserRequestSchema,
  sessionInsightsSchema,
  sessionInsightsStatusSchema,
  sessionSearchRequestSchema,
  setWidgetDataBodySchema,
  updateFeedbackRequestSchema,
  updateMeRequestSchema,
  updateSessionRequestSchema,
  userWidgetDataSchema,
  memoryRecordIdSchema,
  userMemoryRecordSchema,
  createFileUploadRequestSchema,
  fileDownloadSchema,
  fileUploadSchema,
} from 'pika-shared/schemas';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** One Lambda function per group. */
export const ROUTE_GROUPS = ['users', 'sessions', 'feedback', 'insights', 'widgets', 'admin', 'converse'] as const;
export type RouteGroup = (typeof ROUTE_GROUPS)[number];

export type { Access } from '../policy/principal';

export interface RouteDef {
  readonly id: string;
  readonly method: HttpMethod;
  /** API Gateway resource path, e.g. /sessions/{sessionId}. */
  readonly path: string;
  readonly group: RouteGroup;
  readonly summary: string;
  readonly access: readonly Access[];
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** Schema of a successful JSON answer (for streaming routes: of the `done` event). */
  readonly response: z.ZodType;
  /** Success status (default 200). */
  readonly status?: number;
  /** Lambda response streaming (Server-Sent Events). */
  readonly streaming?: boolean;
}

export const pageOf = (item: z.ZodType) => z.object({ items: z.array(item), nextCursor: z.string().optional() });
const scopeTag = z.strictObject({ scope: idSchema, tag: idSchema });
const sessionParams = z.strictObject({ sessionId: idSchema });
const feedbackParams = z.strictObject({ sessionId: idSchema, feedbackId: idSchema });
const deleted = z.object({ deleted: z.literal(true) });
const ADMIN_READ = ['content-admin', 'site-admin'] as const;
const budgetUserParams = z.strictObject({ chatAppId: idSchema, userId: userIdSchema });
const budgetEntityParams = z.strictObject({ chatAppId: idSchema, entityId: idSchema });

export const ROUTES = [
  // users
  { id: 'getMe', method: 'GET', path: '/users/me', group: 'users', summary: 'The caller\u2019s user', access: ['user'], response: chatUserSchema },
  { id: 'updateMe', method: 'PUT', path: '/users/me', group: 'users', summary: 'Set the caller\u2019s first/last name', access: ['user'], body: updateMeRequestSchema, response: chatUserSchema },
  { id: 'searchUsers', method: 'GET', path: '/users', group: 'users', summary: 'Users whose id starts with prefix (\u2265 3 chars, \u2264 20 results)', access: ADMIN_READ, query: z.strictObject({ prefix: z.string().min(3).max(128) }), response: z.object({ items: z.array(chatUserSchema) }) },
  { id: 'getUser', method: 'GET', path: '/users/{userId}', group: 'users', summary: 'One user', access: [...ADMIN_READ, 'service'], params: z.strictObject({ userId: userIdSchema }), response: chatUserSchema },
  { id: 'listMyMemory', method: 'GET', path: '/users/me/memory', group: 'users', summary: 'The caller\u2019s memory: their records in every memory the chat apps use, with namespaces and dates', access: ['user'], query: listQuerySchema, response: pageOf(userMemoryRecordSchema) },
  { id: 'forgetMyMemory', method: 'DELETE', path: '/users/me/memory', group: 'users', summary: 'Forget me: every memory record and event of the caller, in every memory the chat apps use', access: ['user'], response: z.object({ deleted: z.literal(true), records: z.number().int(), events: z.number().int() }) },
  { id: 'deleteMyMemoryRecord', method: 'DELETE', path: '/users/me/memory/{recordId}', group: 'users', summary: 'Delete one of the caller\u2019s memory records', access: ['user'], params: z.strictObject({ recordId: memoryRecordIdSchema }), response: deleted },
  { id: 'listUserMemory', method: 'GET', path: '/users/{userId}/memory', group: 'users', summary: 'A user\u2019s memory records (content admins; logged as viewingContentFor)', access: ADMIN_READ, params: z.strictObject({ userId: userIdSchema }), query: listQuerySchema, response: pageOf(userMemoryRecordSchema) },
  { id: 'putUser', method: 'PUT', path: '/users/{userId}', group: 'users', summary: 'Create or replace a user (custom data, roles, user type)', access: ['site-admin', 'service'], params: z.strictObject({ userId: userIdSchema }), body: putUserRequestSchema, response: chatUserSchema },
  { id: 'getMyBudget', method: 'GET', path: '/users/me/budget', group: 'users', summary: 'What the caller has left of each budget: in chatAppId, or in every chat app they used this month', access: ['user'], query: z.strictObject({ chatAppId: idSchema.optional() }), response: myBudgetSchema },
  { id: 'getMyUsage', method: 'GET', path: '/users/me/usage', group: 'users', summary: 'The caller\u2019s tokens and cost per day in a chat app (\u2264 400 days)', access: ['user'], query: myUsageQuerySchema, response: myUsageSchema },
  // sessions
  { id: 'createSession', method: 'POST', path: '/sessions', group: 'sessions', summary: 'Start a session in a chat app', access: ['user'], body: createSessionRequestSchema, response: chatSessionSchema, status: 201 },
  { id: 'listSessions', method: 'GET', path: '/sessions', group: 'sessions', summary: 'The caller\u2019s sessions, newest activity first', access: ['user'], query: listQuerySchema.extend({ chatAppId: idSchema.optional() }), response: pageOf(chatSessionSchema) },
  { id: 'searchSessions', method: 'POST', path: '/sessions/search', group: 'sessions', summary: 'Search sessions (own; any user\u2019s for content-admins)', access: ['user'], body: sessionSearchRequestSchema, response: z.object({ success: z.boolean(), sessions: z.array(chatSessionSchema.extend({ feedback: z.array(chatSessionFeedbackSchema).optional() })), error: z.string().optional(), scrollId: z.string().optional(), total: z.number(), pageSize: z.number() }) },
  { id: 'getSession', method: 'GET', path: '/sessions/{sessionId}', group: 'sessions', summary: 'One session', access: ['user'], params: sessionParams, response: chatSessionSchema },
  { id: 'updateSession', method: 'PATCH', path: '/sessions/{sessionId}', group: 'sessions', summary: 'Rename a session; content-admins flag it for human review', access: ['user'], params: sessionParams, body: updateSessionRequestSchema, response: chatSessionSchema },
  { id: 'deleteSession', method: 'DELETE', path: '/sessions/{sessionId}', group: 'sessions', summary: 'Delete a session with its messages, feedback and insights', access: ['user'], params: sessionParams, response: deleted },
  { id: 'cancelSession', method: 'POST', path: '/sessions/{sessionId}/cancel', group: 'sessions', summary: 'Stop the answer being streamed in a session (within a second; the partial answer is stored as cancelled)', access: ['user'], params: sessionParams, response: z.object({ cancelRequested: z.literal(true) }), status: 202 },
  { id: 'createFileUpload', method: 'POST', path: '/sessions/{sessionId}/files', group: 'sessions', summary: 'Announce a file for this session: its record and a presigned POST form to upload it (type and size per the chat app)', access: ['user'], params: sessionParams, body: createFileUploadRequestSchema, response: fileUploadSchema, status: 201 },
  { id: 'getFile', method: 'GET', path: '/sessions/{sessionId}/files/{fileId}', group: 'sessions', summary: 'A short-lived download link to a session\u2019s file (owner; content-admins)', access: ['user'], params: z.strictObject({ sessionId: idSchema, fileId: idSchema }), response: fileDownloadSchema },
  { id: 'listMessages', method: 'GET', path: '/sessions/{sessionId}/messages', group: 'sessions', summary: 'Messages of a session, oldest first (component messages hidden)', access: ['user'], params: sessionParams, query: listQuerySchema, response: pageOf(chatMessageSchema) },
  // feedback
  { id: 'createFeedback', method: 'POST', path: '/sessions/{sessionId}/feedback', group: 'feedback', summary: 'Report feedback on a session', access: ['user'], params: sessionParams, body: createFeedbackRequestSchema, response: chatSessionFeedbackSchema, status: 201 },
  { id: 'listSessionFeedback', method: 'GET', path: '/sessions/{sessionId}/feedback', group: 'feedback', summary: 'Feedback of a session', access: ['user'], params: sessionParams, query: listQuerySchema, response: pageOf(chatSessionFeedbackSchema) },
  { id: 'updateFeedback', method: 'PATCH', path: '/sessions/{sessionId}/feedback/{feedbackId}', group: 'feedback', summary: 'Change status/severity (optimistic: expectedLastUpdate)', access: ADMIN_READ, params: feedbackParams, body: updateFeedbackRequestSchema, response: chatSessionFeedbackSchema },
  { id: 'addFeedbackComment', method: 'POST', path: '/sessions/{sessionId}/feedback/{feedbackId}/comments', group: 'feedback', summary: 'Add an internal comment', access: ADMIN_READ, params: feedbackParams, body: addFeedbackCommentRequestSchema, response: chatSessionFeedbackSchema, status: 201 },
  { id: 'listFeedback', method: 'GET', path: '/feedback', group: 'feedback', summary: 'Feedback across users, newest first', access: ADMIN_READ, query: feedbackListQuerySchema, response: pageOf(chatSessionFeedbackSchema) },
  // insights
  { id: 'getInsights', method: 'GET', path: '/sessions/{sessionId}/insights', group: 'insights', summary: 'Insights of a session', access: ['user'], params: sessionParams, response: sessionInsightsSchema },
  { id: 'putInsights', method: 'PUT', path: '/sessions/{sessionId}/insights', group: 'insights', summary: 'Store insights of a session', access: ['service'], params: sessionParams, body: putInsightsRequestSchema, response: sessionInsightsSchema },
  { id: 'getInsightsStatus', method: 'GET', path: '/sessions/{sessionId}/insights/status', group: 'insights', summary: 'Where the session\u2019s generated insights stand: pending, generated, or failed and why (admins)', access: ADMIN_READ, params: sessionParams, response: sessionInsightsStatusSchema },
  // widget data
  { id: 'getWidgetData', method: 'GET', path: '/widget-data/{scope}/{tag}', group: 'widgets', summary: 'The caller\u2019s data of a widget', access: ['user'], params: scopeTag, response: z.object({ scope: z.string(), tag: z.string(), data: userWidgetDataSchema }) },
  { id: 'putWidgetData', method: 'PUT', path: '/widget-data/{scope}/{tag}', group: 'widgets', summary: 'Replace, or merge (partial: true), the caller\u2019s widget data', access: ['user'], params: scopeTag, body: setWidgetDataBodySchema, response: z.object({ scope: z.string(), tag: z.string(), data: userWidgetDataSchema }) },
  { id: 'deleteWidgetData', method: 'DELETE', path: '/widget-data/{scope}/{tag}', group: 'widgets', summary: 'Delete the caller\u2019s widget data', access: ['user'], params: scopeTag, response: deleted },
  // admin config
  { id: 'getChatApp', method: 'GET', path: '/admin/chat-apps/{chatAppId}', group: 'admin', summary: 'A chat app\u2019s configuration', access: ['site-admin'], params: z.strictObject({ chatAppId: idSchema }), response: chatAppConfigSchema },
  { id: 'putChatApp', method: 'PUT', path: '/admin/chat-apps/{chatAppId}', group: 'admin', summary: 'Create or replace a chat app', access: ['site-admin'], params: z.strictObject({ chatAppId: idSchema }), body: chatAppConfigSchema.omit({ chatAppId: true, createDate: true, lastUpdate: true }).strict(), response: chatAppConfigSchema },
  { id: 'getAgent', method: 'GET', path: '/admin/agents/{agentId}', group: 'admin', summary: 'An agent\u2019s configuration', access: ['site-admin'], params: z.strictObject({ agentId: idSchema }), response: agentConfigSchema },
  { id: 'putAgent', method: 'PUT', path: '/admin/agents/{agentId}', group: 'admin', summary: 'Create or replace an agent (Bedrock agent + alias or inline definition, pricing)', access: ['site-admin'], params: z.strictObject({ agentId: idSchema }), body: agentConfigSchema.omit({ agentId: true, createDate: true, lastUpdate: true }).strict(), response: agentConfigSchema },
  { id: 'getUserBudget', method: 'GET', path: '/admin/chat-apps/{chatAppId}/budgets/users/{userId}', group: 'admin', summary: 'A user\u2019s budget override in a chat app', access: ['site-admin'], params: budgetUserParams, response: budgetOverrideSchema },
  { id: 'putUserBudget', method: 'PUT', path: '/admin/chat-apps/{chatAppId}/budgets/users/{userId}', group: 'admin', summary: 'Set a user\u2019s budget override in a chat app (replaces the default limit of each period it names)', access: ['site-admin'], params: budgetUserParams, body: budgetLimitsSchema, response: budgetOverrideSchema },
  { id: 'deleteUserBudget', method: 'DELETE', path: '/admin/chat-apps/{chatAppId}/budgets/users/{userId}', group: 'admin', summary: 'Remove a user\u2019s budget override', access: ['site-admin'], params: budgetUserParams, response: deleted },
  { id: 'getEntityBudget', method: 'GET', path: '/admin/chat-apps/{chatAppId}/budgets/entities/{entityId}', group: 'admin', summary: 'An entity\u2019s budget override in a chat app', access: ['site-admin'], params: budgetEntityParams, response: budgetOverrideSchema },
  { id: 'putEntityBudget', method: 'PUT', path: '/admin/chat-apps/{chatAppId}/budgets/entities/{entityId}', group: 'admin', summary: 'Set an entity\u2019s budget override in a chat app', access: ['site-admin'], params: budgetEntityParams, body: budgetLimitsSchema, response: budgetOverrideSchema },
  { id: 'deleteEntityBudget', method: 'DELETE', path: '/admin/chat-apps/{chatAppId}/budgets/entities/{entityId}', group: 'admin', summary: 'Remove an entity\u2019s budget override', access: ['site-admin'], params: budgetEntityParams, response: deleted },
  { id: 'getUsageReport', method: 'GET', path: '/admin/usage', group: 'admin', summary: 'A chat app\u2019s usage per day, or its top users / entities / agents by cost, with totals (\u2264 400 days)', access: ADMIN_READ, query: adminUsageQuerySchema, response: adminUsageSchema },
  // converse
  { id: 'converse', method: 'POST', path: '/converse', group: 'converse', summary: 'Send a message; the answer streams back as Server-Sent Events', access: ['user'], body: converseWireRequestSchema, response: z.object({ sessionId: z.string(), userMessageId: z.string(), messageId: z.string(), usage: z.unknown() }), streaming: true },
] as const satisfies readonly RouteDef[];

export type RouteId = (typeof ROUTES)[number]['id'];

