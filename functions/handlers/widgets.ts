/** Widget data: always the caller's own (user + scope + tag); no role reads another user's. */
import { deleteWidgetData, getWidgetData, setWidgetData } from '../data/widget-data';
import { orNotFound } from '../platform/errors';
import { createGroupHandler } from '../http/handler';
import { WIDGETS_ROUTES } from '../http/routes/widgets';

export const handler = createGroupHandler('widgets', WIDGETS_ROUTES, {
  getWidgetData: async ({ principal, params }) => {
    const data = orNotFound(await getWidgetData(principal.userId, params.scope, params.tag), 'Widget data');
    return { scope: params.scope, tag: params.tag, data };
  },
  putWidgetData: async ({ principal, params, body }) => ({
    scope: params.scope,
    tag: params.tag,
    data: await setWidgetData({ userId: principal.userId, scope: params.scope, tag: params.tag, data: body.data, partial: body.partial ?? false }),
  }),
  deleteWidgetData: async ({ principal, params }) => {
    orNotFound(await deleteWidgetData(principal.userId, params.scope, params.tag), 'Widget data');
    return { deleted: true };
  },
});
