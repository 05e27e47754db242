/**
 * The success answer of every route (for a streaming route: its `done` event), by route id; one module per
 * area under ./responses, beside the route's own module under ./routes. Not part of the route table on
 * purpose: nothing checks an answer at run time, so the functions' bundles must not build these schemas.
 * They type the implementations (./handler.ts `RouteResult`, by a type-only import that bundling erases) and
 * document the API (./openapi.ts); test/cdk/bundles.test.ts proves no function bundles them.
 */
import type * as z from 'zod';
import { USERS_RESPONSES } from './responses/users';
import { SESSIONS_RESPONSES } from './responses/sessions';
import { FEEDBACK_RESPONSES } from './responses/feedback';
import { INSIGHTS_RESPONSES } from './responses/insights';
import { WIDGETS_RESPONSES } from './responses/widgets';
import { ADMIN_RESPONSES } from './responses/admin';
import { CONVERSE_RESPONSES } from './responses/converse';
import type { RouteId } from './routes';

export const RESPONSES = {
  ...USERS_RESPONSES,
  ...SESSIONS_RESPONSES,
  ...FEEDBACK_RESPONSES,
  ...INSIGHTS_RESPONSES,
  ...WIDGETS_RESPONSES,
  ...ADMIN_RESPONSES,
  ...CONVERSE_RESPONSES,
} as const satisfies { readonly [K in RouteId]: z.ZodType };
