/**
 * THE route table: every route, defined once in its area's module under ./routes and listed here. The group
 * handlers (functions/handlers), the local server's router, the OpenAPI document (scripts/openapi.ts), the
 * typed client (pika-shared/client) and the CDK RestApi are all derived from it. Pure data + schemas: it
 * imports no handler code. It holds what a function needs at run time (path, query and body schemas); each
 * route's answer schema is in ./responses.ts (types and docs only, never bundled into a function).
 */
import { USERS_ROUTES } from './routes/users';
import { SESSIONS_ROUTES } from './routes/sessions';
import { FEEDBACK_ROUTES } from './routes/feedback';
import { INSIGHTS_ROUTES } from './routes/insights';
import { WIDGETS_ROUTES } from './routes/widgets';
import { ADMIN_ROUTES } from './routes/admin';
import { CONVERSE_ROUTES } from './routes/converse';
import type { RouteDef } from './routes/common';

export { ADMIN_READ, HTTP_METHODS, ROUTE_GROUPS, type Access, type HttpMethod, type RouteDef, type RouteGroup } from './routes/common';

/** Every route, in the order the API documents them (one module per area under ./routes). */
export const ROUTES = [
  ...USERS_ROUTES,
  ...SESSIONS_ROUTES,
  ...FEEDBACK_ROUTES,
  ...INSIGHTS_ROUTES,
  ...WIDGETS_ROUTES,
  ...ADMIN_ROUTES,
  ...CONVERSE_ROUTES,
] as const satisfies readonly RouteDef[];

export type RouteId = (typeof ROUTES)[number]['id'];
