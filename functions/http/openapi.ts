/** The OpenAPI 3.1 document, generated from the route table's zod schemas and the routes' answers (never written by hand). */
import * as z from 'zod';
import { AG_UI_PROTOCOL, AI_SDK_PROTOCOL } from 'pika-shared/schemas';
import { ERROR_CODES, type ErrorCode } from '../platform/errors';
import { ERROR_STATUS } from './errors';
import { retryAfterCodes, routeErrors } from './route-errors';
import { RESPONSES } from './responses';
import { ROUTE_GROUPS, ROUTES, type RouteDef } from './routes';
import { CORS_EXPOSE_HEADERS } from './cors';
import { SSE_HEADERS } from './stream-headers';

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;

/** The JSON error body (components.schemas.Error). */
const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string', enum: [...ERROR_CODES] }, message: { type: 'string' }, details: {} },
    },
  },
};
/** The error body of a response, with `error.code` narrowed to the codes it can carry. */
const errorSchema = (codes: readonly ErrorCode[]) => ({
  allOf: [{ $ref: '#/components/schemas/Error' }, { properties: { error: { properties: { code: { enum: [...codes] } } } } }],
});

/** The longest wait the server asks for: until a monthly budget resets (functions/converse/budget.ts). */
const MAX_RETRY_AFTER_SECONDS = 31 * 86_400;
const retryAfterHeader = {
  description: 'Seconds to wait before retrying (sent when the server knows when)',
  schema: { type: 'integer', minimum: 1, maximum: MAX_RETRY_AFTER_SECONDS },
};

/** Headers every answer carries when the request's Origin is one of the stage's (./cors.ts), none otherwise. */
const CORS_HEADERS = {
  'Access-Control-Allow-Origin': {
    description: "The request's Origin, sent only when it is one of the stage's CORS origins (`*` from the gateway when the stage allows any)",
    schema: { type: 'string', pattern: '^(\\*|[a-z][a-z0-9+.-]*://[^\\s/]+)$', maxLength: 2048 },
  },
  'Access-Control-Expose-Headers': {
    description: 'The answer headers a web app may read, sent with Access-Control-Allow-Origin',
    schema: { type: 'string', const: CORS_EXPOSE_HEADERS.join(', ') },
  },
  Vary: { description: 'Origin, sent with Access-Control-Allow-Origin', schema: { type: 'string', const: 'Origin' } },
};
const corsRefs = () => Object.fromEntries(Object.keys(CORS_HEADERS).map((h) => [h, { $ref: `#/components/headers/${h}` }]));

/** A stream's prelude: not to be cached or buffered by a proxy (./stream-headers.ts). */
const STREAM_HEADERS = {
  'Cache-Control': { description: 'The stream is not to be cached', required: true, schema: { type: 'string', const: SSE_HEADERS['cache-control'] } },
  'X-Accel-Buffering': {
    description: 'Proxies are not to buffer the stream',
    required: true,
    schema: { type: 'string', const: SSE_HEADERS['x-accel-buffering'] },
  },
};

/** Who may call: any signed-in user, or one of the roles (alternatives, as OpenAPI 3.1 lists role names). */
const security = (route: RouteDef) => (route.access.includes('user') ? [{ bearer: [] }] : route.access.map((a) => ({ bearer: [a] })));

/** Every integer gets the format its bounds fit (int32 or int64: JSON numbers here never pass 2^53). */
function withIntegerFormats(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const x of node) withIntegerFormats(x);
    return;
  }
  const o = node as Record<string, unknown>;
  const isInt = o.type === 'integer' || (Array.isArray(o.type) && o.type.includes('integer'));
  if (isInt && o.format === undefined) {
    const min = (o.minimum ?? o.exclusiveMinimum ?? -Infinity) as number;
    const max = (o.maximum ?? o.exclusiveMaximum ?? Infinity) as number;
    o.format = min >= -(2 ** 31) && max <= 2 ** 31 - 1 ? 'int32' : 'int64';
  }
  for (const v of Object.values(o)) withIntegerFormats(v);
}

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
      headers: {
        ...corsRefs(),
        ...(withRetry.length ? { 'Retry-After': { ...retryAfterHeader, description: `${retryAfterHeader.description}: ${withRetry.join(', ')}` } } : {}),
      },
      content: { 'application/json': { schema: errorSchema(codes) } },
    };
    out[String(status)] = { $ref: `#/components/responses/${name}` };
  }
  return out;
}

/** What a streaming route's events are (docs/converse.md). */
function streamDescription(route: RouteDef): string {
  if (route.protocol === AI_SDK_PROTOCOL)
    return 'AI SDK UI message stream v1: start, start-step, text-start/-delta/-end, tool-input-available/tool-output-available, tool-approval-request, data-verification, data-retry, finish | abort | error, then [DONE]';
  if (route.protocol === AG_UI_PROTOCOL)
    return 'AG-UI events: RUN_STARTED, TEXT_MESSAGE_START/CONTENT/END, TOOL_CALL_START/ARGS/END/RESULT, CUSTOM (pika.*), then RUN_FINISHED (outcome success, cancelled or interrupt) or RUN_ERROR';
  return 'Server-Sent Events: session, chunk, trace, tool, tool_request, verification, retry, done, error';
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
      ? { [SSE_HEADERS['content-type']]: { schema: { type: 'string', description: streamDescription(route) } } }
      : { 'application/json': { schema: jsonSchema((RESPONSES as Record<string, z.ZodType>)[route.id]!, 'output') } };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.id,
      summary: route.summary,
      ...(route.protocol ? { 'x-protocol': route.protocol } : {}),
      tags: [route.group],
      'x-pika-access': route.access,
      security: security(route),
      parameters: parameters(route),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
      responses: {
        [success]: {
          description: 'OK',
          headers: { ...corsRefs(), ...(route.streaming ? STREAM_HEADERS : {}), ...(route.protocol ? protocolHeaders(route.protocol) : {}) },
          content,
        },
        ...errorResponses(route, errors),
      },
    };
  }
  const groups = new Set((ROUTES as readonly RouteDef[]).map((r) => r.group));
  const doc = {
    openapi: '3.1.0',
    info: {
      title: 'Pika chat backend',
      version: '1.0.0',
      description:
        'Generated from functions/http/routes.ts by `npm run openapi`. Each operation lists every error status it can answer; ' +
        'a method a path does not define answers 405 with `Allow` (components.responses.MethodNotAllowed).',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [
      {
        url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}',
        description:
          'production, staging and every other deployed stage: the stack output ApiUrl. Local development: `npm start` serves the same API on http://localhost:3000.',
        'x-internal': false,
        variables: {
          restApiId: { default: 'abcde12345', description: 'The REST API id of the stage stack (PikaChat-<stage>)' },
          region: { default: 'us-east-1', description: 'The AWS region the stage is deployed in' },
          stage: { default: 'prod', description: 'The stage name (lib/config/stages.ts)' },
        },
      },
    ],
    tags: ROUTE_GROUPS.filter((g) => groups.has(g)).map((name) => ({ name, description: `Served by the ${name} function` })),
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT verified as RFC8725 advises: the algorithm is fixed by the key (HS256 with the stage secret, or RS256/ES256/PS256 from ' +
            "the issuer's JWKS; `none` and others refused), `exp` required, `iss` and `aud` checked when the stage sets them, claims of " +
            'the wrong type refused. Role names in a security requirement are the roles the stage maps (ROLE_SITE_ADMIN, ROLE_CONTENT_ADMIN, ROLE_SERVICE).',
        },
      },
      headers: CORS_HEADERS,
      schemas: { Error: ERROR_SCHEMA },
      responses: {
        // Any method a path does not list answers 405 with Allow (the local server, and an ANY mock method deployed).
        MethodNotAllowed: {
          description: 'METHOD_NOT_ALLOWED: a method the path does not define',
          headers: {
            ...corsRefs(),
            Allow: { description: 'The methods the path defines', required: true, schema: { type: 'string', pattern: '^[A-Z]+(, [A-Z]+)*$', maxLength: 64 } },
          },
          content: { 'application/json': { schema: errorSchema(['METHOD_NOT_ALLOWED']) } },
        },
        ...Object.fromEntries(Object.entries(errors).sort(([a], [b]) => a.localeCompare(b))),
      },
    },
    paths,
  };
  withIntegerFormats(doc);
  return doc;
}

/** The route list the typed client ships (shared-types/src/client/routes.gen.ts). */
export function clientRoutesSource(): string {
  const rows = (ROUTES as readonly RouteDef[]).map((r) => `  { id: '${r.id}', method: '${r.method}', path: '${r.path}', streaming: ${Boolean(r.streaming)} },`);
  return `// Generated by \`npm run openapi\` from functions/http/routes.ts. Do not edit.\nexport const API_ROUTES = [\n${rows.join('\n')}\n] as const;\n`;
}
