/** Chat-app and agent configuration (site-admins). */
import { deleteBudgetOverride, getBudgetOverride, putBudgetOverride, type OverrideLevel } from '../data/budgets';
import { getAgent, getChatApp, putAgent, putChatApp } from '../data/config';
import { chatAppUsage, reportRange } from '../data/usage-reports';
import { logger } from '../platform/logger';
import { nowIso } from '../data/items';
import { conflict, orNotFound } from '../platform/errors';
import { createGroupHandler } from '../http/handler';
import { ADMIN_ROUTES } from '../http/routes/admin';
import { checkUserMemoryFeature } from '../memory/registry';

/**
 * An override of an existing chat app that has `budgets` (404 for an unknown one; 409 for one without budgets,
 * where an override would be accepted and then ignored): nothing is stored otherwise.
 */
async function putOverride(chatAppId: string, level: OverrideLevel, id: string, limits: Parameters<typeof putBudgetOverride>[3]) {
  const app = orNotFound(await getChatApp(chatAppId), 'Chat app');
  if (!app.budgets) {
    throw conflict(
      `Chat app ${chatAppId} has no budgets: an override would never apply. Set its budgets first (PUT /admin/chat-apps/${chatAppId}, "budgets": {} is enough)`,
      {
        chatAppId,
      },
    );
  }
  return putBudgetOverride(chatAppId, level, id, limits);
}
const deleted = async (removal: Promise<void>) => {
  await removal;
  return { deleted: true as const };
};

export const handler = createGroupHandler('admin', ADMIN_ROUTES, {
  getChatApp: async ({ params }) => orNotFound(await getChatApp(params.chatAppId), 'Chat app'),
  putChatApp: async ({ params, body }) => {
    checkUserMemoryFeature(body.features?.userMemory);
    const now = nowIso();
    const existing = await getChatApp(params.chatAppId);
    return putChatApp({ ...body, chatAppId: params.chatAppId, createDate: existing?.createDate ?? now, lastUpdate: now });
  },
  getAgent: async ({ params }) => orNotFound(await getAgent(params.agentId), 'Agent'),
  putAgent: async ({ params, body }) => {
    const now = nowIso();
    const existing = await getAgent(params.agentId);
    return putAgent({ ...body, agentId: params.agentId, createDate: existing?.createDate ?? now, lastUpdate: now });
  },
  getUserBudget: async ({ params }) => orNotFound(await getBudgetOverride(params.chatAppId, 'user', params.userId), 'Budget override'),
  putUserBudget: async ({ params, body }) => putOverride(params.chatAppId, 'user', params.userId, body),
  deleteUserBudget: async ({ params }) => deleted(deleteBudgetOverride(params.chatAppId, 'user', params.userId)),
  getEntityBudget: async ({ params }) => orNotFound(await getBudgetOverride(params.chatAppId, 'entity', params.entityId), 'Budget override'),
  putEntityBudget: async ({ params, body }) => putOverride(params.chatAppId, 'entity', params.entityId, body),
  deleteEntityBudget: async ({ params }) => deleted(deleteBudgetOverride(params.chatAppId, 'entity', params.entityId)),
  getUsageReport: async ({ principal, query }) => {
    const range = reportRange(query.from, query.to);
    logger.info('viewing usage of a chat app', {
      routeId: 'getUsageReport',
      viewerUserId: principal.userId,
      chatAppId: query.chatAppId,
      groupBy: query.groupBy ?? 'day',
    });
    return chatAppUsage({
      chatAppId: query.chatAppId,
      range,
      groupBy: query.groupBy ?? 'day',
      caller: principal.userId,
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    });
  },
});
