/**
 * A small, hand-checkable data set for session search (test/data/session-search.test.ts and
 * test/api/session-search.test.ts): users U and V, chat apps A and B, sessions s1..s7 with fixed dates,
 * usage, titles and customData; insights and feedback written through the real repositories (so their
 * summaries land on the session items the way production writes them).
 *
 * | id | app | user | createDate | lastUpdate | in  | out | cost | title            | customData (accountId, context)  | flag | goal score        |
 * | s1 | A   | U    | 01-01T10   | 01-05T10   | 100 | 200 | 0.5  | Order status     | acct-1, order-inquiry            |      | 80 partially      |
 * | s2 | A   | U    | 01-02T10   | 01-02T12   | 300 | 100 | 0.2  | Billing question | acct-1, billing                  | yes  | 30 not_achieved   |
 * | s3 | A   | U    | 01-03T10   | 01-10T10   | 100 |  50 | 0.5  | ORDER refund     | acct-2, order-inquiry            |      | 80 fully          |
 * | s4 | B   | U    | 01-04T10   | 01-04T11   |   0 |   0 | 0    | (none)           | acct-1, order-inquiry            |      |                   |
 * | s5 | A   | V    | 01-05T10   | 01-06T10   |  50 |  50 | 0.1  | order again      | acct-1, order-inquiry, tier gold |      | 95 fully          |
 * | s6 | A   | U    | 02-01T10   | 02-01T10:30| 200 | 200 | 0.3  | Late             | acct-1, order-inquiry            | yes  |                   |
 * | s7 | A   | U    | 01-20T10   | 01-21T10   |  10 |  10 | 0.05 | Follow-up        | acct-1, order-inquiry, extra x   |      |                   |
 * (all dates 2024). Feedback (created now): s2 incorrect_response/high by the customer, then in_progress;
 * s3 other/low, status new, not reported by a human, not by the customer; s5 technical_error/critical, new.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SessionInsights } from 'pika-shared/types/chatbot/chatbot-types';
import { ddb, tableName } from '../../functions/data/client';
import { createFeedback, updateFeedback } from '../../functions/data/feedback';
import { putInsights } from '../../functions/data/insights';
import { keys } from '../../functions/data/keys';
import { updateSession } from '../../functions/data/sessions';
import { sampleInsights } from './fixtures';
import { uid } from './helpers';

export interface SearchSeed {
  U: string;
  V: string;
  A: string;
  B: string;
  /** s[1]..s[7]: session ids, in sessionId order. */
  s: string[];
  /** Just before and after the feedback was written. */
  feedbackFrom: string;
  feedbackTo: string;
}

const insights = (
  score: number,
  status: SessionInsights['goalAchievement']['status'],
  sentiment: SessionInsights['userSatisfaction']['sentiment'],
): SessionInsights => {
  const i = sampleInsights(`score ${score}`);
  return { ...i, goalAchievement: { ...i.goalAchievement, score, status }, userSatisfaction: { ...i.userSatisfaction, sentiment } };
};

export async function seedSearchData(): Promise<SearchSeed> {
  const p = uid('srch');
  const U = `${p}-u`;
  const V = `${p}-v`;
  const A = `${p}-app-a`;
  const B = `${p}-app-b`;
  const s = ['', ...[1, 2, 3, 4, 5, 6, 7].map((n) => `${p}-s${n}`)];
  const rows: [number, string, string, string, string, number, number, number, string | undefined, Record<string, unknown>][] = [
    [1, A, U, '2024-01-01T10:00:00.000Z', '2024-01-05T10:00:00.000Z', 100, 200, 0.5, 'Order status', { accountId: 'acct-1', context: 'order-inquiry' }],
    [2, A, U, '2024-01-02T10:00:00.000Z', '2024-01-02T12:00:00.000Z', 300, 100, 0.2, 'Billing question', { accountId: 'acct-1', context: 'billing' }],
    [3, A, U, '2024-01-03T10:00:00.000Z', '2024-01-10T10:00:00.000Z', 100, 50, 0.5, 'ORDER refund', { accountId: 'acct-2', context: 'order-inquiry' }],
    [4, B, U, '2024-01-04T10:00:00.000Z', '2024-01-04T11:00:00.000Z', 0, 0, 0, undefined, { accountId: 'acct-1', context: 'order-inquiry' }],
    [
      5,
      A,
      V,
      '2024-01-05T10:00:00.000Z',
      '2024-01-06T10:00:00.000Z',
      50,
      50,
      0.1,
      'order again',
      { accountId: 'acct-1', context: 'order-inquiry', tier: 'gold' },
    ],
    [6, A, U, '2024-02-01T10:00:00.000Z', '2024-02-01T10:30:00.000Z', 200, 200, 0.3, 'Late', { accountId: 'acct-1', context: 'order-inquiry' }],
    [7, A, U, '2024-01-20T10:00:00.000Z', '2024-01-21T10:00:00.000Z', 10, 10, 0.05, 'Follow-up', { accountId: 'acct-1', context: 'order-inquiry', extra: 'x' }],
  ];
  for (const [n, chatAppId, userId, createDate, lastUpdate, inputTokens, outputTokens, totalCost, title, customData] of rows) {
    const sessionId = s[n]!;
    await ddb().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.session(sessionId),
          ...keys.sessionIndexes({ userId, sessionId, chatAppId, createDate, lastUpdate }),
          userId,
          sessionId,
          chatAppId,
          agentId: 'agent-1',
          ...(title ? { title } : {}),
          customData,
          createDate,
          lastUpdate,
          inputTokens,
          outputTokens,
          totalCost,
        },
      }),
    );
  }
  await updateSession(s[2]!, { flaggedForHumanReview: true });
  await updateSession(s[6]!, { flaggedForHumanReview: true });
  await updateSession(s[1]!, { flaggedForHumanReview: false });
  await putInsights(s[1]!, insights(80, 'partially_achieved', 'positive'));
  await putInsights(s[2]!, insights(30, 'not_achieved', 'negative'));
  await putInsights(s[3]!, insights(80, 'fully_achieved', 'neutral'));
  await putInsights(s[5]!, insights(95, 'fully_achieved', 'positive'));

  const feedbackFrom = new Date(Date.now() - 1000).toISOString();
  const common = { title: 't', description: 'd' };
  const f2 = await createFeedback({
    ...common,
    sessionId: s[2]!,
    userId: U,
    type: 'incorrect_response',
    severity: 'high',
    reportedByHuman: true,
    createdByCustomer: true,
  });
  await updateFeedback(s[2]!, f2.feedbackId, { status: 'in_progress' });
  await createFeedback({ ...common, sessionId: s[3]!, userId: U, type: 'other', severity: 'low', reportedByHuman: false, createdByCustomer: false });
  await createFeedback({
    ...common,
    sessionId: s[5]!,
    userId: V,
    type: 'technical_error',
    severity: 'critical',
    reportedByHuman: true,
    createdByCustomer: false,
  });
  const feedbackTo = new Date(Date.now() + 1000).toISOString();
  return { U, V, A, B, s, feedbackFrom, feedbackTo };
}
