import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SessionSearchSortField } from 'pika-shared/types/chatbot/chatbot-types';
import { beforeAll, describe, expect, it } from 'vitest';
import { ddb, tableName } from '../../functions/data/client';
import { createFeedback, updateFeedback } from '../../functions/data/feedback';
import { putInsights } from '../../functions/data/insights';
import { keys } from '../../functions/data/keys';
import { backfillSessionSummaries } from '../../scripts/local/search-backfill';
import { type FeedbackCombination, feedbackCodes } from '../../functions/data/search-summaries';

/** The bounded summary expected of these feedback (each as its values and flags at its current state; count 0 kept). */
function summaryOf(...feedback: [FeedbackCombination, number][]): Record<string, number> {
  const out: Record<string, number> = { v: 2 };
  for (const [f, n] of feedback) for (const code of feedbackCodes(f)) out[code] = (out[code] ?? 0) + n;
  return out;
}
import { searchSessions, type SessionSearchPlan } from '../../functions/data/session-search';
import { getSession } from '../../functions/data/sessions';
import { sampleInsights } from './fixtures';
import { drain, newSession } from './helpers';
import { seedSearchData, type SearchSeed } from './search-seed';

let d: SearchSeed;
beforeAll(async () => {
  d = await seedSearchData();
});

type Plan = Omit<SessionSearchPlan, 'caller' | 'sortBy'> & { sortBy?: SessionSearchPlan['sortBy'] };
const label = (id: string) => `s${d.s.indexOf(id)}`;
const plan = (p: Plan): SessionSearchPlan => ({ sortBy: [{ field: 'sessionId', order: 'asc' }], caller: 'searcher', ...p });

/** Every page of a search (size `size`), as labels; also checks each page's total. */
async function all(p: Plan, size = 100): Promise<{ labels: string[]; pages: number; total: number }> {
  let total = -1;
  const { items, pages } = await drain(async (cursor) => {
    const page = await searchSessions(plan({ ...p, limit: size, ...(cursor ? { cursor } : {}) }));
    if (total !== -1) expect(page.total).toBe(total);
    total = page.total;
    return page;
  });
  return { labels: items.map((s) => label(s.sessionId)), pages: pages.length, total };
}
const labels = async (p: Plan, size?: number) => (await all(p, size)).labels;

describe('session search (DynamoDB Local)', () => {
  it('narrows by user, user + chat app, chat app alone, and session id', async () => {
    expect(await labels({ userId: d.U })).toEqual(['s1', 's2', 's3', 's4', 's6', 's7']);
    expect(await labels({ userId: d.U, chatAppId: d.B })).toEqual(['s4']);
    expect(await labels({ chatAppId: d.A })).toEqual(['s1', 's2', 's3', 's5', 's6', 's7']);
    expect(await labels({ userId: d.V })).toEqual(['s5']);
    expect(await labels({ sessionId: d.s[3]! })).toEqual(['s3']);
    expect(await labels({ sessionId: d.s[5]!, userId: d.U })).toEqual([]);
    expect(await labels({ sessionId: d.s[5]!, chatAppId: d.B })).toEqual([]);
  });

  it('sorts on every field, both orders, ties broken by the next field, across pages', async () => {
    const cases: [SessionSearchSortField, 'asc' | 'desc', SessionSearchPlan['sortBy'], string[]][] = [
      ['createDate', 'desc', [], ['s6', 's7', 's4', 's3', 's2', 's1']],
      ['createDate', 'asc', [], ['s1', 's2', 's3', 's4', 's7', 's6']],
      ['lastUpdate', 'desc', [], ['s6', 's7', 's3', 's1', 's4', 's2']],
      ['lastUpdate', 'asc', [], ['s2', 's4', 's1', 's3', 's7', 's6']],
      ['sessionId', 'asc', [], ['s1', 's2', 's3', 's4', 's6', 's7']],
      ['sessionId', 'desc', [], ['s7', 's6', 's4', 's3', 's2', 's1']],
      ['inputTokens', 'asc', [{ field: 'createDate', order: 'desc' }], ['s4', 's7', 's3', 's1', 's6', 's2']],
      ['inputTokens', 'desc', [{ field: 'createDate', order: 'desc' }], ['s2', 's6', 's3', 's1', 's7', 's4']],
      ['outputTokens', 'asc', [{ field: 'sessionId', order: 'asc' }], ['s4', 's7', 's3', 's2', 's1', 's6']],
      ['outputTokens', 'desc', [{ field: 'sessionId', order: 'asc' }], ['s1', 's6', 's2', 's3', 's7', 's4']],
      ['totalCost', 'asc', [{ field: 'lastUpdate', order: 'desc' }], ['s4', 's7', 's2', 's6', 's3', 's1']],
      ['totalCost', 'desc', [{ field: 'lastUpdate', order: 'desc' }], ['s3', 's1', 's6', 's2', 's7', 's4']],
      // Sessions without insights come last in either order, among themselves by the next field.
      ['insightGoalAchievementScore', 'desc', [{ field: 'createDate', order: 'asc' }], ['s1', 's3', 's2', 's4', 's7', 's6']],
      ['insightGoalAchievementScore', 'asc', [{ field: 'createDate', order: 'asc' }], ['s2', 's1', 's3', 's4', 's7', 's6']],
    ];
    for (const [field, order, then, expected] of cases) {
      const sortBy = [{ field, order }, ...then];
      const one = await all({ userId: d.U, sortBy }, 100);
      const paged = await all({ userId: d.U, sortBy }, 2);
      expect({ field, order, labels: one.labels }).toEqual({ field, order, labels: expected });
      expect({ field, order, labels: paged.labels, pages: paged.pages, total: paged.total }).toEqual({ field, order, labels: expected, pages: 3, total: 6 });
    }
    // One field only: a tie (s1, s6 both 200 output tokens) goes by sessionId in that field's order.
    expect(await labels({ userId: d.U, sortBy: [{ field: 'outputTokens', order: 'desc' }] })).toEqual(['s6', 's1', 's2', 's3', 's7', 's4']);
    expect(await labels({ userId: d.U, sortBy: [{ field: 'outputTokens', order: 'asc' }] })).toEqual(['s4', 's7', 's3', 's2', 's1', 's6']);
  });

  it('filters on customData (top-level keys, equality), title (case-insensitive), flag and dates', async () => {
    const cd = { accountId: 'acct-1', context: 'order-inquiry' };
    expect(await labels({ userId: d.U, customData: cd })).toEqual(['s1', 's4', 's6', 's7']);
    expect(await labels({ chatAppId: d.A, customData: cd })).toEqual(['s1', 's5', 's6', 's7']);
    expect(await labels({ chatAppId: d.A, customData: { tier: 'gold' } })).toEqual(['s5']);
    expect(await labels({ chatAppId: d.A, customData: { accountId: 'acct-1', context: 'billing' } })).toEqual(['s2']);
    expect(await labels({ userId: d.U, titlePartial: 'order' })).toEqual(['s1', 's3']);
    expect(await labels({ chatAppId: d.A, titlePartial: 'ORDER' })).toEqual(['s1', 's3', 's5']);
    expect(await labels({ userId: d.U, flagged: true })).toEqual(['s2', 's6']);
    expect(await labels({ userId: d.U, flagged: false })).toEqual(['s1', 's3', 's4', 's7']);
    // Inclusive bounds: s3's lastUpdate and s4's createDate are exactly on them.
    expect(await labels({ userId: d.U, date: { on: 'updated', from: '2024-01-04T00:00:00.000Z', to: '2024-01-10T10:00:00.000Z' } })).toEqual([
      's1',
      's3',
      's4',
    ]);
    expect(await labels({ userId: d.U, date: { on: 'created', from: '2024-01-02T00:00:00.000Z', to: '2024-01-04T10:00:00.000Z' } })).toEqual([
      's2',
      's3',
      's4',
    ]);
    expect(await labels({ userId: d.U, date: { on: 'created', from: '2024-01-20T00:00:00.000Z' } })).toEqual(['s6', 's7']);
    expect(await labels({ chatAppId: d.A, date: { on: 'updated', from: '2024-01-06T00:00:00.000Z', to: '2024-01-31T00:00:00.000Z' } })).toEqual([
      's3',
      's5',
      's7',
    ]);
    expect(await labels({ chatAppId: d.A, date: { on: 'created', from: '2024-01-03T00:00:00.000Z', to: '2024-01-31T00:00:00.000Z' } })).toEqual([
      's3',
      's5',
      's7',
    ]);
  });

  it('filters on insights and on feedback (one feedback must match every feedback filter)', async () => {
    expect(await labels({ userId: d.U, insights: { goalCompletionStatus: ['partially_achieved', 'fully_achieved'], minGoalAchievementScore: 50 } })).toEqual([
      's1',
      's3',
    ]);
    expect(await labels({ chatAppId: d.A, insights: { goalCompletionStatus: ['fully_achieved'] } })).toEqual(['s3', 's5']);
    expect(await labels({ chatAppId: d.A, insights: { sentiment: ['negative'] } })).toEqual(['s2']);
    expect(await labels({ chatAppId: d.A, insights: { maxGoalAchievementScore: 80, minGoalAchievementScore: 80 } })).toEqual(['s1', 's3']);
    expect(await labels({ chatAppId: d.A, insights: { complexity: ['complex'] } })).toEqual([]);
    expect(await labels({ chatAppId: d.A, insights: { satisfactionLevel: ['satisfied'] } })).toEqual(['s1', 's2', 's3', 's5']);

    expect(await labels({ chatAppId: d.A, feedback: { status: ['in_progress'] } })).toEqual(['s2']);
    expect(await labels({ chatAppId: d.A, feedback: { status: ['new'] } })).toEqual(['s3', 's5']);
    expect(await labels({ userId: d.U, feedback: { status: ['new'] } })).toEqual(['s3']);
    expect(await labels({ chatAppId: d.A, feedback: { severity: ['low', 'high'] } })).toEqual(['s2', 's3']);
    expect(await labels({ chatAppId: d.A, feedback: { type: ['technical_error'] } })).toEqual(['s5']);
    expect(await labels({ chatAppId: d.A, feedback: { reportedByHuman: false } })).toEqual(['s3']);
    expect(await labels({ chatAppId: d.A, feedback: { createdByCustomer: true } })).toEqual(['s2']);
    expect(await labels({ chatAppId: d.A, feedback: { userId: d.V } })).toEqual(['s5']);
    expect(await labels({ chatAppId: d.A, feedback: { status: ['new'], severity: ['high'] } })).toEqual([]);
    expect(await labels({ chatAppId: d.A, date: { on: 'feedback', from: d.feedbackFrom, to: d.feedbackTo } })).toEqual(['s2', 's3', 's5']);
    expect(await labels({ chatAppId: d.A, date: { on: 'feedback', from: '2024-01-01T00:00:00.000Z', to: '2024-12-31T00:00:00.000Z' } })).toEqual([]);
    expect(await labels({ userId: d.U, date: { on: 'feedback', from: d.feedbackFrom }, feedback: { severity: ['low'] } })).toEqual(['s3']);
  });

  it('without a session, user or chat app, narrows by feedback status or feedback date (feedback index)', async () => {
    // The table is shared with other tests: feedbackUserId (unique to this data set) keeps the answer ours.
    const window = { on: 'feedback' as const, from: d.feedbackFrom, to: d.feedbackTo };
    expect(await labels({ feedback: { status: ['new'], userId: d.U } })).toEqual(['s3']);
    expect(await labels({ feedback: { status: ['new', 'in_progress'], userId: d.U } })).toEqual(['s2', 's3']);
    expect(await labels({ date: window, feedback: { userId: d.U } })).toEqual(['s2', 's3']);
    expect(await labels({ date: window, feedback: { userId: d.V, severity: ['critical'] } })).toEqual(['s5']);
    // Same feedback must match status and severity: s2's high feedback is in_progress, not new.
    expect(await labels({ feedback: { status: ['new'], severity: ['high'], userId: d.U } })).toEqual([]);
    expect(await labels({ date: { on: 'feedback', from: '2024-01-01T00:00:00.000Z', to: '2024-01-02T00:00:00.000Z' } })).toEqual([]);
    // The feedback read is budgeted: at least 3 feedback (s2, s3, s5) are in the window.
    await expect(searchSessions(plan({ date: window, budget: 2 }))).rejects.toMatchObject({ code: 'SEARCH_TOO_BROAD' });
    // Other feedback filters alone do not narrow.
    await expect(searchSessions(plan({ feedback: { severity: ['low'] } }))).rejects.toMatchObject({ code: 'SEARCH_TOO_BROAD' });
  });

  it('keeps the summaries on the session item in step with insights and feedback, and never returns them', async () => {
    const s = await newSession({ title: 'x' });
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
    await updateFeedback(s.sessionId, f.feedbackId, { status: 'resolved', severity: 'medium' });
    await putInsights(s.sessionId, sampleInsights());
    const raw = (await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.session(s.sessionId), ConsistentRead: true }))).Item!;
    // Bounded: a count per combination of the filterable values (the one feedback moved from the first to the second).
    const was = { status: 'new', severity: 'low', type: 'other', reportedByHuman: true, createdByCustomer: true } as const;
    expect(raw.feedbackSummary).toEqual({
      v: 2,
      [feedbackCodes(was)[0]]: 0,
      [feedbackCodes(was)[1]]: 1,
      [feedbackCodes({ ...was, status: 'resolved', severity: 'medium' })[0]]: 1,
    });
    expect(raw.insightsSummary).toEqual({
      goalStatus: 'partially_achieved',
      goalScore: 80,
      satisfaction: 'satisfied',
      sentiment: 'positive',
      complexity: 'simple',
    });
    const read = await getSession(s.sessionId);
    expect(read).not.toHaveProperty('feedbackSummary');
    expect(read).not.toHaveProperty('insightsSummary');
    const found = await searchSessions(plan({ userId: s.userId, feedback: { status: ['resolved'], severity: ['medium'] } }));
    expect(found.items.map((x) => x.sessionId)).toEqual([s.sessionId]);
    expect(found.items[0]).not.toHaveProperty('feedbackSummary');
  });

  it('counts every feedback in the summary, also of sessions written before it existed and under concurrency', async () => {
    const fb = (sessionId: string, userId: string) =>
      createFeedback({ sessionId, userId, type: 'other', severity: 'low', title: 't', description: 'd', reportedByHuman: true, createdByCustomer: true });
    const one = { status: 'new', severity: 'low', type: 'other', reportedByHuman: true, createdByCustomer: true } as const;
    const summaryOn = async (sessionId: string) =>
      (await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.session(sessionId), ConsistentRead: true }))).Item!.feedbackSummary;
    const fresh = await newSession();
    expect(await summaryOn(fresh.sessionId)).toEqual({});
    await fb(fresh.sessionId, fresh.userId);
    await fb(fresh.sessionId, fresh.userId);
    expect(await summaryOn(fresh.sessionId)).toEqual(summaryOf([one, 2]));
    // d.s[4] was written without a summary map (as before this attribute existed): racing first feedback.
    await Promise.all([1, 2, 3].map(() => fb(d.s[4]!, d.U)));
    expect(await summaryOn(d.s[4]!)).toEqual(summaryOf([one, 3]));
    await expect(fb('no-such-session', d.U)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reads sessions still carrying the former per-feedback map, and converts it on their next feedback write', async () => {
    const s = await newSession({ title: 'former shape' });
    const input = { sessionId: s.sessionId, userId: s.userId, title: 't', description: 'd', reportedByHuman: true, createdByCustomer: true } as const;
    const a = await createFeedback({ ...input, type: 'other', severity: 'low' });
    const b = await createFeedback({ ...input, type: 'technical_error', severity: 'critical' });
    // As the former code wrote it: one entry per feedback.
    const entry = (f: typeof a, status: string) => ({
      status,
      severity: f.severity,
      type: f.type,
      reportedByHuman: true,
      createdByCustomer: true,
      userId: s.userId,
      createDate: f.createDate,
    });
    await ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.session(s.sessionId),
        UpdateExpression: 'SET feedbackSummary = :m',
        ExpressionAttributeValues: { ':m': { [a.feedbackId]: entry(a, 'new'), [b.feedbackId]: entry(b, 'new') } },
      }),
    );
    const search = (p: Plan) => labelsOf(searchSessions(plan({ userId: s.userId, ...p })));
    const labelsOf = async (page: ReturnType<typeof searchSessions>) => (await page).items.map((x) => x.sessionId);
    expect(await search({ feedback: { severity: ['critical'], type: ['technical_error'] } })).toEqual([s.sessionId]);
    expect(await search({ feedback: { severity: ['critical'], type: ['other'] } })).toEqual([]);
    expect(await search({ feedback: { userId: s.userId, status: ['new'] } })).toEqual([s.sessionId]);
    // The next write converts it: the former entries counted, this change applied, the map gone.
    await updateFeedback(s.sessionId, b.feedbackId, { status: 'resolved' });
    const raw = (await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.session(s.sessionId), ConsistentRead: true }))).Item!;
    const comb = (f: typeof a, status: 'new' | 'resolved') => ({ status, severity: f.severity, type: f.type, reportedByHuman: true, createdByCustomer: true });
    expect(raw.feedbackSummary).toEqual(summaryOf([comb(a, 'new'), 1], [comb(b, 'resolved'), 1]));
    expect(await search({ feedback: { status: ['resolved'], severity: ['critical'] } })).toEqual([s.sessionId]);
    expect(await search({ feedback: { status: ['new'], severity: ['critical'] } })).toEqual([]);
    // Creator and date are checked on the feedback items (the counts cannot tell them).
    expect(await search({ feedback: { status: ['resolved'], userId: s.userId } })).toEqual([s.sessionId]);
    expect(await search({ feedback: { status: ['resolved'], userId: 'someone-else' } })).toEqual([]);
    expect(await search({ date: { on: 'feedback', from: b.createDate, to: b.createDate }, feedback: { severity: ['critical'] } })).toEqual([s.sessionId]);
    expect(await search({ date: { on: 'feedback', from: a.createDate, to: a.createDate }, feedback: { severity: ['critical'] } })).toEqual(
      a.createDate === b.createDate ? [s.sessionId] : [],
    );
  });

  it('backfills the summaries of a session written before they existed, from its feedback items', async () => {
    const s = await newSession({ title: 'legacy' });
    const strip = () =>
      ddb().send(new UpdateCommand({ TableName: tableName(), Key: keys.session(s.sessionId), UpdateExpression: 'REMOVE feedbackSummary, insightsSummary' }));
    const fb = (status: 'new' | 'resolved') =>
      createFeedback({
        sessionId: s.sessionId,
        userId: s.userId,
        type: 'other',
        severity: 'low',
        title: 't',
        description: 'd',
        reportedByHuman: true,
        createdByCustomer: true,
      }).then(async (f) => (status === 'new' ? f : updateFeedback(s.sessionId, f.feedbackId, { status })));
    await fb('new');
    await fb('resolved');
    await putInsights(s.sessionId, sampleInsights());
    await strip(); // as if written before the summaries existed
    await fb('new'); // the first write after the deploy creates the summary with its own count only
    expect(await searchSessions(plan({ userId: s.userId, feedback: { status: ['resolved'] } }))).toMatchObject({ total: 0 });
    expect(await backfillSessionSummaries(s.sessionId)).toEqual({ feedback: 3, insights: true });
    const raw = (await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.session(s.sessionId), ConsistentRead: true }))).Item!;
    const c = { severity: 'low', type: 'other', reportedByHuman: true, createdByCustomer: true } as const;
    expect(raw.feedbackSummary).toEqual(summaryOf([{ ...c, status: 'new' }, 2], [{ ...c, status: 'resolved' }, 1]));
    expect(raw.insightsSummary).toMatchObject({ goalScore: 80 });
    expect(await searchSessions(plan({ userId: s.userId, feedback: { status: ['resolved'] } }))).toMatchObject({ total: 1 });
    expect(await backfillSessionSummaries(s.sessionId)).toEqual({ feedback: 3, insights: true }); // again: the same counts
    expect((await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.session(s.sessionId), ConsistentRead: true }))).Item!.feedbackSummary).toEqual(
      raw.feedbackSummary,
    );
    expect(await backfillSessionSummaries('no-such-session')).toBe(false);
  });

  it('refuses a search whose candidate set exceeds the read budget, and serves it once narrowed', async () => {
    await expect(searchSessions(plan({ userId: d.U, budget: 5 }))).rejects.toMatchObject({ code: 'SEARCH_TOO_BROAD' });
    await expect(searchSessions(plan({ userId: d.U, budget: 6 }))).resolves.toMatchObject({ total: 6 });
    // The date range is the key range: 3 sessions read (s4, s1, s3), within a budget of 3.
    const narrowed = await searchSessions(
      plan({ userId: d.U, budget: 3, date: { on: 'updated', from: '2024-01-04T00:00:00.000Z', to: '2024-01-10T10:00:00.000Z' } }),
    );
    expect(narrowed.items.map((s) => label(s.sessionId))).toEqual(['s1', 's3', 's4']);
    // A created range bounds a user's lastUpdate-ordered index below: s7 and s6 are read, nothing else.
    expect((await searchSessions(plan({ userId: d.U, budget: 2, date: { on: 'created', from: '2024-01-20T00:00:00.000Z' } }))).total).toBe(2);
    // Filters do not narrow what is read: 6 candidates, 2 matches, still too broad for 5.
    await expect(searchSessions(plan({ userId: d.U, budget: 5, flagged: true }))).rejects.toMatchObject({ code: 'SEARCH_TOO_BROAD' });
    // A chat app is read across its 4 shards, all counted.
    await expect(searchSessions(plan({ chatAppId: d.A, budget: 5 }))).rejects.toMatchObject({ code: 'SEARCH_TOO_BROAD' });
    await expect(searchSessions(plan({ chatAppId: d.A, budget: 6 }))).resolves.toMatchObject({ total: 6 });
    // No narrowing key at all.
    await expect(searchSessions(plan({ flagged: true }))).rejects.toMatchObject({ code: 'SEARCH_TOO_BROAD' });
  });

  it('binds the scroll id to the caller and the query', async () => {
    const first = await searchSessions(plan({ userId: d.U, limit: 2 }));
    expect(first.nextCursor).toBeDefined();
    const next = await searchSessions(plan({ userId: d.U, limit: 2, cursor: first.nextCursor! }));
    expect(next.items.map((s) => label(s.sessionId))).toEqual(['s3', 's4']);
    await expect(searchSessions({ ...plan({ userId: d.U, limit: 2, cursor: first.nextCursor! }), caller: 'someone-else' })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
    await expect(searchSessions(plan({ userId: d.U, limit: 2, flagged: true, cursor: first.nextCursor! }))).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    await expect(
      searchSessions(plan({ userId: d.U, limit: 2, sortBy: [{ field: 'sessionId', order: 'desc' }], cursor: first.nextCursor! })),
    ).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
  });
});
