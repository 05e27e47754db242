/**
 * The middy stack every group Lambda shares: route lookup, body/params/query validation, authentication
 * and route authorization, error mapping (functions/lib/errors.ts), CORS, one access-log line per request.
 * Route implementations stay thin: they get validated input and a Principal and return the answer.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { DomainError } from '../lib/errors';
import { corsHeadersFor } from './cors';
import { httpErrorOf } from './errors';
import { consumeRateLimit, writeRateLimit } from '../data/rate-limit';
import { loadSecrets } from '../lib/secrets';
import { verifyAuthorizationHeader } from './auth';
import { logger } from './logger';
import { Principal } from '../policy/principal';
import { header, parseRequest } from './request';
import type * as z from 'zod';
import { ROUTES, type RouteDef, type RouteGroup } from './routes';

type AnyRoute = (typeof ROUTES)[number];
/** The routes of a group that answer JSON (streaming routes have their own handler). */
export type JsonRoute<G extends RouteGroup = RouteGroup> = Exclude<Extract<AnyRoute, { group: G }>, { streaming: true }>;

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;
type FieldOf<R, K extends 'params' | 'body'> = R extends { readonly [P in K]: infer S } ? Parsed<S> : undefined;
/** A route without a query schema accepts none (request.ts validates against an empty strict object). */
type QueryOf<R> = R extends { readonly query: infer S } ? Parsed<S> : Record<string, never>;

/** What an implementation gets: its route's validated input, typed from the route's own schemas. */
export interface RouteContext<R extends RouteDef = RouteDef> {
  params: FieldOf<R, 'params'>;
  query: QueryOf<R>;
  body: FieldOf<R, 'body'>;
  principal: Principal;
  event: APIGatewayProxyEvent;
  route: R;
}

/** What an implementation answers: a value its route's response schema accepts. */
export type RouteResult<R> = R extends { readonly response: infer S extends z.ZodType } ? z.input<S> : never;

/**
 * The implementations of a group: exactly one per JSON route of the group (a missing one, or one without a
 * route, fails `tsc`), each typed from its route.
 */
export type GroupImpls<G extends RouteGroup> = { readonly [R in JsonRoute<G> as R['id']]: (ctx: RouteContext<R>) => Promise<RouteResult<R>> };

export function json(status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode: status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function errorResult(err: unknown): APIGatewayProxyResult {
  const answer = httpErrorOf(err);
  return json(answer.status, answer.body, answer.headers);
}

/** Finds the route of an event: by API Gateway `resource` + method; 404/405 JSON when there is none. */
export function matchRoute<R extends RouteDef>(routes: readonly R[], event: Pick<APIGatewayProxyEvent, 'resource' | 'httpMethod'>): R {
  const samePath = routes.filter((r) => r.path === event.resource);
  if (samePath.length === 0) throw new DomainError('NOT_FOUND', 'No such route');
  const route = samePath.find((r) => r.method === event.httpMethod);
  if (!route)
    throw new DomainError('METHOD_NOT_ALLOWED', `Method ${event.httpMethod} is not allowed here`, { allow: samePath.map((r) => r.method).join(', ') });
  return route;
}

/** Authenticates, authorizes (route roles) and validates: a route implementation gets only valid input. */
export async function resolveRequest<R extends RouteDef>(route: R, event: APIGatewayProxyEvent): Promise<RouteContext<R>> {
  await loadSecrets();
  const identity = await verifyAuthorizationHeader(header(event, 'authorization'));
  const principal = new Principal(identity);
  await principal.authorize(route.access);
  // parseRequest validated each part with the route's own schema: the casts restate what it proved.
  return { ...(parseRequest(route, event) as Pick<RouteContext<R>, 'params' | 'query' | 'body'>), principal, event, route };
}

/** The API Gateway proxy handler of one route group. */
export function createGroupHandler<G extends RouteGroup>(group: G, impls: NoInfer<GroupImpls<G>>) {
  const routes = ROUTES.filter((r): r is JsonRoute<G> => r.group === group && !('streaming' in r && r.streaming));
  // Each implementation was checked against its own route by GroupImpls; here they are looked up by id.
  const implOf = (route: RouteDef) => (impls as unknown as Record<string, (ctx: RouteContext) => Promise<unknown>>)[route.id]!;

  const core = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const started = performance.now();
    let routeId = 'unmatched';
    let userId: string | undefined;
    let result: APIGatewayProxyResult;
    try {
      const route: RouteDef = matchRoute(routes, event);
      routeId = route.id;
      const ctx = await resolveRequest(route, event);
      userId = ctx.principal.userId;
      // Counted only once the request is valid and authorized: a refused request spends nothing.
      if (isUserWrite(route)) await consumeRateLimit(userId, 'writes', writeRateLimit());
      const out = await implOf(route)(ctx);
      result = json(route.status ?? 200, out);
    } catch (err) {
      result = errorResult(err);
      if (result.statusCode >= 500) logger.error('request failed', { routeId, error: errorSummary(err) });
    }
    logger.info('request', { routeId, method: event.httpMethod, status: result.statusCode, latencyMs: Math.round(performance.now() - started), userId });
    return result;
  };

  const withCors = (request: { event: APIGatewayProxyEvent; response: APIGatewayProxyResult | null }) => {
    if (request.response) request.response.headers = { ...request.response.headers, ...corsHeadersFor(request.event) };
  };
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use({
      after: async (request) => withCors(request),
      // Last line of defence: anything middy itself throws still becomes JSON (with CORS, so a browser can read it).
      onError: async (request) => {
        request.response = errorResult(request.error);
        withCors(request);
      },
    })
    .handler(core);
}

/** A write any user may make (admin and service routes are not rate-limited per user). */
const isUserWrite = (route: RouteDef) => route.method !== 'GET' && route.access.includes('user') && route.id !== 'searchSessions';

/** Name and code of an error, never its payload. */
export function errorSummary(err: unknown) {
  const e = err as { name?: string; code?: string; message?: string };
  return { name: e?.name, code: e?.code, ...(err instanceof DomainError ? { message: e.message } : {}) };
}
