/**
 * The middy stack every group Lambda shares: route lookup, body/params/query validation, authentication
 * and route authorization, error mapping (functions/lib/errors.ts), CORS, one access-log line per request.
 * Route implementations stay thin: they get validated input and a Principal and return the answer.
 */
import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { AppError, toAppError } from '../lib/errors';
import { consumeRateLimit, writeRateLimit } from '../data/rate-limit';
import { loadSecrets } from '../lib/secrets';
import { verifyAuthorizationHeader } from './auth';
import { logger } from './logger';
import { Principal } from './principal';
import { header, parseRequest } from './request';
import { ROUTES, type RouteDef, type RouteGroup, type RouteId } from './routes';

export interface RouteContext<P = any, Q = any, B = any> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  event: APIGatewayProxyEvent;
  route: RouteDef;
}

/** A route answers with its JSON body; the status comes from the route table (default 200). */
export type RouteImpl = (ctx: RouteContext) => Promise<unknown>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode: status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function errorResult(err: unknown): APIGatewayProxyResult {
  const app = toAppError(err);
  return json(app.status, app.toBody(), app.headers());
}

/** Finds the route of an event: by API Gateway `resource` + method; 404/405 JSON when there is none. */
export function matchRoute(routes: readonly RouteDef[], event: Pick<APIGatewayProxyEvent, 'resource' | 'httpMethod'>): RouteDef {
  const samePath = routes.filter((r) => r.path === event.resource);
  if (samePath.length === 0) throw new AppError('NOT_FOUND', 'No such route');
  const route = samePath.find((r) => r.method === event.httpMethod);
  if (!route) throw new AppError('METHOD_NOT_ALLOWED', `Method ${event.httpMethod} is not allowed here`, { allow: samePath.map((r) => r.method).join(', ') });
  return route;
}

export function corsOrigins(): string[] {
  return (process.env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
}

/** Authenticates, authorizes (route roles) and validates: a route implementation gets only valid input. */
export async function resolveRequest(route: RouteDef, event: APIGatewayProxyEvent): Promise<RouteContext> {
  await loadSecrets();
  const identity = await verifyAuthorizationHeader(header(event, 'authorization'));
  const principal = new Principal(identity);
  await principal.authorize(route.access);
  return { ...parseRequest(route, event), principal, event, route } as RouteContext;
}

/** CORS headers for a response built by hand (streaming); JSON routes get them from @middy/http-cors. */
export function corsHeadersFor(event: Pick<APIGatewayProxyEvent, 'headers'>): Record<string, string> {
  const origin = header(event, 'origin');
  return origin && corsOrigins().includes(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
}

/** The API Gateway proxy handler of one route group. */
export function createGroupHandler(group: RouteGroup, impls: Partial<Record<RouteId, RouteImpl>>) {
  const routes = ROUTES.filter((r) => r.group === group && !('streaming' in r && r.streaming));
  for (const r of routes) if (!impls[r.id as RouteId]) throw new Error(`route ${r.id} of group ${group} has no implementation`);

  const core = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const started = performance.now();
    let routeId = 'unmatched';
    let userId: string | undefined;
    let result: APIGatewayProxyResult;
    try {
      const route = matchRoute(routes, event);
      routeId = route.id;
      const ctx = await resolveRequest(route, event);
      userId = ctx.principal.userId;
      // Counted only once the request is valid and authorized: a refused request spends nothing.
      if (isUserWrite(route)) await consumeRateLimit(userId, 'writes', writeRateLimit());
      const out = await impls[route.id as RouteId]!(ctx);
      result = json(route.status ?? 200, out);
    } catch (err) {
      result = errorResult(err);
      if (result.statusCode >= 500) logger.error('request failed', { routeId, error: errorSummary(err) });
    }
    logger.info('request', { routeId, method: event.httpMethod, status: result.statusCode, latencyMs: Math.round(performance.now() - started), userId });
    return result;
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(httpCors({ origins: corsOrigins(), headers: 'authorization,content-type,idempotency-key', methods: 'GET,POST,PUT,PATCH,DELETE,OPTIONS', maxAge: 600 }))
    .use({
      // Last line of defence: anything middy itself throws still becomes JSON.
      onError: async (request) => {
        request.response = errorResult(request.error);
      },
    })
    .handler(core);
}

/** A write any user may make (admin and service routes are not rate-limited per user). */
const isUserWrite = (route: RouteDef) => route.method !== 'GET' && route.access.includes('user') && route.id !== 'searchSessions';

/** Name and code of an error, never its payload. */
export function errorSummary(err: unknown) {
  const e = err as { name?: string; code?: string; message?: string };
  return { name: e?.name, code: e?.code, ...(err instanceof AppError ? { message: e.message } : {}) };
}
