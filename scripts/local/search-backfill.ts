/**
 * Backfill of a session's search summaries (search-summaries.ts) from its own partition, for sessions
 * written before the summaries existed. Never overwrites: an entry already there (written by a later
 * feedback or insights write, in its own transaction) is newer than what the backfill read, so every entry
 * is set with if_not_exists. Offline use only (scripts/backfill-search-summaries.ts); not a request path.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SessionInsights } from 'pika-shared/types/chatbot/chatbot-types';
import { ddb, tableName } from '../../functions/data/client';
import { type UpdateSpec, updateExpression } from '../../functions/data/expressions';
import type { Feedback } from '../../functions/data/feedback';
import type { RawItem } from '../../functions/data/items';
import { FEEDBACK_PREFIX, keys } from '../../functions/data/keys';
import { FEEDBACK_SUMMARY_ATTRIBUTE, feedbackSummaryOf, INSIGHTS_SUMMARY_ATTRIBUTE, insightsSummaryOf } from '../../functions/data/search-summaries';

const isConditionFailure = (err: unknown) => (err as { name?: string })?.name === 'ConditionalCheckFailedException';

/** Returns how many feedback entries and insights were examined; false when the session does not exist. */
export async function backfillSessionSummaries(sessionId: string): Promise<{ feedback: number; insights: boolean } | false> {
  const feedback: Feedback[] = [];
  let insights: SessionInsights | undefined;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await ddb().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.sessionPartition(sessionId) },
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of (out.Items ?? []) as RawItem[]) {
      if (typeof item.sk === 'string' && item.sk.startsWith(FEEDBACK_PREFIX)) feedback.push(item as unknown as Feedback);
      if (item.sk === 'INSIGHTS') insights = item.insights as SessionInsights;
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey);

  const update = async (spec: UpdateSpec) => {
    try {
      await ddb().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.session(sessionId),
          ...updateExpression(spec),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  };
  // The map first (a nested SET needs its parent), then the entries in batches (expression size limits).
  if (!(await update({ setIfNotExists: { [FEEDBACK_SUMMARY_ATTRIBUTE]: {} } }))) return false;
  for (let i = 0; i < feedback.length; i += 50) {
    const batch = feedback.slice(i, i + 50);
    const entries = Object.fromEntries(batch.map((f) => [f.feedbackId, feedbackSummaryOf(f)]));
    if (!(await update({ setInIfNotExists: { [FEEDBACK_SUMMARY_ATTRIBUTE]: entries } }))) return false;
  }
  if (insights && !(await update({ setIfNotExists: { [INSIGHTS_SUMMARY_ATTRIBUTE]: insightsSummaryOf(insights) } }))) return false;
  return { feedback: feedback.length, insights: insights !== undefined };
}
