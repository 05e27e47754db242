/** What the route modules share: the route shape, groups, and the small schemas several of them use. */
import * as z from 'zod';
import { idSchema, userIdSchema } from 'pika-shared/schemas';
import type { Access } from '../../policy/principal';
import type { ErrorCode } from '../../platform/errors';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** One Lambda function per group. */
export const ROUTE_GROUPS = ['users', 'sessions', 'feedback', 'insights', 'widgets', 'admin', 'converse'] as const;
export type RouteGroup = (typeof ROUTE_GROUPS)[number];

export type { Access } from '../../policy/principal';

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
  /** Success status (default 200). */
  readonly status?: number;
  /** Lambda response streaming (Server-Sent Events). */
  readonly streaming?: boolean;
  /** A streaming route that speaks a client library's protocol (OpenAPI `x-protocol`; docs/converse.md#client-protocols). */
  readonly protocol?: string;
  /**
   * The error codes its implementation (and what it calls) can raise, beyond those the pipeline adds to every
   * route (../route-errors.ts): the OpenAPI document declares their statuses and no others.
   */
  readonly errors: readonly ErrorCode[];
  /** Codes whose answer here carries `Retry-After` (beyond the per-user write rate limit's 429). */
  readonly retryAfter?: readonly ErrorCode[];
  /** Request headers the implementation reads (documented; each validated where it is read). */
  readonly headers?: z.ZodType;
}

export const scopeTag = z.strictObject({ scope: idSchema, tag: idSchema });
export const sessionParams = z.strictObject({ sessionId: idSchema });
export const feedbackParams = z.strictObject({ sessionId: idSchema, feedbackId: idSchema });
export const ADMIN_READ = ['content-admin', 'site-admin'] as const;
export const budgetUserParams = z.strictObject({ chatAppId: idSchema, userId: userIdSchema });
export const budgetEntityParams = z.strictObject({ chatAppId: idSchema, entityId: idSchema });
