/** The widget data routes (the route table is functions/http/routes.ts; their answers: ../responses/widgets.ts). */
import { setWidgetDataBodySchema } from 'pika-shared/schemas';
import { type RouteDef, scopeTag } from './common';

export const WIDGETS_ROUTES = [
  {
    id: 'getWidgetData',
    method: 'GET',
    path: '/widget-data/{scope}/{tag}',
    group: 'widgets',
    summary: 'The caller\u2019s data of a widget',
    access: ['user'],
    errors: ['NOT_FOUND'],
    params: scopeTag,
  },
  {
    id: 'putWidgetData',
    method: 'PUT',
    path: '/widget-data/{scope}/{tag}',
    group: 'widgets',
    summary: 'Replace, or merge (partial: true), the caller\u2019s widget data',
    access: ['user'],
    errors: ['CONFLICT'],
    params: scopeTag,
    body: setWidgetDataBodySchema,
  },
  {
    id: 'deleteWidgetData',
    method: 'DELETE',
    path: '/widget-data/{scope}/{tag}',
    group: 'widgets',
    summary: 'Delete the caller\u2019s widget data',
    access: ['user'],
    errors: ['NOT_FOUND'],
    params: scopeTag,
  },
] as const satisfies readonly RouteDef[];
