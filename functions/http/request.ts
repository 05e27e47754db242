/** Turns an API Gateway proxy event into validated params/query/body for a route. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import { config } from '../platform/config';
import { DomainError, payloadTooLarge, validationFailed } from '../platform/errors';
import type { RouteDef } from './routes';
import { unstorableValues } from './storable';

/** Routes without query parameters still reject unknown ones. */
const emptyQuery = z.strictObject({});

/** The largest body a route accepts (MAX_BODY_BYTES, default 256 KiB). */
export const maxBodyBytes = () => config().MAX_BODY_BYTES;

export function header(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === lower) return v ?? undefined;
  return undefined;
}

/** Each issue with its dotted path; a record key's issue (zod's "Invalid key in record") says what is wrong with the key. */
function issuesOf(where: string, error: z.ZodError) {
  return error.issues.map((i) => ({
    path: [where, ...i.path.map(String)].join('.'),
    message: i.code === 'invalid_key' && i.issues[0] ? `key: ${i.issues[0].message}` : i.message,
  }));
}

function validate(where: string, schema: z.ZodType | undefined, value: unknown, present: boolean): unknown {
  if (!schema) {
    if (present) throw validationFailed(`This route takes no ${where}`, [{ path: where, message: 'not allowed' }]);
    return undefined;
  }
  const result = schema.safeParse(value);
  if (!result.success) throw validationFailed(`Invalid ${where}`, issuesOf(where, result.error));
  return result.data;
}

function parseBody(event: APIGatewayProxyEvent): { present: boolean; value: unknown } {
  if (event.body === null || event.body === undefined || event.body === '') return { present: false, value: undefined };
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  const max = maxBodyBytes();
  if (raw.length > max) throw payloadTooLarge(`The body exceeds ${max} bytes`, { maxBytes: max });
  const type = header(event, 'content-type');
  if (type && !/^application\/(.+\+)?json\b/i.test(type)) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new DomainError('INVALID_JSON', 'The body is not valid UTF-8');
  }
  try {
    return { present: true, value: JSON.parse(text) };
  } catch {
    throw new DomainError('INVALID_JSON', 'The body is not valid JSON');
  }
}

export interface ParsedRequest {
  params: unknown;
  query: unknown;
  body: unknown;
}

export function parseRequest(route: RouteDef, event: APIGatewayProxyEvent): ParsedRequest {
  const params = event.pathParameters ?? {};
  const query = event.queryStringParameters ?? {};
  // A route without a body refuses one before reading it: 400, never that route's 413/415 (its document has none).
  const sent = event.body !== null && event.body !== undefined && event.body !== '';
  if (!route.body && sent) throw validationFailed('This route takes no body', [{ path: 'body', message: 'not allowed' }]);
  const body = parseBody(event);
  if (body.present) {
    const unstorable = unstorableValues(body.value, 'body');
    if (unstorable.length) throw validationFailed('The body has values that cannot be stored', unstorable);
  }
  return {
    params: validate('path', route.params, params, Object.keys(params).length > 0),
    query: validate('query', route.query ?? emptyQuery, query, Object.keys(query).length > 0),
    body: validate('body', route.body, body.value, body.present),
  };
}
