/**
 * Usage aggregates on DynamoDB Local: how many items a debit writes (the per-turn write cost), that they
 * commit with the assistant message or not at all, that concurrent debits add up exactly, and the report
 * ranges.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ddb, tableName } from '../../functions/data/client';
import { keys } from '../../functions/data/keys';
import { appendMessage, MAX_TRANSACTION_ITEMS } from '../../functions/data/messages';
import { getSession, setGeneratedTitle } from '../../functions/data/sessions';
import { aggregateTargets, dayOf, debitUsage, monthOf, usageAggregateWrites, type UsageDebit } from '../../functions/data/usage-aggregates';
import { rangeBuckets, reportRange, userDailyUsage } from '../../functions/data/usage-reports';
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

describe('usage aggregates', () => {
  it('a debit writes 8 aggregate items (6 without an entity), all distinct: the per-turn write cost', async () => {
    const d = debit();
    const writes = usageAggregateWrites(d);
    expect(writes).toHaveLength(8);
    expect(usageAggregateWrites(debit({ entityId: undefined }) as UsageDebit)).toHaveLength(6);
    // DynamoDB refuses two operations on one item in a transaction: every key differs, and none is a session's.
    const ids = writes.map((w) => `${w.Update!.Key!.pk}|${w.Update!.Key!.sk}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id.startsWith('USAGE#'))).toBe(true);
    // Each is a small item (under 1 KB: 1 WCU, 2 in a transaction; DynamoDB Local does not report transaction capacity per item).
    await ddb().send(new TransactWriteCommand({ TransactItems: writes }));
    for (const w of writes) expect(JSON.stringify(await get(w.Update!.Key as { pk: string; sk: string })).length).toBeLessThan(1024);
    // With a turn's message and session update, far below DynamoDB's 100-item transaction limit.
    expect(writes.length + 2).toBeLessThan(MAX_TRANSACTION_ITEMS);
  });

  it('commit with the assistant message, or not at all', async () => {
    const s = await newSession();
    const d = debit({ userId: s.userId, chatAppId: s.chatAppId });
    await appendMessage({ userId: s.userId, sessionId: s.sessionId, role: 'assistant', content: 'hi', transactItems: usageAggregateWrites(d) });
    const userDay = await get(keys.usageUserDay(s.userId, s.chatAppId, dayOf(d.at)));
    expect(userDay).toMatchObject({ inputTokens: 100, outputTokens: 50, totalCost: 0.00105, turns: 1 });

    // The session does not exist: NOT_FOUND, and no aggregate moved.
    const missing = debit();
    await expect(
      appendMessage({ userId: missing.userId, sessionId: uid('nosession'), role: 'assistant', content: 'hi', transactItems: usageAggregateWrites(missing) }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    for (const { key } of aggregateTargets(missing)) expect(await get(key)).toBeUndefined();
    // Mistakes DynamoDB would only report at run time are named before anything is sent.
    await expect(
      appendMessage({
        userId: s.userId,
        sessionId: s.sessionId,
        role: 'assistant',
        content: 'x',
        transactItems: Array.from({ length: 99 }, (_, i) => usageAggregateWrites(debit({ userId: `u${i}` }))[0]!),
      }),
    ).rejects.toThrow(/transaction items/);
    await expect(
      appendMessage({
        userId: s.userId,
        sessionId: s.sessionId,
        role: 'assistant',
        content: 'x',
        transactItems: [...usageAggregateWrites(d), usageAggregateWrites(d)[0]!],
      }),
    ).rejects.toThrow(/two operations on one item/);
    await expect(
      appendMessage({
        userId: s.userId,
        sessionId: s.sessionId,
        role: 'assistant',
        content: 'x',
        transactItems: [
          { Update: { TableName: tableName(), Key: keys.session(s.sessionId), UpdateExpression: 'SET x = :x', ExpressionAttributeValues: { ':x': 1 } } },
        ],
      }),
    ).rejects.toThrow(/two operations on one item/);
  });

  it("a title's cost commits with the title; a session titled meanwhile keeps its title and is still debited", async () => {
    const s = await newSession();
    const d = debit({ userId: s.userId, chatAppId: s.chatAppId, turns: 0 });
    const usage = { inputTokens: 10, outputTokens: 5, totalCost: 0.0001 };
    expect(await setGeneratedTitle(s.sessionId, 'Generated', usage, usageAggregateWrites({ ...d, usage }))).toBe(true);
    expect(await get(keys.usageUserDay(s.userId, s.chatAppId, dayOf(d.at)))).toMatchObject({ ...usage, turns: 0 });
    // Titled already: the title stays, the usage goes to the session and the aggregates all the same.
    expect(await setGeneratedTitle(s.sessionId, 'Another', usage, usageAggregateWrites({ ...d, usage }))).toBe(false);
    expect(await getSession(s.sessionId)).toMatchObject({ title: 'Generated', inputTokens: 20, outputTokens: 10 });
    expect(await get(keys.usageUserDay(s.userId, s.chatAppId, dayOf(d.at)))).toMatchObject({ inputTokens: 20, outputTokens: 10, totalCost: 0.0002 });
  });

  it('concurrent debits of the same items add up exactly (ADD is atomic; conflicts are retried)', async () => {
    const d = debit();
    await Promise.all(Array.from({ length: 20 }, () => debitUsage(d)));
    const expected = { inputTokens: 2000, outputTokens: 1000, totalCost: 0.021, turns: 20 };
    for (const { key } of aggregateTargets(d)) expect(await get(key)).toMatchObject(expected);
    expect(await get(keys.usageChatApp(d.chatAppId, `M#${monthOf(d.at)}`))).toMatchObject(expected);
    const report = await userDailyUsage(d.userId, d.chatAppId, { from: '2026-03-01', to: '2026-03-31' });
    expect(report).toEqual({ totals: expected, items: [{ date: '2026-03-15', ...expected }] });
    // Nothing to debit: no write.
    const empty = debit({ usage: { inputTokens: 0, outputTokens: 0, totalCost: 0 }, turns: 0 });
    await debitUsage(empty);
    expect(await get(aggregateTargets(empty)[0]!.key)).toBeUndefined();
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
