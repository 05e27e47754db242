/**
 * Compile-fail fixtures for the typed route implementations (functions/http/handler.ts) and the tables of the
 * routes' answers (functions/http/responses): `tsc` (run by `npm test`) fails if any line marked
 * @ts-expect-error stops being an error, so each mistake below is proved to be rejected. Never executed.
 */
import * as z from 'zod';
import { createGroupHandler } from '../../functions/http/handler';
import type { ResponsesOf } from '../../functions/http/responses/common';
import { USERS_ROUTES } from '../../functions/http/routes/users';
import { WIDGETS_ROUTES } from '../../functions/http/routes/widgets';

export function fixtures() {
  createGroupHandler('widgets', WIDGETS_ROUTES, {
    // @ts-expect-error a path parameter the route does not have (it is `scope`)
    getWidgetData: async ({ params }) => ({ scope: params.scop, tag: params.tag, data: {} }),
    // @ts-expect-error a body field the route's schema does not have (it is `data`)
    putWidgetData: async ({ params, body }) => ({ scope: params.scope, tag: params.tag, data: body.datum }),
    // @ts-expect-error an answer the route's response schema does not accept (`deleted: true` expected)
    deleteWidgetData: async () => ({ deleted: 'yes' }),
  });

  createGroupHandler('users', USERS_ROUTES, {
    // @ts-expect-error a query parameter the route does not take (it is `prefix`)
    searchUsers: async ({ query }) => ({ items: [], q: query.prefx }),
    // @ts-expect-error a record the route's response schema does not accept (a user without `userId`)
    getMe: async ({ principal }) => ({ roles: principal.identity.roles }),
    updateMe: async ({ principal }) => ({ userId: principal.userId }),
    getUser: async ({ params }) => ({ userId: params.userId }),
    putUser: async ({ params }) => ({ userId: params.userId }),
    // @ts-expect-error a page whose items are not the route's records (pageOf keeps the item type)
    listMyMemory: async () => ({ items: [42, 'x'] }),
    forgetMyMemory: async () => ({ deleted: true as const, records: 0, events: 0 }),
    deleteMyMemoryRecord: async () => ({ deleted: true as const }),
    listUserMemory: async () => ({ items: [] }),
    getMyBudget: async () => ({ items: [] }),
    getMyUsage: async ({ query }) => ({
      chatAppId: query.chatAppId,
      from: '2026-01-01',
      to: '2026-01-01',
      totals: { inputTokens: 0, outputTokens: 0, totalCost: 0, turns: 0 },
      items: [],
    }),
  });

  createGroupHandler(
    'widgets',
    // @ts-expect-error the routes of another group
    USERS_ROUTES,
    {
      getWidgetData: async ({ params }) => ({ scope: params.scope, tag: params.tag, data: {} }),
      putWidgetData: async ({ params, body }) => ({ scope: params.scope, tag: params.tag, data: body.data }),
      deleteWidgetData: async () => ({ deleted: true as const }),
    },
  );

  // @ts-expect-error a route of the group without its implementation (deleteWidgetData)
  createGroupHandler('widgets', WIDGETS_ROUTES, {
    getWidgetData: async ({ params }) => ({ scope: params.scope, tag: params.tag, data: {} }),
    putWidgetData: async ({ params, body }) => ({ scope: params.scope, tag: params.tag, data: body.data }),
  });

  createGroupHandler('widgets', WIDGETS_ROUTES, {
    getWidgetData: async ({ params }) => ({ scope: params.scope, tag: params.tag, data: {} }),
    putWidgetData: async ({ params, body }) => ({ scope: params.scope, tag: params.tag, data: body.data }),
    deleteWidgetData: async () => ({ deleted: true as const }),
    // @ts-expect-error an implementation without a route in the group
    listWidgetData: async () => ({ items: [] }),
  });

  const answer = z.object({ deleted: z.literal(true) });
  // @ts-expect-error a group's answers without one of its routes (deleteWidgetData)
  ({ getWidgetData: answer, putWidgetData: answer }) satisfies ResponsesOf<typeof WIDGETS_ROUTES>;
  ({
    getWidgetData: answer,
    putWidgetData: answer,
    deleteWidgetData: answer,
    // @ts-expect-error an answer without a route in the group
    listWidgetData: answer,
  }) satisfies ResponsesOf<typeof WIDGETS_ROUTES>;
}
