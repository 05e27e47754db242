/**
 * Backfill of a session's search summaries (search-summaries.ts) from its own partition, for sessions written
 * before the summaries existed or carrying the former per-feedback map: the feedback counts are recomputed
 * from the feedback items (exact, whatever the summary said) and written whole, on condition that the
 * summary is still the one read before the items were (a feedback write in between changes it: read again).
 * The insights summary is set if_not_exists (a later insights write is newer). Offline use only
 * (scripts/backfill-search-summaries.ts); not a request path.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SessionInsights } from 'pika-shared/types/chatbot/chatbot-types';
import { ddb, tableName } from '../../functions/data/client';
import { updateExpression } from '../../functions/data/expressions';
import type { Feedback } from '../../functions/data/feedback';
import type { RawItem } from '../../functions/data/items';
import { FEEDBACK_PREFIX, keys } from '../../functions/data/keys';
import {
  FEEDBACK_SUMMARY_ATTRIBUTE,
  FEEDBACK_SUMMARY_VERSION,
  FEEDBACK_SUMMARY_VERSION_KEY,
  feedbackCodes,
  INSIGHTS_SUMMARY_ATTRIBUTE,
  insightsSummaryOf,
  isLegacyFeedbackMap,
} from '../../functions/data/search-summaries';

const isConditionFailure = (err: unknown) => (err as { name?: string })?.name === 'ConditionalCheckFailedException';

/** Returns how many feedback items were counted and whether insights exist; false when the session does not exist. */
export async function backfillSessionSummaries(sessionId: string): Promise<{ feedback: number; insights: boolean } | false> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const session = (await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.session(sessionId), ConsistentRead: true }))).Item as
      | RawItem
      | undefined;
    if (!session) return false;
    const before = session[FEEDBACK_SUMMARY_ATTRIBUTE];
    const counts: Record<string, number> = {};
    let feedback = 0;
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
        if (typeof item.sk === 'string' && item.sk.startsWith(FEEDBACK_PREFIX)) {
          for (const code of feedbackCodes(item as unknown as Feedback)) counts[code] = (counts[code] ?? 0) + 1;
          feedback++;
        }
        if (item.sk === 'INSIGHTS') insights = item.insights as SessionInsights;
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);

    // Unchanged since read: absent; the former map (no longer written by the API) by its size; the bounded one whole.
    const names = { '#fbs': FEEDBACK_SUMMARY_ATTRIBUTE, '#v': FEEDBACK_SUMMARY_VERSION_KEY };
    const [condition, values]: [string, Record<string, unknown>] =
      before === undefined
        ? ['attribute_not_exists(#fbs)', {}]
        : isLegacyFeedbackMap(before)
          ? ['size(#fbs) = :n AND attribute_not_exists(#fbs.#v)', { ':n': Object.keys(before).length }]
          : ['#fbs = :before', { ':before': before }];
    try {
      await ddb().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.session(sessionId),
          ...updateExpression(
            {
              set: { [FEEDBACK_SUMMARY_ATTRIBUTE]: { ...counts, [FEEDBACK_SUMMARY_VERSION_KEY]: FEEDBACK_SUMMARY_VERSION } },
              ...(insights ? { setIfNotExists: { [INSIGHTS_SUMMARY_ATTRIBUTE]: insightsSummaryOf(insights) } } : {}),
            },
            { names: condition.includes('#v') ? names : { '#fbs': names['#fbs'] }, values },
          ),
          ConditionExpression: `attribute_exists(pk) AND ${condition}`,
        }),
      );
      return { feedback, insights: insights !== undefined };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
  throw new Error(`session ${sessionId}: its feedback kept changing during the backfill; run it again`);
}
