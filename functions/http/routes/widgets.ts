/** The widget data routes (the route table is functions/http/routes.ts). */
import * as z from 'zod';
import { setWidgetDataBodySchema, userWidgetDataSchema } from 'pika-shared/schemas';
import { deleted, type RouteDef, scopeTag } from './common';

export const WIDGETS_ROUTES = [
  {
    id: 'getWidgetData',
    method: 'GET',
    path: '/widget-data/{scope}/{tag}',
    group: 'widgets',
    summary: 'The caller\u2019s data of a widget',
    access: ['user'],
    params: scopeTag,
    response: z.object({ scope: z.string(), tag: z.string(), data: userWidgetDataSchema }),
  },
  {
    id: 'putWidgetData',
    method: 'PUT',
    path: '/widget-data/{scope}/{tag}',
    group: 'widgets',
    summary: 'Replace, or merge (partial: true), the caller\u2019s widget data',
    access: ['user'],
    params: scopeTag,
    body: setWidgetDataBodySchema,
    response: z.object({ scope: z.string(), tag: z.string(), data: userWidgetDataSchema }),
  },
  {
    id: 'deleteWidgetData',
    method: 'DELETE',
    path: '/widget-data/{scope}/{tag}',
    group: 'widgets',
    summary: 'Delete the caller\u2019s widget data',
    access: ['user'],
    params: scopeTag,
    response: deleted,
  },
] as const satisfies readonly RouteDef[];
