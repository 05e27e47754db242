/** The users routes' success answers (the routes: ../routes/users.ts). */
import * as z from 'zod';
import { chatUserSchema, myBudgetSchema, myUsageSchema, userErasureSchema, userExportSchema, userMemoryRecordSchema } from 'pika-shared/schemas';
import type { USERS_ROUTES } from '../routes/users';
import { deleted, pageOf, type ResponsesOf } from './common';

export const USERS_RESPONSES = {
  getMe: chatUserSchema,
  updateMe: chatUserSchema,
  searchUsers: z.object({ items: z.array(chatUserSchema) }),
  getUser: chatUserSchema,
  listMyMemory: pageOf(userMemoryRecordSchema),
  forgetMyMemory: z.object({ deleted: z.literal(true), records: z.number().int(), events: z.number().int() }),
  deleteMyMemoryRecord: deleted,
  listUserMemory: pageOf(userMemoryRecordSchema),
  eraseMe: userErasureSchema,
  getMyErasure: userErasureSchema,
  eraseUser: userErasureSchema,
  getUserErasure: userErasureSchema,
  createMyExport: userExportSchema,
  getMyExport: userExportSchema,
  putUser: chatUserSchema,
  getMyBudget: myBudgetSchema,
  getMyUsage: myUsageSchema,
} satisfies ResponsesOf<typeof USERS_ROUTES>;
