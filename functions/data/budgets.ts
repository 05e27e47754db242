/**
 * Budget overrides (BUDGET#A#a / U#u | E#e): per-user and per-entity limits of a chat app set by site-admins,
 * and the converse check's one read: the overrides and the used amounts of the current day and month in ONE
 * strongly consistent BatchGetItem (at most 10 items; a user's items of before 0.2 are read and added too).
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { BudgetLimits } from 'pika-shared/types/chatbot/chatbot-types';
import { batchGetEach } from './batch';
import { ddb, tableName } from './client';
import { notFound } from './errors';
import { entity, nowIso } from './items';
import { keys } from './keys';
import { addTotals, dayBucket, dayOf, monthBucket, monthOf, totalsOf, type UsageTotals } from './usage-aggregates';

export type OverrideLevel = 'user' | 'entity';

export interface BudgetOverride extends BudgetLimits {
  chatAppId: string;
  level: OverrideLevel;
  /** The userId or entity value. */
  id: string;
  lastUpdate?: string;
}
/** The override of one user or entity in a chat app (keys.budgetOverride). */
const OVERRIDE = entity<BudgetOverride>();

const limitsOf = (o: BudgetOverride | undefined): BudgetLimits | undefined =>
  o ? { ...(o.daily ? { daily: o.daily } : {}), ...(o.monthly ? { monthly: o.monthly } : {}) } : undefined;

export async function putBudgetOverride(chatAppId: string, level: OverrideLevel, id: string, limits: BudgetLimits): Promise<BudgetOverride> {
  const record: BudgetOverride = { chatAppId, level, id, ...limitsOf({ chatAppId, level, id, ...limits }), lastUpdate: nowIso() };
  await ddb().send(new PutCommand({ TableName: tableName(), Item: { ...record, ...keys.budgetOverride(chatAppId, level, id) } }));
  return record;
}

export async function getBudgetOverride(chatAppId: string, level: OverrideLevel, id: string): Promise<BudgetOverride | undefined> {
  const out = await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.budgetOverride(chatAppId, level, id), ConsistentRead: true }));
  return OVERRIDE.recordOrUndefined(out.Item);
}

/** Deletes an override; NOT_FOUND when there was none. */
export async function deleteBudgetOverride(chatAppId: string, level: OverrideLevel, id: string): Promise<void> {
  const out = await ddb().send(new DeleteCommand({ TableName: tableName(), Key: keys.budgetOverride(chatAppId, level, id), ReturnValues: 'ALL_OLD' }));
  if (!out.Attributes) throw notFound('Budget override');
}

export interface UsedWindows {
  daily: UsageTotals;
  monthly: UsageTotals;
}

/** What a budget check needs, read at once. */
export interface BudgetState {
  overrides: { user?: BudgetLimits; entity?: BudgetLimits };
  used: { user: UsedWindows; entity?: UsedWindows; chatApp: UsedWindows };
}

export async function readBudgetState(input: { chatAppId: string; userId: string; entityId?: string; nowMs: number }): Promise<BudgetState> {
  const { chatAppId, userId, entityId } = input;
  const day = dayOf(input.nowMs);
  const month = monthOf(input.nowMs);
  const wanted = {
    userOverride: keys.budgetOverride(chatAppId, 'user', userId),
    userDay: keys.usageUserDay(userId, chatAppId, day),
    userMonth: keys.usageUserMonth(userId, month, chatAppId),
    legacyUserDay: keys.legacyUsageUser(userId, chatAppId, dayBucket(day)),
    legacyUserMonth: keys.legacyUsageUser(userId, chatAppId, monthBucket(month)),
    appDay: keys.usageChatApp(chatAppId, dayBucket(day)),
    appMonth: keys.usageChatApp(chatAppId, monthBucket(month)),
    ...(entityId !== undefined
      ? {
          entityOverride: keys.budgetOverride(chatAppId, 'entity', entityId),
          entityDay: keys.usageDimension(chatAppId, dayBucket(day), 'E', entityId),
          entityMonth: keys.usageDimension(chatAppId, monthBucket(month), 'E', entityId),
        }
      : {}),
  };
  const keysWanted = Object.values(wanted);
  const items = await batchGetEach(keysWanted, { consistent: true });
  const item = (k: { pk: string; sk: string } | undefined) => (k ? items[keysWanted.indexOf(k)] : undefined);
  const window = (d: { pk: string; sk: string } | undefined, m: { pk: string; sk: string } | undefined): UsedWindows => ({
    daily: totalsOf(item(d)),
    monthly: totalsOf(item(m)),
  });
  const userOverride = limitsOf(OVERRIDE.recordOrUndefined(item(wanted.userOverride)));
  const entityOverride = limitsOf(OVERRIDE.recordOrUndefined(item(wanted.entityOverride)));
  return {
    overrides: { ...(userOverride ? { user: userOverride } : {}), ...(entityOverride ? { entity: entityOverride } : {}) },
    used: {
      user: {
        daily: addTotals(totalsOf(item(wanted.userDay)), totalsOf(item(wanted.legacyUserDay))),
        monthly: addTotals(totalsOf(item(wanted.userMonth)), totalsOf(item(wanted.legacyUserMonth))),
      },
      ...(entityId !== undefined ? { entity: window(wanted.entityDay, wanted.entityMonth) } : {}),
      chatApp: window(wanted.appDay, wanted.appMonth),
    },
  };
}
