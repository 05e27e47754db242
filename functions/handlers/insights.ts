/** Session insights: read by the owner or content-admins, written by the trusted insights service. */
import { chatAppRetentionDays } from '../data/config';
import { getInsights, putInsights } from '../data/insights';
import { getSession } from '../data/sessions';
import { getInsightsStatus } from '../data/insights-status';
import { notFound } from '../lib/errors';
import { sessionFor } from '../policy/access';
import { createGroupHandler } from '../http/handler';
import { INSIGHTS_ROUTES } from '../http/routes/insights';

export const handler = createGroupHandler('insights', INSIGHTS_ROUTES, {
  getInsights: async ({ principal, params, route }) => {
    await sessionFor(principal, params.sessionId, 'read', route.id);
    return (await getInsights(params.sessionId)) ?? Promise.reject(notFound('Insights'));
  },
  putInsights: async ({ params, body }) => {
    const session = await getSession(params.sessionId);
    if (!session) throw notFound('Session');
    return putInsights(params.sessionId, body, [], undefined, await chatAppRetentionDays(session.chatAppId));
  },
  getInsightsStatus: async ({ principal, params, route }) => {
    await sessionFor(principal, params.sessionId, 'read', route.id);
    return (await getInsightsStatus(params.sessionId)) ?? Promise.reject(notFound('Insights status'));
  },
});
