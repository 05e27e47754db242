/** When a session's insights become due: written with each answer of a chat app that generates insights. */
import type { ChatAppConfig } from 'pika-shared/types/chatbot/chatbot-types';
import { pendingStatusItem } from '../data/insights-status';
import { tableName } from '../data/client';
import { nowIso } from '../data/items';
import type { TransactItems } from '../data/transact';
import { config } from '../lib/config';

export const DEFAULT_IDLE_MINUTES = 30;

/** Seconds a session of `app` must be idle before its insights are due (INSIGHTS_IDLE_SECONDS overrides every app). */
export function idleSecondsOf(app: ChatAppConfig): number {
  return config().INSIGHTS_IDLE_SECONDS ?? (app.insightsIdleMinutes ?? DEFAULT_IDLE_MINUTES) * 60;
}

/**
 * For a turn's answer (run.ts persist): the pending status Put in the answer's transaction, due when the
 * session has been idle long enough. Nothing for chat apps without an insights model.
 */
export function insightsDueWrites(
  app: ChatAppConfig,
  session: { sessionId: string; userId: string; chatAppId: string },
  at: { createDate: string; createMs: number },
): TransactItems {
  if (!app.insightsModel) return [];
  const idleMs = idleSecondsOf(app) * 1000;
  return [{ Put: { TableName: tableName(), Item: pendingStatusItem(session, at.createDate, nowIso(at.createMs + idleMs), at.createMs) } }];
}
