/** Session insights: read by the owner or content-admins, written by the trusted insights service. */
import { chatAppRetentionDays } from '../data/config';
import { getInsights, putInsights } from '../data/insights';
import { getSession } from '../data/sessions';
import { getInsightsStatus } from '../data/insights-status';
import { orNotFound } from '../platform/errors';
import { sessionFor } from '../policy/access';
import { createGroupHandler } from '../http/handler';
import { INSIGHTS_ROUTES } from '../http/routes/insights';

export const handler = createGroupHandler('insights', INSIGHTS_ROUTES, {
  getInsights: async ({ principal, params, route }) => {
    await sessionFor(principal, params.sessionId, 'read', route.id);
    return orNotFound(await getInsights(params.sessionId), 'Insights');
  },
  putInsights: async ({ params, body }) => {
    const session = orNotFound(await getSession(params.sessionId), 'Session');
    return putInsights(params.sessionId, body, [], undefined, await chatAppRetentionDays(session.chatAppId));
  },
  getInsightsStatus: async ({ principal, params, route }) => {
    await sessionFor(principal, params.sessionId, 'read', route.id);
    return orNotFound(await getInsightsStatus(params.sessionId), 'Insights status');
  },
});
