import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addInternalComment } from '../../functions/data/feedback';
import { listSessionFeedback } from '../../functions/data/feedback';
import { seedSearchData, type SearchSeed } from '../data/search-seed';
import { expectErrorShape, ROLES, token, uid, useApi } from './harness';

const api = useApi();
let d: SearchSeed;
let userToken: string;
let adminToken: string;
beforeAll(async () => {
  d = await seedSearchData();
  userToken = await token(d.U);
  adminToken = await token(uid('admin'), [ROLES.contentAdmin]);
});
afterEach(() => {
  delete process.env.SEARCH_READ_BUDGET;
});

const label = (id: string) => `s${d.s.indexOf(id)}`;
const search = (t: string, body: Record<string, unknown>) => api.call('POST', '/sessions/search', { token: t, body });
const labelsOf = (r: { body: any }) => r.body.sessions.map((s: any) => label(s.sessionId));

/** The spec's own example (docs: session-user-types.md, "SessionSearchRequest"), on chat app A. */
const specExample = () => ({
  chatAppId: d.A,
  customUserData: { accountId: 'acct-1', context: 'order-inquiry' },
  dateFilter: { dateType: 'created', startDate: '2024-01-01T00:00:00Z', endDate: '2024-01-31T23:59:59Z' },
  includeInsights: true,
  sortBy: [{ field: 'createDate', order: 'desc' }],
  size: 20,
});

describe('POST /sessions/search', () => {
  it("serves the spec's example: a user's own sessions, an admin's across users", async () => {
    // U's sessions in A with acct-1/order-inquiry created in January: s7 (01-20), s1 (01-01); s6 is February,
    // s2 billing, s3 acct-2, s4 in app B. An admin also sees V's s5 (01-05).
    const mine = await search(userToken, specExample());
    expect(mine.status).toBe(200);
    expect(labelsOf(mine)).toEqual(['s7', 's1']);
    expect(mine.body).toMatchObject({ success: true, total: 2, pageSize: 20 });
    expect(mine.body.scrollId).toBeUndefined();
    expect(mine.body.sessions[1]).toMatchObject({ customData: { accountId: 'acct-1', context: 'order-inquiry' }, insights: { summary: 'score 80' } });
    expect(mine.body.sessions[0].insights).toBeUndefined();
    for (const s of mine.body.sessions) expect(Object.keys(s)).not.toEqual(expect.arrayContaining(['insightsSummary']));
    for (const s of mine.body.sessions) expect(Object.keys(s)).not.toEqual(expect.arrayContaining(['feedbackSummary']));

    const theirs = await search(adminToken, specExample());
    expect(labelsOf(theirs)).toEqual(['s7', 's5', 's1']);
    expect(theirs.body.total).toBe(3);
    expect(theirs.body.sessions.map((s: any) => s.insights?.summary ?? null)).toEqual([null, 'score 95', 'score 80']);
    // The same example for one user, as an admin.
    expect(labelsOf(await search(adminToken, { ...specExample(), userId: d.V }))).toEqual(['s5']);
  });

  it('pages a sort with scrollId: every page holds the exact total, the last has no scrollId', async () => {
    const seen: string[] = [];
    let scrollId: string | undefined;
    let pages = 0;
    do {
      const r = await search(adminToken, {
        chatAppId: d.A,
        sortBy: [
          { field: 'totalCost', order: 'desc' },
          { field: 'createDate', order: 'asc' },
        ],
        size: 4,
        ...(scrollId ? { scrollId } : {}),
      });
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(6);
      seen.push(...labelsOf(r));
      scrollId = r.body.scrollId;
      pages++;
    } while (scrollId);
    // cost: s1 .5 (01-01), s3 .5 (01-03), s6 .3, s2 .2, s5 .1, s7 .05
    expect(seen).toEqual(['s1', 's3', 's6', 's2', 's5', 's7']);
    expect(pages).toBe(2);
    const first = await search(adminToken, { chatAppId: d.A, sortBy: [{ field: 'totalCost', order: 'desc' }], size: 1 });
    expectErrorShape(
      await search(userToken, { chatAppId: d.A, sortBy: [{ field: 'totalCost', order: 'desc' }], size: 1, scrollId: first.body.scrollId }),
      400,
      'INVALID_CURSOR',
    );
    expectErrorShape(
      await search(adminToken, { chatAppId: d.A, sortBy: [{ field: 'totalCost', order: 'asc' }], size: 1, scrollId: first.body.scrollId }),
      400,
      'INVALID_CURSOR',
    );
  });

  it('serves title, flag, feedback and insights filters, includeFeedback with comments for admins only', async () => {
    expect(labelsOf(await search(userToken, { titlePartial: 'oRdEr', sortBy: [{ field: 'sessionId', order: 'asc' }] }))).toEqual(['s1', 's3']);
    expect(labelsOf(await search(userToken, { flagged: true, sortBy: [{ field: 'lastUpdate', order: 'desc' }] }))).toEqual(['s6', 's2']);
    expect(
      labelsOf(
        await search(adminToken, { chatAppId: d.A, feedbackInStatus: ['new'], feedbackSeverity: ['critical'], sortBy: [{ field: 'sessionId', order: 'asc' }] }),
      ),
    ).toEqual(['s5']);
    expect(labelsOf(await search(adminToken, { chatAppId: d.A, feedbackReportedByHuman: false }))).toEqual(['s3']);
    expect(
      labelsOf(await search(adminToken, { chatAppId: d.A, feedbackCreatedByCustomer: true, feedbackType: ['incorrect_response'], feedbackUserId: d.U })),
    ).toEqual(['s2']);
    expect(
      labelsOf(
        await search(userToken, {
          dateFilter: { dateType: 'feedback', startDate: d.feedbackFrom, endDate: d.feedbackTo },
          sortBy: [{ field: 'sessionId', order: 'asc' }],
        }),
      ),
    ).toEqual(['s2', 's3']);
    expect(
      labelsOf(
        await search(adminToken, {
          chatAppId: d.A,
          insights: { goalCompletionStatus: ['fully_achieved'], minGoalAchievementScore: 90 },
          sortBy: [{ field: 'insightGoalAchievementScore', order: 'desc' }],
        }),
      ),
    ).toEqual(['s5']);
    expect(labelsOf(await search(userToken, { sessionId: d.s[2]!, includeFeedback: true }))).toEqual(['s2']);
    // An admin without a chat app or user: the feedback index narrows (feedbackUserId keeps it to this data set).
    expect(labelsOf(await search(adminToken, { feedbackInStatus: ['in_progress'], feedbackUserId: d.U }))).toEqual(['s2']);

    const [f2] = (await listSessionFeedback(d.s[2]!, { caller: 'test' })).items;
    await addInternalComment(d.s[2]!, f2!.feedbackId, {
      commentId: uid('c'),
      comment: 'internal note',
      createdBy: 'admin',
      createDate: new Date().toISOString(),
    });
    const asUser = await search(userToken, { sessionId: d.s[2]!, includeFeedback: true });
    expect(asUser.body.sessions[0].feedback).toHaveLength(1);
    expect(asUser.body.sessions[0].feedback[0]).toMatchObject({ feedbackId: f2!.feedbackId, status: 'in_progress', severity: 'high' });
    expect(asUser.body.sessions[0].feedback[0].internalComments).toBeUndefined();
    const asAdmin = await search(adminToken, { sessionId: d.s[2]!, includeFeedback: true });
    expect(asAdmin.body.sessions[0].feedback[0].internalComments.map((c: any) => c.comment)).toEqual(['internal note']);
    // A user never finds another user's session, even by its id.
    expect(labelsOf(await search(userToken, { sessionId: d.s[5]! }))).toEqual([]);
  });

  it('refuses too broad searches with SEARCH_TOO_BROAD saying how to narrow, and bad input with 4xx', async () => {
    const noScope = await search(adminToken, { flagged: true });
    expectErrorShape(noScope, 400, 'SEARCH_TOO_BROAD');
    expect(noScope.body.error.message).toMatch(/chatAppId.*dateFilter/);
    process.env.SEARCH_READ_BUDGET = '5';
    expectErrorShape(await search(userToken, {}), 400, 'SEARCH_TOO_BROAD');
    const narrowed = await search(userToken, { dateFilter: { dateType: 'updated', startDate: '2024-01-04T00:00:00Z', endDate: '2024-01-10T10:00:00Z' } });
    expect(labelsOf(narrowed)).toEqual(['s3', 's1', 's4']);
    delete process.env.SEARCH_READ_BUDGET;
    expectErrorShape(await search(userToken, { userId: d.V }), 403, 'FORBIDDEN');
    expectErrorShape(
      await search(userToken, { dateFilter: { dateType: 'created', startDate: '2024-02-01T00:00:00Z', endDate: '2024-01-01T00:00:00Z' } }),
      400,
      'VALIDATION_FAILED',
    );
    expectErrorShape(await search(userToken, { insights: { minGoalAchievementScore: 60, maxGoalAchievementScore: 50 } }), 400, 'VALIDATION_FAILED');
    expectErrorShape(await search(userToken, { sortBy: [{ field: 'nope', order: 'asc' }] }), 400, 'VALIDATION_FAILED');
    expectErrorShape(await search(userToken, { scrollId: 'garbage' }), 400, 'INVALID_CURSOR');
  });

  it("gives a new session the creating user's stored customData unless the request gives its own", async () => {
    const user = uid();
    const service = await token(uid('svc'), [ROLES.service]);
    expect((await api.call('PUT', `/users/${user}`, { token: service, body: { customData: { accountId: 'acct-9', context: 'x' } } })).status).toBe(200);
    const t = await token(user);
    const inherited = await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo' } });
    expect(inherited.body.customData).toEqual({ accountId: 'acct-9', context: 'x' });
    const own = await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo', customData: { accountId: 'acct-1' } } });
    expect(own.body.customData).toEqual({ accountId: 'acct-1' });
    const found = await search(t, { customUserData: { accountId: 'acct-9' } });
    expect(found.body.sessions.map((s: any) => s.sessionId)).toEqual([inherited.body.sessionId]);
  });
});
