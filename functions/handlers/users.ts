/** Users: the caller's own profile, and user management for admins and trusted services. */
import { budgetOverview } from '../converse/budget';
import { getUser, putUser, searchUsersByPrefix, updateUserName } from '../data/users';
import { reportRange, userDailyUsage } from '../data/usage-reports';
import { orNotFound } from '../platform/errors';
import { createGroupHandler } from '../http/handler';
import { USERS_ROUTES } from '../http/routes/users';
import { memoryOwner } from '../policy/access';
import { deleteUserMemoryRecord, forgetUserMemory, listUserMemory } from '../memory/user-memory';
import { LIST_LIMIT_DEFAULT } from 'pika-shared/schemas';
import { erasureOf, requestErasure } from '../lifecycle/request-erasure';
import { exportOf, requestExport } from '../lifecycle/request-export';
import { logger } from '../platform/logger';

const memoryPage = (caller: string, userId: string, query: { limit?: number; cursor?: string }) =>
  listUserMemory(userId, {
    limit: query.limit ?? LIST_LIMIT_DEFAULT,
    ...(query.cursor ? { cursor: query.cursor } : {}),
    binding: { caller, query: `memory:${userId}` },
  });

export const handler = createGroupHandler('users', USERS_ROUTES, {
  getMe: async ({ principal }) =>
    (await getUser(principal.userId)) ?? {
      userId: principal.userId,
      roles: principal.identity.roles,
      ...(principal.identity.userType ? { userType: principal.identity.userType } : {}),
    },
  updateMe: async ({ principal, body }) => updateUserName(principal.userId, body),
  searchUsers: async ({ query }) => ({ items: await searchUsersByPrefix(query.prefix) }),
  getUser: async ({ params }) => orNotFound(await getUser(params.userId), 'User'),
  putUser: async ({ params, body }) => putUser({ ...body, userId: params.userId }),
  eraseMe: async ({ principal }) => requestErasure(principal.userId, 'user'),
  getMyErasure: async ({ principal }) => erasureOf(principal.userId),
  eraseUser: async ({ principal, params }) => {
    logger.info('user erasure requested by a site admin', { erasedUser: params.userId, by: principal.userId });
    return requestErasure(params.userId, 'admin');
  },
  getUserErasure: async ({ params }) => erasureOf(params.userId),
  createMyExport: async ({ principal }) => requestExport(principal.userId),
  getMyExport: async ({ principal, params }) => exportOf(principal.userId, params.exportId),
  listMyMemory: async ({ principal, query }) => memoryPage(principal.userId, principal.userId, query),
  deleteMyMemoryRecord: async ({ principal, params }) => {
    await deleteUserMemoryRecord(principal.userId, params.recordId);
    return { deleted: true };
  },
  forgetMyMemory: async ({ principal }) => ({ deleted: true, ...(await forgetUserMemory(principal.userId)) }),
  listUserMemory: async ({ principal, params, query, route }) => memoryPage(principal.userId, await memoryOwner(principal, params.userId, route.id), query),
  getMyBudget: async ({ principal, query }) => budgetOverview(principal, query.chatAppId),
  getMyUsage: async ({ principal, query }) => {
    const range = reportRange(query.from, query.to);
    return { chatAppId: query.chatAppId, ...range, ...(await userDailyUsage(principal.userId, query.chatAppId, range)) };
  },
});
