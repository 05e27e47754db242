/**
 * What a route can answer besides its success: the error codes the request pipeline adds to every route (or to
 * every route of a kind) plus those its implementation declares in the route table (`RouteDef.errors`). The
 * OpenAPI document (./openapi.ts) turns them into statuses with ERROR_STATUS (./errors.ts), the one mapping;
 * test/api/declared.ts fails a test that sees a route answer a status it does not declare.
 */
import type { ErrorCode } from '../platform/errors';
import type { RouteDef } from './routes/common';

/** A write any user may make (admin and service routes are not rate-limited per user; converse has its own limit). */
export const isUserWrite = (route: Pick<RouteDef, 'method' | 'access' | 'id'>) =>
  route.method !== 'GET' && route.access.includes('user') && route.id !== 'searchSessions';

/**
 * Every route: a missing or refused token (401), an invalid path or query, unknown query parameters (400),
 * the gateway's stage throttle (429, without Retry-After), an unexpected failure (500), a dependency down or
 * throttling (503) or too slow (504, also the function's own timeout).
 */
const EVERY_ROUTE: readonly ErrorCode[] = [
  'UNAUTHORIZED',
  'VALIDATION_FAILED',
  'RATE_LIMITED',
  'INTERNAL',
  'DEPENDENCY_UNAVAILABLE',
  'DEPENDENCY_THROTTLED',
  'DEPENDENCY_TIMEOUT',
];
/** A route with a body: too large (413), not JSON by its content type (415), not JSON by its bytes (400). */
const WITH_BODY: readonly ErrorCode[] = ['PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'INVALID_JSON'];

/** The codes the pipeline itself can answer on this route (./handler.ts, ./request.ts, ./auth.ts, the gateway). */
export function pipelineErrors(route: RouteDef): ErrorCode[] {
  return [
    ...EVERY_ROUTE,
    // A route closed to plain users refuses the others' roles (Principal.authorize).
    ...(route.access.includes('user') ? [] : (['FORBIDDEN'] as const)),
    ...(route.body ? WITH_BODY : []),
  ];
}

/** Every code the route can answer: the pipeline's and its implementation's, without repeats. */
export function routeErrors(route: RouteDef): ErrorCode[] {
  return [...new Set([...pipelineErrors(route), ...route.errors])];
}

/**
 * The codes whose answer on this route carries `Retry-After` (errors.ts adds it when the error says when):
 * every 429 RATE_LIMITED (the per-user limits say their window's end, the stage throttle 1 s:
 * lib/constructs/api-responses.ts), and what the route declares in `retryAfter`.
 */
export function retryAfterCodes(route: RouteDef): ErrorCode[] {
  return [...new Set(['RATE_LIMITED' as const, ...(route.retryAfter ?? [])])];
}
