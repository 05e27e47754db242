/**
 * The session item stays small whatever is done with the session (docs/data-model.md#item-sizes): its feedback
 * summary is bounded, customData is bounded where it is accepted, and a feedback's internal comments are capped.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { CUSTOM_DATA_MAX_BYTES, createSessionRequestSchema, putUserRequestSchema } from 'pika-shared/schemas';
import { SESSION_FEEDBACK_SEVERITIES, SESSION_FEEDBACK_STATUSES, SESSION_FEEDBACK_TYPES } from 'pika-shared/types/chatbot/chatbot-types';
import { describe, expect, it } from 'vitest';
import { ddb, tableName } from '../../functions/data/client';
import { addInternalComment, createFeedback, getFeedback, MAX_INTERNAL_COMMENTS, updateFeedback } from '../../functions/data/feedback';
import { putInsights } from '../../functions/data/insights';
import { keys } from '../../functions/data/keys';
import { FEEDBACK_SUMMARY_MAX_ENTRIES } from '../../functions/data/search-summaries';
import { appendMessage } from '../../functions/data/messages';
import { searchSessions } from '../../functions/data/session-search';
import { createSession, getSession } from '../../functions/data/sessions';
import { httpErrorOf } from '../../functions/http/errors';
import { itemSize } from '../support/item-size';
import { useOwnDynamoDbLocal } from '../support/own-dynamodb';
import { sampleInsights } from './fixtures';
import { newSession, uid } from './helpers';

const SESSION_ITEM_MAX_BYTES = 4096;
const rawSession = async (sessionId: string) =>
  (await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.session(sessionId), ConsistentRead: true }))).Item!;

/** `n` calls of `make(i)`, `width` at a time. */
async function inChunks(n: number, width: number, make: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i += width) await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, j) => make(i + j)));
}

/**
 * A DynamoDB Local of this file's own (test/support/own-dynamodb.ts): 10 000 feedback in status `new` would swell
 * the shared table's feedback-by-status index, which other files list across users, and their 20 000 stream
 * records would slow the tables created after them.
 */
useOwnDynamoDbLocal(uid('pika-test-bounded'));

describe('bounded session item', () => {
  it('10 000 feedback reports on one session: the session item stays under 4 KB, turns still write, search still finds it', async () => {
    const s = await newSession({ title: 'A busy session' });
    await inChunks(10_000, 25, (i) =>
      createFeedback({
        sessionId: s.sessionId,
        userId: i % 3 ? s.userId : 'an-admin',
        type: SESSION_FEEDBACK_TYPES[i % SESSION_FEEDBACK_TYPES.length]!,
        severity: SESSION_FEEDBACK_SEVERITIES[Math.floor(i / 5) % SESSION_FEEDBACK_SEVERITIES.length]!,
        title: `report ${i}`,
        description: 'The answer was wrong in a way worth a paragraph of explanation.',
        reportedByHuman: true,
        createdByCustomer: i % 3 !== 0,
      }),
    );
    const raw = await rawSession(s.sessionId);
    expect(itemSize(raw)).toBeLessThanOrEqual(SESSION_ITEM_MAX_BYTES);
    // Each feedback counted once among the value combinations and once among the flag combinations.
    const counts = Object.entries(raw.feedbackSummary as Record<string, number>).filter(([k]) => k !== 'v');
    expect(counts.filter(([k]) => !k.startsWith('f')).reduce((n, [, c]) => n + c, 0)).toBe(10_000);
    expect(counts.filter(([k]) => k.startsWith('f')).reduce((n, [, c]) => n + c, 0)).toBe(10_000);

    // A converse-style turn still writes the session: message + session update (usage, activity) in one transaction.
    const usage = { inputTokens: 10, outputTokens: 20, inputCost: 0.00001, outputCost: 0.00002, totalCost: 0.00003 };
    const answer = await appendMessage({ userId: s.userId, sessionId: s.sessionId, role: 'assistant', content: 'still answering', usage });
    expect(await getSession(s.sessionId)).toMatchObject({ lastUpdate: answer.createDate, inputTokens: 10, totalCost: 0.00003 });

    // Search by feedback still finds it, from the index (counts) and where the feedback items are checked.
    const find = (p: Partial<Parameters<typeof searchSessions>[0]>) =>
      searchSessions({ userId: s.userId, sortBy: [{ field: 'lastUpdate', order: 'desc' }], caller: 'searcher', ...p }).then((r) =>
        r.items.map((x) => x.sessionId),
      );
    expect(await find({ feedback: { status: ['new'], severity: ['critical'], type: ['technical_error'] } })).toEqual([s.sessionId]);
    expect(await find({ feedback: { status: ['resolved'] } })).toEqual([]);
    expect(await find({ feedback: { createdByCustomer: false, userId: 'an-admin' } })).toEqual([s.sessionId]);
    expect(await find({ date: { on: 'feedback', from: s.createDate }, feedback: { severity: ['low'] } })).toEqual([s.sessionId]);
    // A feedback by a creator it never had is checked on the items: all 10 000 of them are more than the read budget.
    await expect(find({ feedback: { userId: 'nobody' } })).rejects.toMatchObject({ code: 'SEARCH_TOO_BROAD' });
  }, 600_000);

  it('the largest possible session item (longest ids, title and customData, every feedback combination, insights) is under 4 KB', async () => {
    const userId = `u${'x'.repeat(120)}${uid('').slice(-7)}`;
    const chatAppId = `a${'y'.repeat(120)}${uid('').slice(-7)}`;
    const customData = { k: 'é'.repeat((CUSTOM_DATA_MAX_BYTES - 10) / 2) }; // 2-byte characters, the JSON just under the bound
    expect(createSessionRequestSchema.safeParse({ chatAppId: 'a', customData }).success).toBe(true);
    const s = await createSession({ userId, chatAppId, agentId: 'b'.repeat(128), title: '\u20ac'.repeat(200), customData });
    // Every combination of status × severity × type and of the two flags (at most 85 summary entries).
    const combos = SESSION_FEEDBACK_TYPES.flatMap((type) =>
      SESSION_FEEDBACK_SEVERITIES.flatMap((severity) =>
        [0, 1, 2, 3].map((flags) => ({ type, severity, reportedByHuman: flags >= 2, createdByCustomer: flags % 2 === 1 })),
      ),
    );
    await inChunks(combos.length * SESSION_FEEDBACK_STATUSES.length, 10, async (i) => {
      const f = await createFeedback({ sessionId: s.sessionId, userId, title: 't', description: 'd', ...combos[i % combos.length]! });
      const status = SESSION_FEEDBACK_STATUSES[Math.floor(i / combos.length)]!;
      if (status !== 'new') await updateFeedback(s.sessionId, f.feedbackId, { status });
    });
    await putInsights(s.sessionId, sampleInsights());
    await appendMessage({
      userId,
      sessionId: s.sessionId,
      role: 'assistant',
      content: 'a',
      usage: { inputTokens: 123456789, outputTokens: 123456789, inputCost: 1234.567891, outputCost: 1234.567891, totalCost: 2469.135782 },
    });
    const raw = await rawSession(s.sessionId);
    expect(Object.keys(raw.feedbackSummary as object)).toHaveLength(FEEDBACK_SUMMARY_MAX_ENTRIES);
    expect(itemSize(raw)).toBeLessThanOrEqual(SESSION_ITEM_MAX_BYTES);
  }, 300_000);

  it('refuses customData over its bound where it is accepted (a session, a user), with a 400 naming it', () => {
    const big = { k: 'x'.repeat(CUSTOM_DATA_MAX_BYTES) };
    const session = createSessionRequestSchema.safeParse({ chatAppId: 'a', customData: big });
    expect(session.success).toBe(false);
    expect(session.error!.issues.map((i) => i.path.join('.'))).toEqual(['customData']);
    expect(putUserRequestSchema.safeParse({ customData: big }).success).toBe(false);
    expect(putUserRequestSchema.safeParse({ customData: { k: 'x'.repeat(CUSTOM_DATA_MAX_BYTES - 20) } }).success).toBe(true);
  });

  it(`caps internal comments at ${MAX_INTERNAL_COMMENTS} per feedback atomically: racing comments past the cap get 409 CONFLICT`, async () => {
    const s = await newSession();
    const f = await createFeedback({
      sessionId: s.sessionId,
      userId: s.userId,
      type: 'other',
      severity: 'low',
      title: 't',
      description: 'd',
      reportedByHuman: true,
      createdByCustomer: true,
    });
    const comment = (i: number) => ({ commentId: `c${i}`, comment: `comment ${i}`, createdBy: 'admin', createDate: new Date().toISOString() });
    await inChunks(MAX_INTERNAL_COMMENTS - 5, 5, (i) => addInternalComment(s.sessionId, f.feedbackId, comment(i)));
    // 20 racing for the last 5 places: exactly 5 win.
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => addInternalComment(s.sessionId, f.feedbackId, comment(100 + i))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    expect(refused).toHaveLength(15);
    for (const err of refused) {
      expect(err).toMatchObject({ code: 'CONFLICT', details: { maxInternalComments: MAX_INTERNAL_COMMENTS } });
      expect(httpErrorOf(err).status).toBe(409);
    }
    expect((await getFeedback(s.sessionId, f.feedbackId))!.internalComments).toHaveLength(MAX_INTERNAL_COMMENTS);
    await expect(addInternalComment(s.sessionId, 'no-such-feedback', comment(0))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
