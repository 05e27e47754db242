/** Budgets (limits per UTC day / calendar month) and the usage reports' queries (the answers: ./budget-reports.ts). Types in ../types/chatbot/budget-types. */
import * as z from 'zod';
import { idSchema, nonNegative } from './common';

/** Dates of usage reports: a UTC day, YYYY-MM-DD. */
export const usageDateSchema = z
    .string()
    .length(10)
    .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a UTC day as YYYY-MM-DD');

/** A limit in USD and/or tokens (input + output); absent = no limit in that unit. */
export const budgetAmountSchema = z.strictObject({ usd: nonNegative.max(1e9).optional(), tokens: z.number().int().min(0).max(1e15).optional() });

export const budgetLimitsSchema = z.strictObject({ daily: budgetAmountSchema.optional(), monthly: budgetAmountSchema.optional() });

/** A chat app's budgets: the defaults per user and per entity, and the chat app's own. */
export const chatAppBudgetsSchema = z.strictObject({
    user: budgetLimitsSchema.optional(),
    entity: budgetLimitsSchema.optional(),
    chatApp: budgetLimitsSchema.optional(),
});

const rangeQuery = { chatAppId: idSchema, from: usageDateSchema.optional(), to: usageDateSchema.optional() };
export const myUsageQuerySchema = z.strictObject(rangeQuery);
export const adminUsageQuerySchema = z.strictObject({
    ...rangeQuery,
    groupBy: z.enum(['day', 'user', 'entity', 'agent']).optional(),
    limit: z.coerce.number().int().min(1).max(100).optional(),
    cursor: z.string().min(1).max(4096).optional(),
});
