/**
 * The request pipeline every API Lambda runs, in one place, with two execution modes:
 * - JSON (`createGroupHandler`, the route groups, run by middy with its early timeout): an APIGatewayProxyResult;
 * - streaming (`createStreamingHandler`, POST /converse): Lambda response streaming, Server-Sent Events.
 * Both run the same stages: route lookup; `resolveRequest` (secrets, authentication, route roles, validation
 * of params/query/body with the route's schemas); the implementation; error mapping (functions/platform/errors.ts
 * → ./errors.ts); CORS (./cors.ts); one access-log line per request. Implementations stay thin: they get
 * validated input and a Principal and return the answer.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { DomainError } from '../platform/errors';
import { corsHeadersFor } from './cors';
import { SSE_HEADERS } from './stream-headers';
import { isUserWrite } from './route-errors';
import { httpErrorOf } from './errors';
import { consumeRateLimit, writeRateLimit } from '../data/rate-limit';
import { loadSecrets } from '../platform/secrets';
import { verifyAuthorizationHeader } from './auth';
import { logger } from '../platform/logger';
import { Principal } from '../policy/principal';
import { header, parseRequest } from './request';
import { type EventSink, type FrameEncoder, sseSink, type WritableLike } from './sse';
import type * as z from 'zod';
import type { RESPONSES } from './responses';
import type { ROUTES, RouteDef, RouteGroup } from './routes';

type AnyRoute = (typeof ROUTES)[number];
/** The routes of a group that answer JSON. */
export type JsonRoute<G extends RouteGroup = RouteGroup> = Exclude<Extract<AnyRoute, { group: G }>, { streaming: true }>;
/** The routes of a group that stream their answer. */
export type StreamingRoute<G extends RouteGroup = RouteGroup> = Extract<AnyRoute, { group: G; streaming: true }>;

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

/**
 * What an implementation answers: a value its route's response schema accepts (./responses.ts; a type-only
 * import, so a function's bundle never builds those schemas).
 */
export type RouteResult<R> = R extends { readonly id: infer Id extends keyof typeof RESPONSES } ? z.input<(typeof RESPONSES)[Id]> : never;

/**
 * The implementations of a group: exactly one per JSON route of the group (a missing one, or one without a
 * route, fails `tsc`), each typed from its route.
 */
export type GroupImpls<G extends RouteGroup> = { readonly [R in JsonRoute<G> as R['id']]: (ctx: RouteContext<R>) => Promise<RouteResult<R>> };

/** What a streaming implementation hands the pipeline once nothing more can be refused. */
export interface StreamedAnswer {
  /**
   * Writes the events; the pipeline — only it — ends the stream after it (and after an `error` event if it
   * throws), then runs the work it hands back, if any, with the client already answered.
   */
  write(sink: EventSink): Promise<(() => Promise<unknown>) | undefined>;
  /** Fields added to the request's access-log line. */
  log?: Record<string, unknown>;
  /** A client protocol's framing of the same events and its response headers (default: our SSE contract). */
  encoding?: { headers: Record<string, string>; frame: FrameEncoder };
}

/**
 * The implementations of a streaming group, one per streaming route: everything refusable happens before the
 * returned answer (a throw there is a JSON error with its status); `deadlineMs` is when the invocation ends.
 */
export type StreamingImpls<G extends RouteGroup> = {
  readonly [R in StreamingRoute<G> as R['id']]: (ctx: RouteContext<R>, invocation: { deadlineMs: number }) => Promise<StreamedAnswer>;
};

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

/** One request's log: the access-log line (written once, when the answer is complete) and a 5xx's error line. */
function requestLog(event: APIGatewayProxyEvent) {
  const started = performance.now();
  let routeId = 'unmatched';
  let userId: string | undefined;
  return {
    admitted(ctx: RouteContext) {
      userId = ctx.principal.userId;
    },
    matched(route: RouteDef) {
      routeId = route.id;
    },
    failed(message: string, err: unknown) {
      logger.error(message, { routeId, error: errorSummary(err) });
    },
    done(status: number, extra: Record<string, unknown> = {}) {
      logger.info('request', { routeId, method: event.httpMethod, status, latencyMs: Math.round(performance.now() - started), userId, ...extra });
    },
  };
}

/** The stages before an implementation runs, the same in both modes: route lookup, then `resolveRequest`. */
async function admit<R extends RouteDef>(routes: readonly R[], event: APIGatewayProxyEvent, log: ReturnType<typeof requestLog>): Promise<RouteContext<R>> {
  const route = matchRoute(routes, event);
  log.matched(route);
  const ctx = await resolveRequest(route, event);
  log.admitted(ctx);
  return ctx;
}

/** An answer that failed: its JSON error (./errors.ts) with CORS, the 5xx logged. */
function refusal(event: APIGatewayProxyEvent, err: unknown, log: ReturnType<typeof requestLog>): APIGatewayProxyResult {
  const result = withCors(event, errorResult(err));
  if (result.statusCode >= 500) log.failed('request failed', err);
  return result;
}

function withCors(event: APIGatewayProxyEvent, result: APIGatewayProxyResult): APIGatewayProxyResult {
  result.headers = { ...result.headers, ...corsHeadersFor(event) };
  return result;
}

/** The implementation of each route by id (each was checked against its own route by GroupImpls/StreamingImpls). */
function implsById<F>(impls: object) {
  return (route: RouteDef) => (impls as Record<string, F>)[route.id]!;
}

/** The time kept, before the function's timeout, to answer with a 504 instead of the gateway's bare error. */
const TIMEOUT_MARGIN_MS = 5;

/** The JSON execution mode: the API Gateway proxy handler of one route group, given the group's routes (its module under ./routes: a bundle builds only their schemas). */
export function createGroupHandler<G extends RouteGroup>(group: G, table: NoInfer<readonly Extract<AnyRoute, { group: G }>[]>, impls: NoInfer<GroupImpls<G>>) {
  const routes = table.filter((r): r is JsonRoute<G> => r.group === group && !('streaming' in r && r.streaming));
  const implOf = implsById<(ctx: RouteContext) => Promise<unknown>>(impls);

  const answer = async (event: APIGatewayProxyEvent, log: ReturnType<typeof requestLog>): Promise<APIGatewayProxyResult> => {
    const ctx = await admit<RouteDef>(routes, event, log);
    // Counted only once the request is valid and authorized, and given back when the route refuses it (a 4xx):
    // a refused request spends nothing.
    const refund = isUserWrite(ctx.route) ? await consumeRateLimit(ctx.principal.userId, 'writes', writeRateLimit()) : undefined;
    try {
      return withCors(event, json(ctx.route.status ?? 200, await implOf(ctx.route)(ctx)));
    } catch (err) {
      if (refund && httpErrorOf(err).status < 500) await refund().catch(() => undefined);
      throw err;
    }
  };

  // middy runs the JSON mode: its early timeout (TIMEOUT_MARGIN_MS before the function's) throws a TimeoutError
  // into onError, which answers like any other failure (504 DEPENDENCY_TIMEOUT, with CORS).
  const logs = new WeakMap<APIGatewayProxyEvent, ReturnType<typeof requestLog>>();
  const logOf = (event: APIGatewayProxyEvent) => logs.get(event) ?? logs.set(event, requestLog(event)).get(event)!;
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>({ timeoutEarlyInMillis: TIMEOUT_MARGIN_MS })
    .use({
      before: (request) => {
        logOf(request.event);
      },
      after: (request) => {
        logOf(request.event).done(request.response!.statusCode);
      },
      onError: (request) => {
        const log = logOf(request.event);
        request.response = refusal(request.event, request.error, log);
        log.done(request.response.statusCode);
      },
    })
    .handler((event) => answer(event, logOf(event)));
}

interface ResponseStream extends WritableLike {
  setContentType?(type: string): void;
}
interface Awslambda {
  streamifyResponse(fn: (event: APIGatewayProxyEvent, stream: ResponseStream, context: Context) => Promise<void>): unknown;
  HttpResponseStream: { from(stream: ResponseStream, prelude: { statusCode: number; headers?: Record<string, string> }): ResponseStream };
}
/** Provided by the Lambda Node.js runtime (and by scripts/local/streaming.ts locally). */
declare const awslambda: Awslambda;

/**
 * The streaming execution mode (API Gateway REST with responseTransferMode STREAM), given the group's routes
 * (its module under ./routes): a request refused before the answer starts gets the JSON error of the JSON
 * mode, with its status and CORS headers; then the prelude (200, text/event-stream) and the implementation's
 * events; a failure after the prelude is an SSE `error` event. middy's streaming mode is not used on purpose:
 * it ends the invocation when the client disconnects, before the turn is stored; here `write` runs to its end
 * whatever the client does (test/resilience/faults.test.ts, "a client that disconnects mid-stream").
 */
export function createStreamingHandler<G extends RouteGroup>(
  group: G,
  table: NoInfer<readonly Extract<AnyRoute, { group: G }>[]>,
  impls: NoInfer<StreamingImpls<G>>,
): unknown {
  const routes = table.filter((r) => r.group === group && 'streaming' in r && r.streaming === true);
  const implOf = implsById<(ctx: RouteContext, invocation: { deadlineMs: number }) => Promise<StreamedAnswer>>(impls);

  return awslambda.streamifyResponse(async (event, responseStream, context) => {
    const log = requestLog(event);
    const deadlineMs = Date.now() + context.getRemainingTimeInMillis();
    let answer: StreamedAnswer;
    try {
      const ctx = await admit<RouteDef>(routes, event, log);
      answer = await implOf(ctx.route)(ctx, { deadlineMs });
    } catch (err) {
      const result = refusal(event, err, log);
      const out = awslambda.HttpResponseStream.from(responseStream, { statusCode: result.statusCode, headers: result.headers as Record<string, string> });
      out.write(result.body);
      out.end();
      log.done(result.statusCode);
      return;
    }
    const headers = { ...SSE_HEADERS, ...answer.encoding?.headers, ...corsHeadersFor(event) };
    const out = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers });
    const sink = sseSink(out, answer.encoding ? { frame: answer.encoding.frame } : {});
    let after: (() => Promise<unknown>) | undefined;
    try {
      after = await answer.write(sink);
    } catch (err) {
      const { body } = httpErrorOf(err);
      log.failed('request failed mid-stream', err);
      sink.send('error', { code: body.error.code, message: body.error.message });
    }
    sink.end();
    if (after) await after().catch((err) => log.failed('work after the stream failed', err));
    log.done(200, answer.log);
  });
}

/** Name and code of an error, never its payload. */
export function errorSummary(err: unknown) {
  const e = err as { name?: string; code?: string; message?: string };
  return { name: e?.name, code: e?.code, ...(err instanceof DomainError ? { message: e.message } : {}) };
}
