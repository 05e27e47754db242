/**
 * Budgets: the limits that apply to a user in a chat app (the chat app's defaults, a user's or entity's
 * override replacing a level's limit period by period), what is left of each, and the converse check —
 * 429 BUDGET_EXCEEDED before anything is stored or the agent called. A chat app without `budgets` is not
 * checked (no read on its turns); usage is aggregated either way.
 */
import { roundUsd } from '../platform/money';
import type { AgentConfig, BudgetLimits, ChatAppConfig } from 'pika-shared/types/chatbot/chatbot-types';
import { readBudgetState, type BudgetState } from '../data/budgets';
import type { TurnReservation } from '../data/turn-writes';
import { COMMITTED, monthOf, type UsageTotals, type UserLimits } from '../data/usage-aggregates';
import { config } from '../platform/config';
import { userChatAppsOfMonth } from '../data/usage-reports';
import { budgetExceeded, DomainError } from '../platform/errors';
import { entityOf, usableChatApp } from '../policy/access';
import type { Principal } from '../policy/principal';
import { recordBudgetRefusal } from '../platform/usage-metrics';

export type BudgetLevel = 'user' | 'entity' | 'chatApp';
export type BudgetPeriod = 'daily' | 'monthly';
export type BudgetUnit = 'usd' | 'tokens';

export interface BudgetLine {
  level: BudgetLevel;
  period: BudgetPeriod;
  unit: BudgetUnit;
  used: number;
  limit: number;
  remaining: number;
  resetsAt: string;
}

/** Next UTC midnight / first day of next month, as ISO. */
export function resetsAt(period: BudgetPeriod, nowMs: number): string {
  const d = new Date(nowMs);
  const next = period === 'daily' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return new Date(next).toISOString();
}

const merged = (defaults: BudgetLimits | undefined, override: BudgetLimits | undefined): BudgetLimits => ({
  ...((override?.daily ?? defaults?.daily) ? { daily: override?.daily ?? defaults?.daily } : {}),
  ...((override?.monthly ?? defaults?.monthly) ? { monthly: override?.monthly ?? defaults?.monthly } : {}),
});

const amountOf = (t: UsageTotals, unit: BudgetUnit) => (unit === 'usd' ? t.totalCost : t.inputTokens + t.outputTokens);

/** Every limit that applies, with what is used and left of it. */
export function budgetLines(app: ChatAppConfig, state: BudgetState, nowMs: number): BudgetLine[] {
  if (!app.budgets) return []; // not budgeted: overrides apply only where the chat app has budgets
  const budgets = app.budgets;
  const levels: Array<[BudgetLevel, BudgetLimits, { daily: UsageTotals; monthly: UsageTotals } | undefined]> = [
    ['user', merged(budgets.user, state.overrides.user), state.used.user],
    ['entity', merged(budgets.entity, state.overrides.entity), state.used.entity],
    ['chatApp', merged(budgets.chatApp, undefined), state.used.chatApp],
  ];
  const lines: BudgetLine[] = [];
  for (const [level, limits, used] of levels) {
    if (!used) continue; // no entity: no entity level
    for (const period of ['daily', 'monthly'] as const) {
      for (const unit of ['usd', 'tokens'] as const) {
        const limit = limits[period]?.[unit];
        if (limit === undefined) continue;
        const amount = amountOf(used[period], unit);
        lines.push({
          level,
          period,
          unit,
          used: amount,
          limit,
          remaining: Math.max(0, roundUsd(limit - amount)),
          resetsAt: resetsAt(period, nowMs),
        });
      }
    }
  }
  return lines;
}

export const isExceeded = (line: BudgetLine) => line.used >= line.limit;

/**
 * The converse check: one BatchGetItem (overrides and the day/month totals), then 429 BUDGET_EXCEEDED naming
 * the exceeded limit that resets last (retrying before then is pointless), with Retry-After. A user with
 * limits gets the turn's reservation: what the user-message transaction sets aside on their day and month
 * items, conditional on what is committed there being below the limit — so that of N racing turns only
 * those the budget allows run (entity and chat-app totals are added up by the usage stream and may trail:
 * docs/converse.md#budgets).
 */
export async function budgetForTurn(input: {
  app: ChatAppConfig;
  agent: AgentConfig;
  userId: string;
  entityId?: string;
  nowMs?: number;
}): Promise<TurnReservation | undefined> {
  if (!input.app.budgets) return undefined;
  const nowMs = input.nowMs ?? Date.now();
  const state = await readBudgetState({
    chatAppId: input.app.chatAppId,
    userId: input.userId,
    nowMs,
    entityId: input.entityId,
  });
  const lines = budgetLines(input.app, state, nowMs);
  const exceeded = lines.filter(isExceeded);
  if (exceeded.length)
    throw refusal(
      input,
      exceeded.reduce((a, b) => (b.resetsAt > a.resetsAt ? b : a)),
      nowMs,
    );
  const userLines = lines.filter((l) => l.level === 'user');
  if (!userLines.length) return undefined;
  const limits: UserLimits = {};
  for (const l of userLines) (limits[l.period] ??= {})[l.unit] = l.limit;
  const tokens = config().BUDGET_RESERVE_TOKENS;
  const pricing = input.agent.pricing;
  const usd = pricing ? roundUsd((tokens / 1000) * Math.max(pricing.inputPer1kTokens, pricing.outputPer1kTokens)) : 0;
  return {
    amount: { tokens, usd },
    limits,
    refused: (period, committed) => {
      const candidates = userLines.filter((l) => l.period === period);
      const committedOf = (unit: BudgetUnit) => {
        const v = committed?.[unit === 'usd' ? COMMITTED.usd : COMMITTED.tokens];
        return typeof v === 'number' ? v : 0;
      };
      const line = candidates.find((l) => committedOf(l.unit) >= l.limit) ?? candidates[0] ?? userLines[0]!;
      // Spent up to the limit: until it resets. Set aside by running turns: once they have ended.
      const spent = line.used >= line.limit;
      return refusal(input, { ...line, used: Math.max(line.used, committedOf(line.unit)) }, nowMs, spent ? undefined : RUNNING_TURNS_RETRY_SECONDS);
    },
  };
}

/** Retry-After when a user's limit is reached only by what running turns set aside. */
const RUNNING_TURNS_RETRY_SECONDS = 5;

function refusal(input: { app: ChatAppConfig; entityId?: string }, line: BudgetLine, nowMs: number, retryAfter?: number): Error {
  recordBudgetRefusal(input.app.chatAppId);
  const retryAfterSeconds = retryAfter ?? Math.max(1, Math.ceil((Date.parse(line.resetsAt) - nowMs) / 1000));
  return budgetExceeded(
    `The ${line.period} ${line.unit === 'usd' ? 'cost' : 'token'} budget of this ${line.level === 'chatApp' ? 'chat app' : line.level} is used up until ${line.resetsAt}`,
    {
      level: line.level,
      period: line.period,
      unit: line.unit,
      used: line.used,
      limit: line.limit,
      resetsAt: line.resetsAt,
      retryAfterSeconds,
      ...(line.level === 'entity' && input.entityId !== undefined ? { entityId: input.entityId } : {}),
    },
  );
}

export interface ChatAppBudgetView {
  chatAppId: string;
  entityId?: string;
  daily: { used: UsageTotals; resetsAt: string };
  monthly: { used: UsageTotals; resetsAt: string };
  limits: BudgetLine[];
  exceeded: boolean;
}

/**
 * What a user has left: in one chat app, or in each chat app they have usage in this month (a Query of
 * their month items, at most MAX_BUDGET_APPS; a chat app not used yet this month has all its budget left).
 * Only chat apps the caller may use (`usableChatApp`, the rule of every chat-app route): with `chatAppId`, 404
 * for an unknown one and 403 for one that is disabled or refuses the caller; the listing leaves those out.
 */
export async function budgetOverview(p: Principal, chatAppId: string | undefined, nowMs = Date.now()): Promise<{ items: ChatAppBudgetView[] }> {
  const ids = chatAppId ? [chatAppId] : await userChatAppsOfMonth(p.userId, monthOf(nowMs));
  const items: ChatAppBudgetView[] = [];
  for (const id of ids) {
    const app = chatAppId ? await usableChatApp(p, id) : await usableChatApp(p, id).catch(unusable);
    if (!app) continue;
    const entityId = entityOf(app, await p.customData());
    const state = await readBudgetState({ chatAppId: id, userId: p.userId, nowMs, entityId });
    const limits = budgetLines(app, state, nowMs);
    items.push({
      chatAppId: id,
      ...(entityId !== undefined ? { entityId } : {}),
      daily: { used: state.used.user.daily, resetsAt: resetsAt('daily', nowMs) },
      monthly: { used: state.used.user.monthly, resetsAt: resetsAt('monthly', nowMs) },
      limits,
      exceeded: limits.some(isExceeded),
    });
  }
  return { items };
}

/** A chat app the caller may not use (any more) or that is gone: left out of a listing; other failures stand. */
function unusable(err: unknown): undefined {
  if (err instanceof DomainError && (err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND')) return undefined;
  throw err;
}
