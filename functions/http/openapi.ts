/** The OpenAPI 3.1 document, generated from the route table's zod schemas and the routes' answers (never written by hand). */
import * as z from 'zod';
import { AG_UI_PROTOCOL, AI_SDK_PROTOCOL } from 'pika-shared/schemas';
import { ERROR_CODES, type ErrorCode } from '../lib/errors';
import { ERROR_STATUS } from './errors';
import { retryAfterCodes, routeErrors } from './route-errors';
import { RESPONSES } from './responses';
import { ROUTES, type RouteDef } from './routes';

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;

/** The JSON error body; `codes` narrows `error.code` to those a response can carry. */
const errorSchema = (codes: readonly ErrorCode[] = ERROR_CODES) => ({
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string', enum: [...codes] }, message: { type: 'string' }, details: {} },
    },
  },
});

const retryAfterHeader = {
  description: 'Seconds to wait before retrying (sent when the server knows when)',
  schema: { type: 'integer', minimum: 1 },
};

/**
 * The static segments next to a path parameter: API Gateway matches `/sessions/search` before
 * `/sessions/{sessionId}`, so `search` is never a session id there (it answers 405 to a GET).
 */
function reservedValues(route: RouteDef, name: string): string[] {
  const segments = route.path.split('/');
  const at = segments.indexOf(`{${name}}`);
  const out = new Set<string>();
  for (const other of ROUTES as readonly RouteDef[]) {
    const o = other.path.split('/');
    if (o.length <= at || o.slice(0, at).join('/') !== segments.slice(0, at).join('/')) continue;
    if (!o[at]!.startsWith('{')) out.add(o[at]!);
  }
  return [...out].sort();
}

function parameters(route: RouteDef) {
  const out: Record<string, unknown>[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
    ['header', route.headers],
  ] as const) {
    if (!schema) continue;
    const js = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, s] of Object.entries(js.properties ?? {})) {
      const reserved = where === 'path' ? reservedValues(route, name) : [];
      out.push({
        name,
        in: where,
        required: where === 'path' || (js.required ?? []).includes(name),
        schema: reserved.length ? { ...(s as object), not: { enum: reserved } } : s,
      });
    }
  }
  return out;
}

/**
 * Each status the route can answer with an error (route-errors.ts, through ERROR_STATUS), its codes and headers:
 * a `$ref` to a shared response in `shared` (one per combination of codes and Retry-After).
 */
export function errorResponses(route: RouteDef, shared: Record<string, unknown> = {}): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of routeErrors(route)) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  const retry = retryAfterCodes(route);
  const out: Record<string, unknown> = {};
  for (const [status, codes] of [...byStatus.entries()].sort(([a], [b]) => a - b)) {
    const withRetry = codes.filter((c) => retry.includes(c));
    const name = `E${status}_${codes.join('_')}${withRetry.length ? `_RETRY_AFTER_${withRetry.join('_')}` : ''}`;
    shared[name] ??= {
      description: codes.join(', '),
      ...(withRetry.length
        ? { headers: { 'Retry-After': { ...retryAfterHeader, description: `${retryAfterHeader.description}: ${withRetry.join(', ')}` } } }
        : {}),
      content: { 'application/json': { schema: errorSchema(codes) } },
    };
    out[String(status)] = { $ref: `#/components/responses/${name}` };
  }
  return out;
}

/** What a streaming route's events are (docs/converse.md). */
function streamDescription(route: RouteDef): string {
  if (route.protocol === AI_SDK_PROTOCOL)
    return 'AI SDK UI message stream v1: start, text-start/-delta/-end, tool-input-available/tool-output-available, data-verification, data-retry, finish | abort | error, then [DONE]';
  if (route.protocol === AG_UI_PROTOCOL)
    return 'AG-UI events: RUN_STARTED, TEXT_MESSAGE_START/CONTENT/END, TOOL_CALL_START/END/RESULT, CUSTOM (pika.*), then RUN_FINISHED or RUN_ERROR';
  return 'Server-Sent Events: session, chunk, trace, tool, verification, retry, done, error';
}

/** The headers of a protocol route's stream: `x-protocol`, and the AI SDK's own marker. */
function protocolHeaders(protocol: string): Record<string, unknown> {
  return {
    'x-protocol': { description: 'The protocol of the stream', required: true, schema: { type: 'string', const: protocol } },
    ...(protocol === AI_SDK_PROTOCOL
      ? { 'x-vercel-ai-ui-message-stream': { description: 'The AI SDK UI message stream version', required: true, schema: { type: 'string', const: 'v1' } } }
      : {}),
  };
}

export function buildOpenApi(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errors: Record<string, unknown> = {};
  for (const route of ROUTES as readonly RouteDef[]) {
    const success = String(route.status ?? 200);
    const content = route.streaming
      ? { 'text/event-stream': { schema: { type: 'string', description: streamDescription(route) } } }
      : { 'application/json': { schema: jsonSchema((RESPONSES as Record<string, z.ZodType>)[route.id]!, 'output') } };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.id,
      summary: route.summary,
      ...(route.protocol ? { 'x-protocol': route.protocol } : {}),
      tags: [route.group],
      'x-pika-access': route.access,
      security: [{ bearer: [] }],
      parameters: parameters(route),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
      responses: {
        [success]: { description: 'OK', ...(route.protocol ? { headers: protocolHeaders(route.protocol) } : {}), content },
        ...errorResponses(route, errors),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Pika chat backend',
      version: '1.0.0',
      description:
        'Generated from functions/http/routes.ts by `npm run openapi`. Each operation lists every error status it can answer; ' +
        'a method a path does not define answers 405 with `Allow` (components.responses.MethodNotAllowed).',
    },
    servers: [{ url: 'http://localhost:3000', description: 'npm start' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: errorSchema() },
      responses: {
        // Any method a path does not list answers 405 with Allow (the local server, and an ANY mock method deployed).
        MethodNotAllowed: {
          description: 'METHOD_NOT_ALLOWED: a method the path does not define',
          headers: { Allow: { description: 'The methods the path defines', required: true, schema: { type: 'string' } } },
          content: { 'application/json': { schema: errorSchema(['METHOD_NOT_ALLOWED']) } },
        },
        ...Object.fromEntries(Object.entries(errors).sort(([a], [b]) => a.localeCompare(b))),
      },
    },
    paths,
  };
}

/** The route list the typed client ships (shared-types/src/client/routes.gen.ts). */
export function clientRoutesSource(): string {
  const rows = (ROUTES as readonly RouteDef[]).map((r) => `  { id: '${r.id}', method: '${r.method}', path: '${r.path}', streaming: ${Boolean(r.streaming)} },`);
  return `// Generated by \`npm run openapi\` from functions/http/routes.ts. Do not edit.\nexport const API_ROUTES = [\n${rows.join('\n')}\n] as const;\n`;
}
