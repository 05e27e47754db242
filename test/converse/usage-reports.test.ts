/**
 * Usage over HTTP on the local stack: a turn's full cost (answer and title) in the usage reports for the right
 * day, user, entity and agent; ranking, paging and ranges; the writes of one turn (its session's and user's only).
 */
import { describe, expect, it, vi } from 'vitest';
import { ddb } from '../../functions/data/client';
import { dayOf } from '../../functions/data/usage-aggregates';
import { settleUsage } from '../support/usage';
import { ROLES, token, uid } from '../api/harness';
import { admin, budgetHelpers, tokensOf } from './budget-helpers';
import { converse, useConverse } from './harness';

const { api } = useConverse();
const { chatApp, user, titledSession, myUsage } = budgetHelpers(api);

describe('usage reports', () => {
  it("a turn's full cost (answer and title) is in /users/me/usage and /admin/usage for its day, user, entity and agent", async () => {
    const chatAppId = await chatApp();
    const { userId, t } = await user('acme');
    const r = await converse(api.url, t, { chatAppId, message: 'What does my plan cost?' });
    expect(r.events.at(-1)?.event).toBe('done');
    const answer = r.events.at(-1)!.data.usage;
    const session = await titledSession(r.events[0]!.data.sessionId, t);
    expect(session.totalCost).toBeGreaterThan(answer.totalCost); // the title cost something too
    const full = { inputTokens: session.inputTokens, outputTokens: session.outputTokens, totalCost: session.totalCost, turns: 1 };
    const today = dayOf(Date.now());

    // A new session's title is debited with its answer, in the answer's transaction: there once `done` is.
    const mine = await myUsage(chatAppId, t);
    expect(mine).toMatchObject({ chatAppId, to: today, totals: full, items: [{ date: today, ...full }] });

    // The chat app's, entity's and agent's totals are added up by the usage stream (drained here).
    await settleUsage();
    const sadmin = await admin();
    const report = async (groupBy: string) => (await api.call('GET', `/admin/usage?chatAppId=${chatAppId}&groupBy=${groupBy}`, { token: sadmin })).body;
    expect(await report('day')).toMatchObject({ groupBy: 'day', totals: full, items: [{ key: today, ...full }] });
    expect(await report('user')).toMatchObject({ totals: full, items: [{ key: userId, ...full }] });
    expect(await report('entity')).toMatchObject({ totals: full, items: [{ key: 'acme', ...full }] });
    expect(await report('agent')).toMatchObject({ totals: full, items: [{ key: 'echo', ...full }] });
    // A content admin reads reports; a plain user does not.
    expect((await api.call('GET', `/admin/usage?chatAppId=${chatAppId}`, { token: await token(uid('cadmin'), [ROLES.contentAdmin]) })).status).toBe(200);
    expect((await api.call('GET', `/admin/usage?chatAppId=${chatAppId}`, { token: t })).status).toBe(403);
  });

  it('ranks users by cost, pages with a signed cursor, keeps totals, and refuses ranges over 400 days', async () => {
    const chatAppId = await chatApp();
    const users = [await user('acme'), await user('globex'), await user('acme')];
    // Longer messages cost more: user i spends more than user i-1.
    let spent = 0;
    for (const [i, u] of users.entries()) {
      const r = await converse(api.url, u.t, { chatAppId, message: `question ${'x'.repeat(200 * (i + 1))}` });
      spent += tokensOf(await titledSession(r.events[0]!.data.sessionId, u.t));
    }
    const sadmin = await admin();
    const first = await vi.waitFor(
      async () => {
        await settleUsage();
        const b = (await api.call('GET', `/admin/usage?chatAppId=${chatAppId}&groupBy=user&limit=2`, { token: sadmin })).body;
        if (tokensOf(b.totals) !== spent) throw new Error('not all debited');
        return b;
      },
      { timeout: 5000, interval: 20 },
    );
    expect(first.items.map((i: any) => i.key)).toEqual([users[2]!.userId, users[1]!.userId]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (
      await api.call('GET', `/admin/usage?chatAppId=${chatAppId}&groupBy=user&limit=2&cursor=${encodeURIComponent(first.nextCursor)}`, { token: sadmin })
    ).body;
    expect(second.items.map((i: any) => i.key)).toEqual([users[0]!.userId]);
    expect(second.nextCursor).toBeUndefined();
    expect(second.totals).toEqual(first.totals);
    const entities = (await api.call('GET', `/admin/usage?chatAppId=${chatAppId}&groupBy=entity`, { token: sadmin })).body;
    expect(entities.items.map((i: any) => i.key).sort()).toEqual(['acme', 'globex']);
    // The cursor is bound to its query.
    const other = await api.call('GET', `/admin/usage?chatAppId=${chatAppId}&groupBy=entity&limit=2&cursor=${encodeURIComponent(first.nextCursor)}`, {
      token: sadmin,
    });
    expect(other.status).toBe(400);
    expect(other.body.error.code).toBe('INVALID_CURSOR');

    const tooLong = await api.call('GET', `/admin/usage?chatAppId=${chatAppId}&from=2025-01-01&to=2026-02-05`, { token: sadmin });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.code).toBe('VALIDATION_FAILED');
    expect((await api.call('GET', `/users/me/usage?chatAppId=${chatAppId}&from=2026-03-01&to=2026-02-01`, { token: users[0]!.t })).status).toBe(400);
    expect((await api.call('GET', `/users/me/usage?chatAppId=${chatAppId}&from=2026-02-30`, { token: users[0]!.t })).status).toBe(400);
    expect((await api.call('GET', `/users/me/usage?chatAppId=${chatAppId}&from=2025-01-01&to=2026-02-04`, { token: users[0]!.t })).status).toBe(200);
  });
});

describe('write cost per turn', () => {
  it("a turn writes only its session's and its user's items: usage once for the answer and its title, nothing shared", async () => {
    const chatAppId = await chatApp();
    const { userId, t } = await user('acme');
    const warm = await converse(api.url, t, { chatAppId, message: 'warm the config cache' });
    await titledSession(warm.events[0]!.data.sessionId, t);
    // Every write request of the turn, observed on the document client the local API uses (nothing mocked).
    const writes: Array<{ name: string; usageItems: number; items: number }> = [];
    const partitions: string[] = [];
    const observer = ((next: any, context: any) => async (args: any) => {
      const name = String(context.commandName ?? '').replace(/Command$/, '');
      if (/Put|Update|Delete|Write/.test(name)) {
        const items = (args.input.TransactItems ?? [args.input]) as any[];
        const pks = items.map((i) => String((i.Update ?? i.ConditionCheck ?? i.Delete ?? i).Key?.pk ?? (i.Put ?? i).Item?.pk ?? ''));
        writes.push({ name, usageItems: pks.filter((pk) => pk.startsWith('USAGE#')).length, items: items.length });
        partitions.push(...pks);
      }
      return next(args);
    }) as never;
    ddb().middlewareStack.add(observer, { step: 'initialize', name: 'budgetsWriteObserver' });
    try {
      const r = await converse(api.url, t, { chatAppId, message: 'count my writes' });
      await titledSession(r.events[0]!.data.sessionId, t);
    } finally {
      ddb().middlewareStack.remove('budgetsWriteObserver');
    }
    // The rate-limit counter, the new session with the user message, the answer with the session's title and
    // one spend for both (the user's day and month items, and the debit record the usage stream adds to the
    // shared totals). No write of the title's own.
    expect(writes.map((w) => [w.name, w.usageItems, w.items])).toEqual([
      ['UpdateItem', 0, 1],
      ['TransactWriteItems', 0, 2],
      ['TransactWriteItems', 2, 5],
    ]);
    // Every partition written is the user's or the session's (docs/data-model.md#a-turns-writes).
    const sessionId = partitions.find((pk) => pk.startsWith('SESSION#'));
    for (const pk of partitions) expect([`RATE#${userId}`, sessionId, `USAGE#U#${userId}#A#${chatAppId}`]).toContain(pk);
  });
});
