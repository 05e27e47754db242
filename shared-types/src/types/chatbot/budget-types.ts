/** Budgets: limits in USD and/or tokens per UTC day and calendar month (schemas in ../../schemas/budgets). */

export interface BudgetAmount {
    usd?: number;
    /** Input plus output tokens. */
    tokens?: number;
}

export interface BudgetLimits {
    daily?: BudgetAmount;
    monthly?: BudgetAmount;
}

/** A chat app's budget defaults; per-user and per-entity overrides replace a level's limits period by period. */
export interface ChatAppBudgets {
    user?: BudgetLimits;
    entity?: BudgetLimits;
    chatApp?: BudgetLimits;
}

/** A per-user or per-entity override of a chat app's budget defaults. */
export interface BudgetOverride extends BudgetLimits {
    chatAppId: string;
    level: 'user' | 'entity';
    /** The userId or the entity value. */
    id: string;
    lastUpdate?: string;
}

export interface UsageTotals {
    inputTokens: number;
    outputTokens: number;
    /** USD. */
    totalCost: number;
    turns: number;
}

/** One limit that applies, with what is used and left of it. */
export interface BudgetLine {
    level: 'user' | 'entity' | 'chatApp';
    period: 'daily' | 'monthly';
    unit: 'usd' | 'tokens';
    used: number;
    limit: number;
    remaining: number;
    resetsAt: string;
}

/** GET /users/me/budget. */
export interface MyBudget {
    items: Array<{
        chatAppId: string;
        entityId?: string;
        daily: { used: UsageTotals; resetsAt: string };
        monthly: { used: UsageTotals; resetsAt: string };
        limits: BudgetLine[];
        exceeded: boolean;
    }>;
}

/** GET /users/me/usage. */
export interface MyUsage {
    chatAppId: string;
    from: string;
    to: string;
    totals: UsageTotals;
    items: Array<UsageTotals & { date: string }>;
}

export type UsageGroupBy = 'day' | 'user' | 'entity' | 'agent';

/** GET /admin/usage. */
export interface UsageReport {
    chatAppId: string;
    from: string;
    to: string;
    groupBy: UsageGroupBy;
    totals: UsageTotals;
    /** key: the day, userId, entity or agentId. */
    items: Array<UsageTotals & { key: string }>;
    nextCursor?: string;
}
