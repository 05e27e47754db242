/**
 * What the OpenAPI document declares per route, for the tests that watch the API answer: a status or a
 * `Retry-After` the document does not declare for that route fails the test that saw it.
 */
import { buildOpenApi } from '../../functions/http/openapi';
import { ROUTES } from '../../functions/http/routes';

interface Op {
  responses: Record<string, { $ref?: string; headers?: Record<string, unknown> }>;
}
const doc = buildOpenApi() as { paths: Record<string, Record<string, Op>>; components: { responses: Record<string, { headers?: Record<string, unknown> }> } };

function operation(routeId: string): Op {
  const route = ROUTES.find((r) => r.id === routeId);
  if (!route) throw new Error(`no route ${routeId}`);
  return doc.paths[route.path]![route.method.toLowerCase()]!;
}

/** The statuses the document declares for the route, success included. */
export function declaredStatuses(routeId: string): number[] {
  return Object.keys(operation(routeId).responses).map(Number);
}

/** Why this answer breaks the document, or undefined when it is declared (with its Retry-After, if any). */
export function undeclared(routeId: string, status: number, headers?: Headers | Record<string, unknown>): string | undefined {
  const response = operation(routeId).responses[String(status)];
  if (!response) return `${routeId} answered ${status}, not in its declared statuses ${declaredStatuses(routeId).join(' ')}`;
  const retryAfter = headers instanceof Headers ? headers.get('retry-after') : (headers?.['retry-after'] ?? headers?.['Retry-After']);
  const resolved = response.$ref ? doc.components.responses[response.$ref.split('/').pop()!]! : response;
  if (retryAfter != null && !resolved.headers?.['Retry-After']) return `${routeId} answered ${status} with Retry-After, which its document does not declare`;
  return undefined;
}

export function expectDeclared(routeId: string, status: number, headers?: Headers | Record<string, unknown>, context = ''): void {
  const problem = undeclared(routeId, status, headers);
  if (problem) throw new Error(`${problem}${context ? ` (${context})` : ''}`);
}
