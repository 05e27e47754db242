/** Insights of a session: SESSION#s / INSIGHTS, written only while the session exists. */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { SessionInsights } from 'pika-shared/types/chatbot/chatbot-types';
import { notFound } from './errors';
import { ddb, tableName } from './client';
import { entity, nowIso } from './items';
import { keys } from './keys';
import { conditionFailedAt, withRetry } from './retry';
import { INSIGHTS_SUMMARY_ATTRIBUTE, insightsSummaryOf } from './search-summaries';
import { type Settle, sessionUpdateSettling, throwIfNewerActivity } from './insights-status';
import { ttlAttribute } from './ttl';

/** SESSION#s / INSIGHTS. */
const INSIGHTS = entity<{ sessionId: string; insights: SessionInsights; lastUpdate: string }>();

export async function getInsights(sessionId: string): Promise<SessionInsights | undefined> {
  const out = await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.insights(sessionId), ConsistentRead: true }));
  return out.Item && INSIGHTS.item(out.Item).insights;
}

/**
 * Replaces the session's insights and, in the same transaction, the session's insights summary (search,
 * search-summaries.ts); the session update's condition makes sure the session exists. `also`: more
 * TransactItems written with them (a failed condition there cancels the whole write). `settle`: the
 * generator settles the activity it read (insights-status.ts: NewerActivity when a newer answer came).
 */
export async function putInsights(
  sessionId: string,
  insights: SessionInsights,
  also: readonly Record<string, unknown>[] = [],
  settle?: Settle,
  /** The chat app's retention (ttl.retentionDaysOf); undefined: the stage's default. */
  retentionDays?: number,
): Promise<SessionInsights> {
  await withRetry(async () => {
    try {
      return await ddb().send(
        new TransactWriteCommand({
          TransactItems: [
            // The session's search summary moves with the insights, in the same transaction.
            {
              Update: sessionUpdateSettling(sessionId, settle, { [INSIGHTS_SUMMARY_ATTRIBUTE]: insightsSummaryOf(insights) }),
            },
            {
              Put: {
                TableName: tableName(),
                Item: { ...keys.insights(sessionId), sessionId, insights, lastUpdate: nowIso(), ...ttlAttribute(Date.now(), retentionDays) },
              },
            },
            // More writes of the same transaction (the generator's status update, insights-status.ts).
            ...(also as never[]),
          ],
        }),
      );
    } catch (err) {
      if (settle) throwIfNewerActivity(err, 0);
      if (conditionFailedAt(err, 0)) throw notFound('Session');
      throw err;
    }
  });
  return insights;
}
