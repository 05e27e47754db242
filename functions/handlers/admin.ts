/** Chat-app and agent configuration (site-admins). */
import { getAgent, getChatApp, putAgent, putChatApp } from '../data/config';
import { nowIso } from '../data/items';
import { notFound } from '../lib/errors';
import { createGroupHandler } from '../http/handler';

export const handler = createGroupHandler('admin', {
  getChatApp: async ({ params }) => (await getChatApp(params.chatAppId)) ?? Promise.reject(notFound('Chat app')),
  putChatApp: async ({ params, body }) => {
    const now = nowIso();
    const existing = await getChatApp(params.chatAppId);
    return putChatApp({ ...body, chatAppId: params.chatAppId, createDate: existing?.createDate ?? now, lastUpdate: now });
  },
  getAgent: async ({ params }) => (await getAgent(params.agentId)) ?? Promise.reject(notFound('Agent')),
  putAgent: async ({ params, body }) => {
    const now = nowIso();
    const existing = await getAgent(params.agentId);
    return putAgent({ ...body, agentId: params.agentId, createDate: existing?.createDate ?? now, lastUpdate: now });
  },
});
