/** The admin config routes' success answers (the routes: ../routes/admin.ts). */
import { adminUsageSchema, agentConfigSchema, budgetOverrideSchema, chatAppConfigSchema } from 'pika-shared/schemas';
import type { ADMIN_ROUTES } from '../routes/admin';
import { deleted, type ResponsesOf } from './common';

export const ADMIN_RESPONSES = {
  getChatApp: chatAppConfigSchema,
  putChatApp: chatAppConfigSchema,
  getAgent: agentConfigSchema,
  putAgent: agentConfigSchema,
  getUserBudget: budgetOverrideSchema,
  putUserBudget: budgetOverrideSchema,
  deleteUserBudget: deleted,
  getEntityBudget: budgetOverrideSchema,
  putEntityBudget: budgetOverrideSchema,
  deleteEntityBudget: deleted,
  getUsageReport: adminUsageSchema,
} satisfies ResponsesOf<typeof ADMIN_ROUTES>;
