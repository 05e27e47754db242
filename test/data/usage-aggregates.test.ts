/**
 * Usage on DynamoDB Local: what a spend writes (the user's own items and a debit record — nothing other users
 * share), that it commits with the assistant message or not at all, that the usage stream consumer adds debits
 * to the shared totals exactly once however often a record is delivered, budget reservations, and the report
 * ranges.
 */
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ddb, tableName } from '../../functions/data/client';
import { newId } from '../../functions/data/items';
import { keys } from '../../functions/data/keys';
import { appendMessage, MAX_TRANSACTION_ITEMS } from '../../functions/data/messages';
import { getSession, setGeneratedTitle } from '../../functions/data/sessions';
import {
  applyDebits,
  COMMITTED,
  dayOf,
  monthOf,
  reserveUsageWrites,
  sharedTargets,
  usageWrites,
  type DebitRecord,
  type UsageDebit,
} from '../../functions/data/usage-aggregates';
import { chatAppUsage, rangeBuckets, reportRange, userDailyUsage } from '../../functions/data/usage-reports';
import { settleUsage } from '../support/usage';
import { newSession, uid } from './helpers';

const debit = (over: Partial<UsageDebit> = {}): UsageDebit => ({
  chatAppId: uid('app'),
  userId: uid('user'),
  entityId: 'acme',
  agentId: 'agent-1',
  at: '2026-03-15T10:00:00.000Z',
  usage: { inputTokens: 100, outputTokens: 50, totalCost: 0.00105 },
  turns: 1,
  ...over,
});

const get = async (key: { pk: string; sk: string }) => (await ddb().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;
const keyOf = (w: ReturnType<typeof usageWrites>[number]) => {
  const k = (w.Put ? w.Put.Item : w.Update!.Key) as { pk: string; sk: string };
  return { pk: k.pk, sk: k.sk };
};

describe('usage', () => {
  it("a spend writes the user's day and month items and one debit record: none of them shared with other users", async () => {
    const d = debit();
    const sessionId = uid('s');
    const writes = usageWrites(d, { sessionId, debitId: newId() });
    expect(writes).toHaveLength(3);
    const ids = writes.map((w) => `${keyOf(w).pk}|${keyOf(w).sk}`);
    expect(new Set(ids).size).toBe(ids.length);
    // The user's partition, or the session's: another user's spend never writes these keys.
    const other = usageWrites(debit({ chatAppId: d.chatAppId, userId: uid('other') }), { sessionId: uid('s'), debitId: newId() });
    const otherPartitions = new Set(other.map((w) => keyOf(w).pk));
    for (const w of writes) expect(otherPartitions.has(keyOf(w).pk)).toBe(false);
    await ddb().send(new TransactWriteCommand({ TransactItems: writes }));
    for (const w of writes) expect(JSON.stringify(await get(keyOf(w))).length).toBeLessThan(1024);
    expect(writes.length + 2).toBeLessThan(MAX_TRANSACTION_ITEMS);
    // Budgets read the user's items: spent and committed (spent + set aside) agree when nothing is set aside.
    expect(await get(keys.usageUserDay(d.userId, d.chatAppId, dayOf(d.at)))).toMatchObject({
      inputTokens: 100,
      outputTokens: 50,
      totalCost: 0.00105,
      turns: 1,
      [COMMITTED.tokens]: 150,
      [COMMITTED.usd]: 0.00105,
    });
  });

  it('commits with the assistant message, or not at all', async () => {
    const s = await newSession();
    const d = debit({ userId: s.userId, chatAppId: s.chatAppId });
    const debitId = newId();
    await appendMessage({
      userId: s.userId,
      sessionId: s.sessionId,
      role: 'assistant',
      content: 'hi',
      transactItems: usageWrites(d, { sessionId: s.sessionId, debitId }),
    });
    expect(await get(keys.usageUserDay(s.userId, s.chatAppId, dayOf(d.at)))).toMatchObject({
      inputTokens: 100,
      outputTokens: 50,
      totalCost: 0.00105,
      turns: 1,
    });
    expect(await get(keys.usageDebit(s.sessionId, debitId))).toMatchObject({ debitId, chatAppId: s.chatAppId, userId: s.userId, inputTokens: 100 });

    // The session does not exist: NOT_FOUND, and nothing of the spend is written.
    const missing = debit();
    const missingSession = uid('nosession');
    const missingWrites = usageWrites(missing, { sessionId: missingSession, debitId: newId() });
    await expect(
      appendMessage({ userId: missing.userId, sessionId: missingSession, role: 'assistant', content: 'hi', transactItems: missingWrites }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    for (const w of missingWrites) expect(await get(keyOf(w))).toBeUndefined();
    // Mistakes DynamoDB would only report at run time are named before anything is sent.
    await expect(
      appendMessage({
        userId: s.userId,
        sessionId: s.sessionId,
        role: 'assistant',
        content: 'x',
        transactItems: Array.from({ length: 99 }, (_, i) => usageWrites(debit({ userId: `u${i}` }), { sessionId: s.sessionId, debitId: newId() })[0]!),
      }),
    ).rejects.toThrow(/transaction items/);
    const twice = usageWrites(d, { sessionId: s.sessionId, debitId: newId() });
    await expect(
      appendMessage({ userId: s.userId, sessionId: s.sessionId, role: 'assistant', content: 'x', transactItems: [...twice, twice[0]!] }),
    ).rejects.toThrow(/two operations on one item/);
  });

  it("a title's cost commits with the title; a session titled meanwhile keeps its title and is still debited", async () => {
    const s = await newSession();
    const d = debit({ userId: s.userId, chatAppId: s.chatAppId, turns: 0 });
    const usage = { inputTokens: 10, outputTokens: 5, inputCost: 0.00004, outputCost: 0.00006, totalCost: 0.0001 };
    const spend = () => usageWrites({ ...d, usage }, { sessionId: s.sessionId, debitId: newId() });
    expect(await setGeneratedTitle(s.sessionId, 'Generated', usage, spend())).toBe(true);
    expect(await get(keys.usageUserDay(s.userId, s.chatAppId, dayOf(d.at)))).toMatchObject({ inputTokens: 10, outputTokens: 5, totalCost: 0.0001, turns: 0 });
    // Titled already: the title stays, the usage goes to the session and the user's items all the same.
    expect(await setGeneratedTitle(s.sessionId, 'Another', usage, spend())).toBe(false);
    expect(await getSession(s.sessionId)).toMatchObject({ title: 'Generated', inputTokens: 20, outputTokens: 10 });
    expect(await get(keys.usageUserDay(s.userId, s.chatAppId, dayOf(d.at)))).toMatchObject({ inputTokens: 20, outputTokens: 10, totalCost: 0.0002 });
  });

  it("the usage stream adds many users' concurrent spends to the shared totals exactly once, however often a record comes", async () => {
    const chatAppId = uid('app');
    const spends = Array.from({ length: 20 }, (_, i) => ({ d: debit({ chatAppId, userId: uid(`user${i}`) }), sessionId: uid('s'), debitId: newId() }));
    // Twenty users' spends at once: each its own transaction, none conflicting with another.
    await Promise.all(
      spends.map(({ d, sessionId, debitId }) => ddb().send(new TransactWriteCommand({ TransactItems: usageWrites(d, { sessionId, debitId }) }))),
    );
    const expected = { inputTokens: 2000, outputTokens: 1000, totalCost: 0.021, turns: 20 };
    // Nothing shared is written by a spend itself.
    for (const { key } of sharedTargets(spends[0]!.d)) expect(await get(key)).toBeUndefined();
    expect(await settleUsage()).toBeGreaterThanOrEqual(20);
    for (const { key } of sharedTargets(spends[0]!.d)) expect(await get(key)).toMatchObject(expected);
    // A redelivered batch (Lambda retries a failed one whole), in part with new debits: only the new ones count.
    const records: DebitRecord[] = spends.map(({ d, debitId }) => ({ ...d, debitId }));
    const extra: DebitRecord = { ...debit({ chatAppId, userId: uid('late') }), debitId: newId() };
    expect(await applyDebits([...records, extra, extra])).toEqual({ applied: 1, duplicates: 21 });
    const after = { inputTokens: 2100, outputTokens: 1050, totalCost: 0.02205, turns: 21 };
    for (const { key } of sharedTargets(extra)) expect(await get(key)).toMatchObject(after);
    // Two consumers racing over the same records: still once.
    const racing: DebitRecord[] = Array.from({ length: 10 }, () => ({ ...debit({ chatAppId, userId: uid('r') }), debitId: newId() }));
    const [a, b] = await Promise.all([applyDebits(racing), applyDebits(racing)]);
    expect(a.applied + b.applied).toBe(10);
    expect(await get(keys.usageChatApp(chatAppId, `M#${monthOf(extra.at)}`))).toMatchObject({ turns: 31 });
    // Rankings: users from their own items (the 20 spends above; the others were debits alone), agents from the shared ones.
    const range = { from: '2026-03-01', to: '2026-03-31' };
    const byUser = await chatAppUsage({ chatAppId, range, groupBy: 'user', limit: 100, caller: 'admin' });
    expect(byUser.items).toHaveLength(20);
    expect(byUser.items[0]).toMatchObject({ inputTokens: 100, outputTokens: 50, turns: 1 });
    expect(byUser.totals).toMatchObject({ turns: 31 });
    const byAgent = await chatAppUsage({ chatAppId, range, groupBy: 'agent', caller: 'admin' });
    expect(byAgent.items).toEqual([{ key: 'agent-1', inputTokens: 3100, outputTokens: 1550, totalCost: 0.03255, turns: 31 }]);
  });

  it("a user's usage report reads their own partition, and their days of before 0.2 too", async () => {
    const d = debit();
    await ddb().send(new TransactWriteCommand({ TransactItems: usageWrites(d, { sessionId: uid('s'), debitId: newId() }) }));
    // A day item as 0.1 wrote it, in the chat app's bucket partition.
    await ddb().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.legacyUsageUser(d.userId, d.chatAppId, 'D#2026-03-14'),
          bucket: 'D#2026-03-14',
          kind: 'user',
          id: d.userId,
          inputTokens: 7,
          outputTokens: 3,
          totalCost: 0.5,
          turns: 2,
        },
      }),
    );
    const report = await userDailyUsage(d.userId, d.chatAppId, { from: '2026-03-01', to: '2026-03-31' });
    expect(report.items).toEqual([
      { date: '2026-03-14', inputTokens: 7, outputTokens: 3, totalCost: 0.5, turns: 2 },
      { date: '2026-03-15', inputTokens: 100, outputTokens: 50, totalCost: 0.00105, turns: 1 },
    ]);
    expect(report.totals).toEqual({ inputTokens: 107, outputTokens: 53, totalCost: 0.50105, turns: 3 });
  });

  it("a reservation holds the user's limit under races: of racing turns, those the budget allows pass; settling gives it back", async () => {
    const u = { userId: uid('user'), chatAppId: uid('app'), at: '2026-03-15T10:00:00.000Z' };
    const reserve = () =>
      ddb().send(new TransactWriteCommand({ TransactItems: reserveUsageWrites(u, { tokens: 1000, usd: 0.01 }, { daily: { tokens: 2500 } }) }));
    const results = await Promise.allSettled(Array.from({ length: 8 }, reserve));
    // 0 → 1000 → 2000 → 3000: the first three pass (each saw less than the limit committed), the rest fail.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(await get(keys.usageUserDay(u.userId, u.chatAppId, '2026-03-15'))).toMatchObject({ [COMMITTED.tokens]: 3000 });
    // One turn ends having spent 150 tokens: committed drops by its 1,000 set aside and rises by its 150 spent.
    const spent = debit({ ...u, usage: { inputTokens: 100, outputTokens: 50, totalCost: 0.001 } });
    await ddb().send(
      new TransactWriteCommand({ TransactItems: usageWrites(spent, { sessionId: uid('s'), debitId: newId(), release: { tokens: 1000, usd: 0.01 } }) }),
    );
    expect(await get(keys.usageUserDay(u.userId, u.chatAppId, '2026-03-15'))).toMatchObject({ [COMMITTED.tokens]: 2150, inputTokens: 100, outputTokens: 50 });
    await reserve(); // 2150 < 2500: room for one more
    await expect(reserve()).rejects.toMatchObject({ name: 'TransactionCanceledException' });
  });

  it('report ranges: defaults, validation, at most 400 days; whole months read through their month bucket', () => {
    const now = Date.parse('2026-03-15T12:00:00Z');
    expect(reportRange(undefined, undefined, now)).toEqual({ from: '2026-03-01', to: '2026-03-15' });
    expect(() => reportRange('2026-02-30', '2026-03-01')).toThrow(/valid day/);
    expect(() => reportRange('2026-03-02', '2026-03-01')).toThrow(/after/);
    expect(reportRange('2025-02-01', '2026-03-07')).toEqual({ from: '2025-02-01', to: '2026-03-07' }); // 400 days
    expect(() => reportRange('2025-01-31', '2026-03-07')).toThrow(/400/);
    expect(rangeBuckets({ from: '2026-01-30', to: '2026-03-02' })).toEqual(['D#2026-01-30', 'D#2026-01-31', 'M#2026-02', 'D#2026-03-01', 'D#2026-03-02']);
    expect(rangeBuckets({ from: '2025-02-01', to: '2026-03-07' }).length).toBeLessThanOrEqual(13 + 7);
  });
});
