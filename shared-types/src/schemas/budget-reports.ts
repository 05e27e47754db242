/** What the budget and usage routes answer: overrides, what is left of each budget, usage reports (a module of their own, so validating a request does not build them). */
import * as z from 'zod';
import { idSchema } from './common';
import { budgetLimitsSchema, usageDateSchema } from './budgets';

export const budgetOverrideSchema = budgetLimitsSchema.extend({
    chatAppId: idSchema,
    level: z.enum(['user', 'entity']),
    id: z.string(),
    lastUpdate: z.string().optional(),
});

export const usageTotalsSchema = z.object({ inputTokens: z.number(), outputTokens: z.number(), totalCost: z.number(), turns: z.number() });

const usageWindowSchema = z.object({ used: usageTotalsSchema, resetsAt: z.string() });
const budgetLineSchema = z.object({
    level: z.enum(['user', 'entity', 'chatApp']),
    period: z.enum(['daily', 'monthly']),
    unit: z.enum(['usd', 'tokens']),
    used: z.number(),
    limit: z.number(),
    remaining: z.number(),
    resetsAt: z.string(),
});

export const myBudgetSchema = z.object({
    items: z.array(
        z.object({
            chatAppId: idSchema,
            entityId: z.string().optional(),
            daily: usageWindowSchema,
            monthly: usageWindowSchema,
            limits: z.array(budgetLineSchema),
            exceeded: z.boolean(),
        }),
    ),
});

export const myUsageSchema = z.object({
    chatAppId: idSchema,
    from: usageDateSchema,
    to: usageDateSchema,
    totals: usageTotalsSchema,
    items: z.array(usageTotalsSchema.extend({ date: usageDateSchema })),
});

export const adminUsageSchema = z.object({
    chatAppId: idSchema,
    from: usageDateSchema,
    to: usageDateSchema,
    groupBy: z.enum(['day', 'user', 'entity', 'agent']),
    totals: usageTotalsSchema,
    items: z.array(usageTotalsSchema.extend({ key: z.string() })),
    nextCursor: z.string().optional(),
});
