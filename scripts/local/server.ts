/**
 * The local API: a plain HTTP server that routes by the route table, turns each request into the API
 * Gateway proxy event the deployed stack produces and invokes the same group handler. Streaming routes are
 * served through the Lambda response-streaming shim (./streaming).
 */
import { preflightHeadersFor } from '../../functions/http/cors';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainError } from '../../functions/platform/errors';
import { errorResult, errorSummary } from '../../functions/http/handler';
import { logger } from '../../functions/platform/logger';
import { ROUTES, type RouteDef, type RouteGroup } from '../../functions/http/routes';
import { lambdaContext } from './lambda-context';
import { toProxyEvent, type MatchedRoute } from './proxy-event';
import { streamingHandlers } from './streaming';

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const GROUP_MODULES: Record<Exclude<RouteGroup, 'converse'>, () => Promise<{ handler: ProxyHandler }>> = {
  users: () => import('../../functions/handlers/users'),
  sessions: () => import('../../functions/handlers/sessions'),
  feedback: () => import('../../functions/handlers/feedback'),
  insights: () => import('../../functions/handlers/insights'),
  widgets: () => import('../../functions/handlers/widgets'),
  admin: () => import('../../functions/handlers/admin'),
};

/** Hard cap on what the local server reads of a body; the handlers enforce the real limit (413). */
const READ_CAP_BYTES = 8 * 1024 * 1024;

interface CompiledRoute {
  route: RouteDef;
  regex: RegExp;
  names: string[];
}

const compiled: CompiledRoute[] = ROUTES.map((route) => {
  const names: string[] = [];
  const pattern = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, regex: new RegExp(`^${pattern}/?$`), names };
});

/** Literal segments win over parameters (/users/me before /users/{userId}), as in API Gateway. */
function match(path: string): { candidates: CompiledRoute[]; params: Record<string, string> | null; resource: string } | undefined {
  const hits = compiled
    .map((c) => ({ c, m: c.regex.exec(path) }))
    .filter((h) => h.m)
    .sort((a, b) => a.c.names.length - b.c.names.length);
  if (hits.length === 0) return undefined;
  const resource = hits[0]!.c.route.path;
  const best = hits.filter((h) => h.c.route.path === resource);
  const params: Record<string, string> = {};
  try {
    for (const [i, n] of best[0]!.c.names.entries()) params[n] = decodeURIComponent(best[0]!.m![i + 1]!);
  } catch {
    return { candidates: [], params: null, resource };
  }
  return { candidates: best.map((h) => h.c), params: best[0]!.c.names.length ? params : null, resource };
}

function send(res: ServerResponse, result: APIGatewayProxyResult) {
  if (res.headersSent) return;
  res.writeHead(result.statusCode, result.headers as Record<string, string>);
  res.end(result.body);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > READ_CAP_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface LocalApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface LocalApiOptions {
  port?: number;
  host?: string;
  /** Static pages served before the API's routes (npm start: the playground and /docs); false = not handled. */
  pages?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

export async function startLocalApi(opts: LocalApiOptions = {}): Promise<LocalApi> {
  const handlers = new Map<RouteGroup, ProxyHandler>();
  for (const [group, load] of Object.entries(GROUP_MODULES)) handlers.set(group as RouteGroup, (await load()).handler);

  const server = createServer(async (req, res) => {
    try {
      if (opts.pages && (await opts.pages(req, res))) return;
      const url = new URL(req.url ?? '/', 'http://localhost');
      const found = match(url.pathname);
      if (req.method === 'OPTIONS') {
        // CORS preflight: answered by API Gateway's CORS configuration in the deployed stack (the same lists).
        res.writeHead(204, preflightHeadersFor({ headers: req.headers as Record<string, string> }));
        return void res.end();
      }
      if (!found) return send(res, errorResult(new DomainError('NOT_FOUND', 'No such route')));
      if (found.params === null && found.candidates.length === 0) return send(res, errorResult(new DomainError('BAD_REQUEST', 'Malformed path')));
      const route = found.candidates.find((c) => c.route.method === req.method)?.route;
      if (!route) {
        const allow = found.candidates.map((c) => c.route.method).join(', ');
        return send(res, errorResult(new DomainError('METHOD_NOT_ALLOWED', `Method ${req.method} is not allowed here`, { allow })));
      }
      const body = await readBody(req);
      if (!body) return send(res, errorResult(new DomainError('PAYLOAD_TOO_LARGE', 'The body is too large')));
      const matched: MatchedRoute = { resource: found.resource, pathParameters: found.params };
      const event = toProxyEvent(req, url, matched, body);
      if (route.streaming) return await streamingHandlers.serve(route, event, res);
      const handler = handlers.get(route.group)!;
      send(res, await handler(event, lambdaContext(`pika-${route.group}`)));
    } catch (err) {
      if (process.env.LOCAL_SERVER_DEBUG) console.error(err);
      const result = errorResult(err);
      if (result.statusCode >= 500) logger.error('local server error', { error: errorSummary(err) });
      send(res, result);
    }
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
