/**
 * When a session's insights become due: each answer marks the session (TURN_ATTRIBUTES.insightsActivity, in the
 * update it writes anyway); the pending status and its due entry are written once per idle period, not per
 * answer, and the worker re-schedules a newer activity (docs/data-model.md#generated-insights, "Once per idle period").
 */
import type { ChatAppConfig } from 'pika-shared/types/chatbot/chatbot-types';
import { keys } from '../data/keys';
import { pendingStatusItem } from '../data/insights-status';
import { retentionDaysOf } from '../data/ttl';
import { tableName } from '../data/client';
import { nowIso, TURN_ATTRIBUTES } from '../data/items';
import type { MessageAt } from '../data/messages';
import type { SessionExtras } from '../data/session-update';
import type { TransactItems } from '../data/transact';
import { config } from '../platform/config';

export const DEFAULT_IDLE_MINUTES = 30;

/** Seconds a session of `app` must be idle before its insights are due (INSIGHTS_IDLE_SECONDS overrides every app). */
export function idleSecondsOf(app: ChatAppConfig): number {
  return config().INSIGHTS_IDLE_SECONDS ?? (app.insightsIdleMinutes ?? DEFAULT_IDLE_MINUTES) * 60;
}

/** For an answer's session update: the session's activity awaiting insights is this answer's. */
export function insightsActivityExtras(app: ChatAppConfig, at: MessageAt): SessionExtras | undefined {
  return app.insightsModel ? { set: { [TURN_ATTRIBUTES.insightsActivity]: at.messageId } } : undefined;
}

/**
 * For an answer's transaction (run.ts persist): the pending status Put when the session's insights are not
 * known to be pending, else a check that they still are. Nothing for chat apps without an insights model.
 */
export function insightsDueWrites(
  app: ChatAppConfig,
  session: { sessionId: string; userId: string; chatAppId: string },
  at: MessageAt,
  knownPending: boolean,
): TransactItems {
  if (!app.insightsModel) return [];
  if (knownPending && !at.conflicted)
    return [
      {
        ConditionCheck: {
          TableName: tableName(),
          Key: keys.insightsStatus(session.sessionId),
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending' },
        },
      },
    ];
  const idleMs = idleSecondsOf(app) * 1000;
  return [
    { Put: { TableName: tableName(), Item: pendingStatusItem(session, at.createDate, nowIso(at.createMs + idleMs), at.createMs, retentionDaysOf(app)) } },
  ];
}
