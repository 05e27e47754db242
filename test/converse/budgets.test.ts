/**
 * Budgets over HTTP on the local stack: 429 BUDGET_EXCEEDED at a limit with nothing stored or billed; overrides;
 * what a user has left; 50 parallel turns at the edge of a budget. (Usage reports: usage-reports.test.ts.)
 */
import { describe, expect, it, vi } from 'vitest';
import { settleUsage } from '../support/usage';
import { token, uid } from '../api/harness';
import { restoreEnv } from '../support/env';
import { admin, budgetHelpers, tokensOf } from './budget-helpers';
import { converse, useConverse } from './harness';

const { api, emulator } = useConverse();
const { chatApp, user, titledSession, myUsage, converseRaw } = budgetHelpers(api);

describe('budgets', () => {
  it('at the limit: 429 BUDGET_EXCEEDED with the limit, the amount used and the reset time; nothing stored or billed', async () => {
    const chatAppId = await chatApp({ user: { daily: { tokens: 1 } } });
    const { t } = await user();
    const first = await converse(api.url, t, { chatAppId, message: 'one' });
    expect(first.events.at(-1)?.event).toBe('done');
    const sessionId = first.events[0]!.data.sessionId;
    const session = await titledSession(sessionId, t);
    const used = await vi.waitFor(async () => {
      const u = await myUsage(chatAppId, t);
      if (u.totals.totalCost !== session.totalCost) throw new Error('title not debited yet');
      return tokensOf(u.totals);
    });

    const invocations = emulator().requests().length;
    const sessionsBefore = (await api.call('GET', `/sessions?chatAppId=${chatAppId}`, { token: t })).body.items.length;
    for (const body of [
      { chatAppId, message: 'two' },
      { sessionId, message: 'two' },
    ]) {
      const r = await converseRaw(t, body);
      expect(r.status).toBe(429);
      const error = JSON.parse(r.text).error;
      const midnight = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1)).toISOString();
      expect(error).toMatchObject({ code: 'BUDGET_EXCEEDED', details: { level: 'user', period: 'daily', unit: 'tokens', used, limit: 1, resetsAt: midnight } });
      expect(Number(r.headers.get('retry-after'))).toBe(error.details.retryAfterSeconds);
      expect(error.details.retryAfterSeconds).toBeGreaterThan(0);
      expect(error.details.retryAfterSeconds).toBeLessThanOrEqual(86_400);
    }
    // Nothing stored (no session, no message), nothing billed (the agent was not called), nothing debited.
    expect((await api.call('GET', `/sessions?chatAppId=${chatAppId}`, { token: t })).body.items.length).toBe(sessionsBefore);
    expect((await api.call('GET', `/sessions/${sessionId}/messages`, { token: t })).body.items).toHaveLength(2);
    expect(emulator().requests().length).toBe(invocations);
    expect(tokensOf((await myUsage(chatAppId, t)).totals)).toBe(used);

    // The same key again replays nothing either: an idempotent retry is refused the same way and stores nothing.
    const keyed = await converseRaw(t, { sessionId, message: 'three', clientMessageId: uid('k') });
    expect(keyed.status).toBe(429);
  });

  it('user and entity overrides replace the defaults period by period; the chat app level too; GET/DELETE them', async () => {
    const chatAppId = await chatApp({ user: { daily: { tokens: 1 } }, entity: { monthly: { usd: 1000 } } });
    const { userId, t } = await user('globex');
    const sadmin = await admin();
    expect((await converse(api.url, t, { chatAppId, message: 'first' })).status).toBe(200);
    await vi.waitFor(async () => {
      if ((await converseRaw(t, { chatAppId, message: 'x' })).status !== 429) throw new Error('not refused yet');
    });

    // A user override lifts the daily limit for this user only.
    const put = await api.call('PUT', `/admin/chat-apps/${chatAppId}/budgets/users/${userId}`, { token: sadmin, body: { daily: { tokens: 1_000_000 } } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ chatAppId, level: 'user', id: userId, daily: { tokens: 1_000_000 } });
    expect((await api.call('GET', `/admin/chat-apps/${chatAppId}/budgets/users/${userId}`, { token: sadmin })).body).toMatchObject({
      daily: { tokens: 1_000_000 },
    });
    expect((await converse(api.url, t, { chatAppId, message: 'allowed again' })).events.at(-1)?.event).toBe('done');

    // The entity's override: its monthly cost limit is used up → refused at the entity level until next month.
    expect(
      (await api.call('PUT', `/admin/chat-apps/${chatAppId}/budgets/entities/globex`, { token: sadmin, body: { monthly: { usd: 0.000001 } } })).status,
    ).toBe(200);
    await settleUsage(); // entity totals come from the usage stream (they trail it: docs/converse.md#budgets)
    const refused = await converseRaw(t, { chatAppId, message: 'entity over' });
    expect(refused.status).toBe(429);
    const now = new Date();
    expect(JSON.parse(refused.text).error.details).toMatchObject({
      level: 'entity',
      period: 'monthly',
      unit: 'usd',
      entityId: 'globex',
      limit: 0.000001,
      resetsAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
    });
    // Another entity of the same chat app is not affected.
    expect((await converse(api.url, (await user('acme')).t, { chatAppId, message: 'acme is fine' })).status).toBe(200);

    expect((await api.call('DELETE', `/admin/chat-apps/${chatAppId}/budgets/entities/globex`, { token: sadmin })).body).toEqual({ deleted: true });
    expect((await api.call('GET', `/admin/chat-apps/${chatAppId}/budgets/entities/globex`, { token: sadmin })).status).toBe(404);
    expect((await api.call('DELETE', `/admin/chat-apps/${chatAppId}/budgets/entities/globex`, { token: sadmin })).status).toBe(404);
    expect((await converse(api.url, t, { chatAppId, message: 'entity default again' })).status).toBe(200);
    // An override of an unknown chat app is refused, nothing stored.
    expect((await api.call('PUT', `/admin/chat-apps/${uid('nope')}/budgets/users/${userId}`, { token: sadmin, body: { daily: { usd: 1 } } })).status).toBe(404);

    // The chat app's own limit applies to everyone.
    const app = (await api.call('GET', `/admin/chat-apps/${chatAppId}`, { token: sadmin })).body;
    const { chatAppId: _id, createDate: _c, lastUpdate: _l, ...config } = app;
    expect(
      (await api.call('PUT', `/admin/chat-apps/${chatAppId}`, { token: sadmin, body: { ...config, budgets: { chatApp: { monthly: { tokens: 10 } } } } }))
        .status,
    ).toBe(200);
    await settleUsage();
    const appRefused = await converseRaw((await user('acme')).t, { chatAppId, message: 'app over' });
    expect(appRefused.status).toBe(429);
    expect(JSON.parse(appRefused.text).error.details).toMatchObject({ level: 'chatApp', period: 'monthly', unit: 'tokens', limit: 10 });
  });

  it('an override in a chat app without budgets is refused (409, "has no budgets"), never stored and ignored', async () => {
    const unbudgeted = await chatApp();
    const budgeted = await chatApp({});
    const sadmin = await admin();
    const { userId } = await user('acme');
    for (const path of [`users/${userId}`, 'entities/acme']) {
      const refused = await api.call('PUT', `/admin/chat-apps/${unbudgeted}/budgets/${path}`, { token: sadmin, body: { daily: { usd: 1 } } });
      expect([refused.status, refused.body.error?.code]).toEqual([409, 'CONFLICT']);
      expect(refused.body.error.message).toMatch(/has no budgets/);
      expect((await api.call('GET', `/admin/chat-apps/${unbudgeted}/budgets/${path}`, { token: sadmin })).status).toBe(404);
      // `budgets: {}` is enough for overrides to apply.
      expect((await api.call('PUT', `/admin/chat-apps/${budgeted}/budgets/${path}`, { token: sadmin, body: { daily: { usd: 1 } } })).status).toBe(200);
    }
  });

  it('GET /users/me/budget: what is left per limit, in one chat app or in every chat app used this month', async () => {
    const chatAppId = await chatApp({ user: { daily: { tokens: 1_000_000, usd: 5 } }, chatApp: { monthly: { usd: 1000 } } });
    const unbudgeted = await chatApp();
    const { t } = await user('acme');
    expect((await api.call('GET', '/users/me/budget', { token: t })).body).toEqual({ items: [] });
    for (const app of [chatAppId, unbudgeted]) expect((await converse(api.url, t, { chatAppId: app, message: 'hello' })).status).toBe(200);
    const usage = await vi.waitFor(async () => {
      const u = await myUsage(chatAppId, t);
      if (u.totals.turns !== 1) throw new Error('not debited');
      return u.totals;
    });
    const one = (await api.call('GET', `/users/me/budget?chatAppId=${chatAppId}`, { token: t })).body.items[0];
    expect(one).toMatchObject({ chatAppId, entityId: 'acme', exceeded: false, daily: { used: { turns: 1 } } });
    const tokensLine = one.limits.find((l: any) => l.level === 'user' && l.unit === 'tokens');
    expect(tokensLine).toMatchObject({ period: 'daily', limit: 1_000_000 });
    expect(tokensLine.used + tokensLine.remaining).toBe(1_000_000);
    expect(tokensLine.used).toBeGreaterThanOrEqual(tokensOf(usage));
    expect(one.limits.map((l: any) => `${l.level}.${l.period}.${l.unit}`).sort()).toEqual(['chatApp.monthly.usd', 'user.daily.tokens', 'user.daily.usd']);

    const all = (await api.call('GET', '/users/me/budget', { token: t })).body.items;
    expect(all.map((i: any) => i.chatAppId).sort()).toEqual([chatAppId, unbudgeted].sort());
    expect(all.find((i: any) => i.chatAppId === unbudgeted).limits).toEqual([]);
    expect((await api.call('GET', `/users/me/budget?chatAppId=${uid('nope')}`, { token: t })).status).toBe(404);
  });

  it('GET /users/me/budget follows the chat app access rules: 403 where the user may not use it, left out of the listing', async () => {
    const sadmin = await admin();
    const put = async (chatAppId: string, extra: Record<string, unknown>) =>
      expect(
        (
          await api.call('PUT', `/admin/chat-apps/${chatAppId}`, {
            token: sadmin,
            body: { title: 'Rules', enabled: true, agentId: 'echo', budgets: { chatApp: { monthly: { usd: 1000 } } }, ...extra },
          })
        ).status,
      ).toBe(200);
    const club = uid('club-app');
    const closing = uid('closing-app');
    const open = uid('open-app');
    await put(club, { access: { roles: ['pika:budget-club'] } });
    await put(closing, {});
    await put(open, {});
    const userId = uid('budget-user');
    // A member uses all three this month; then the role is gone (a new token) and one chat app is disabled.
    const member = await token(userId, ['pika:budget-club']);
    for (const chatAppId of [club, closing, open]) expect((await converse(api.url, member, { chatAppId, message: 'hello' })).status).toBe(200);
    const listed = async (tk: string) =>
      ((await api.call('GET', '/users/me/budget', { token: tk })).body.items as { chatAppId: string }[]).map((i) => i.chatAppId);
    await vi.waitFor(async () => {
      if ((await listed(member)).length !== 3) throw new Error('not debited yet');
    });
    await put(closing, { enabled: false });
    const t = await token(userId);

    for (const chatAppId of [club, closing]) {
      const session = await api.call('POST', '/sessions', { token: t, body: { chatAppId } });
      const budget = await api.call('GET', `/users/me/budget?chatAppId=${chatAppId}`, { token: t });
      expect(session.status).toBe(403);
      expect([budget.status, budget.body.error?.code]).toEqual([403, 'FORBIDDEN']);
      expect(budget.body.error.message).toBe(session.body.error.message);
      expect(JSON.stringify(budget.body)).not.toContain('limits');
    }
    expect((await api.call('GET', `/users/me/budget?chatAppId=${open}`, { token: t })).status).toBe(200);
    expect((await api.call('GET', `/users/me/budget?chatAppId=${club}`, { token: member })).status).toBe(200);
    expect(await listed(t)).toEqual([open]);
    expect((await listed(member)).sort()).toEqual([club, open].sort());
  });

  it('50 parallel turns against a user budget that allows one: one runs, 49 get 429 before anything is stored; exact accounting', async () => {
    const saved = { CONVERSE_RATE_LIMIT: process.env.CONVERSE_RATE_LIMIT };
    process.env.CONVERSE_RATE_LIMIT = '0'; // one user's 50 turns at once: the rate limit is not what is tested
    try {
      const limit = 5_000;
      const chatAppId = await chatApp({ user: { daily: { tokens: limit } } });
      const { userId, t } = await user('acme');
      // Spend up to just under the limit: one token left.
      const sadmin = await admin();
      expect((await converse(api.url, t, { chatAppId, message: 'warm up' })).status).toBe(200);
      const warm = await vi.waitFor(async () => {
        const u = await myUsage(chatAppId, t);
        const s = (await api.call('GET', `/sessions?chatAppId=${chatAppId}`, { token: t })).body.items[0];
        if (!s?.title || u.totals.totalCost !== s.totalCost) throw new Error('title not debited yet');
        return tokensOf(u.totals);
      });
      const edge = warm + 1;
      await api.call('PUT', `/admin/chat-apps/${chatAppId}/budgets/users/${userId}`, { token: sadmin, body: { daily: { tokens: edge } } });

      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => converse(api.url, t, { chatAppId, message: `race ${i}` })));
      const admitted = results.filter((r) => r.status === 200);
      const refused = results.filter((r) => r.status !== 200);
      for (const r of admitted) expect(r.events.at(-1)?.event).toBe('done');
      for (const r of refused) expect([r.status, r.error.error.code]).toEqual([429, 'BUDGET_EXCEEDED']);
      // The first turn's reservation (BUDGET_RESERVE_TOKENS) takes what is left: exactly one runs.
      expect(admitted).toHaveLength(1);

      // Exact accounting: every admitted turn (answer and title) debited once, none lost, refused turns nothing.
      const sessions = await Promise.all(admitted.map((r) => titledSession(r.events[0]!.data.sessionId, t)));
      const spent = sessions.reduce((sum, s) => sum + tokensOf(s), 0);
      const final = await vi.waitFor(
        async () => {
          const u = await myUsage(chatAppId, t);
          if (tokensOf(u.totals) !== warm + spent) throw new Error(`usage ${tokensOf(u.totals)} != ${warm + spent}`);
          return u.totals;
        },
        { timeout: 10_000, interval: 50 },
      );
      expect(final.turns).toBe(1 + admitted.length);
      expect((await api.call('GET', `/sessions?chatAppId=${chatAppId}&limit=100`, { token: t })).body.items).toHaveLength(1 + admitted.length);
      await settleUsage();
      const byUser = (await api.call('GET', `/admin/usage?chatAppId=${chatAppId}&groupBy=user`, { token: sadmin })).body;
      expect(byUser.totals).toEqual(final);
      expect(byUser.items).toEqual([{ key: userId, ...final }]);

      // The one turn's cost past the edge is all the overshoot there is; a turn that starts afterwards is refused.
      expect(tokensOf(final) - edge).toBeLessThan(sessions[0] ? tokensOf(sessions[0]) : 1);
      const after = await converse(api.url, t, { chatAppId, message: 'after the race' });
      expect([after.status, after.error?.error?.code]).toEqual([429, 'BUDGET_EXCEEDED']);
    } finally {
      restoreEnv(saved);
    }
  }, 120_000);
});
