/**
 * What a converse turn writes to the session indexes (docs/data-model.md#index-projections): the indexes carry
 * what lists and search read, never what a turn changes, and a turn re-sorts the lists once, in a single write
 * outside its transactions — while every list and search still answers with the session's current counters.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ddb } from '../../functions/data/client';
import { keys, userSessionsPartition } from '../../functions/data/keys';
import { token, uid } from '../api/harness';
import { rawIndexPartition } from '../data/helpers';
import { converse, useConverse } from './harness';

const { api } = useConverse();

interface Write {
  command: string;
  updates: string[];
}

/** Records every write request's UpdateExpressions (transaction items included) until `stop()`. */
function tapWrites() {
  const writes: Write[] = [];
  let on = true;
  const client = ddb();
  const name = `indexWritesTap${Math.random()}`;
  client.middlewareStack.add(
    ((next: any, context: any) => async (args: any) => {
      const command = String(context.commandName ?? '').replace(/Command$/, '');
      if (on && /Put|Update|Delete|Write/.test(command)) {
        type Update = { Key?: { pk?: string }; UpdateExpression?: string; ExpressionAttributeNames?: Record<string, string> };
        const input = args.input as Update & { TransactItems?: { Update?: Update }[] };
        // The session item's updates only, placeholders resolved: the attribute names each one changes.
        const named = (u: Update | undefined) =>
          u?.Key?.pk?.startsWith('SESSION#') ? u.UpdateExpression?.replace(/#\w+/g, (p) => u.ExpressionAttributeNames?.[p] ?? p) : undefined;
        const updates = [named(input), ...(input.TransactItems ?? []).map((i) => named(i.Update))].filter((u): u is string => !!u);
        writes.push({ command, updates });
      }
      return next(args);
    }) as never,
    { step: 'initialize', name },
  );
  return {
    writes,
    stop: () => {
      on = false;
      client.middlewareStack.remove(name);
    },
  };
}

let tap: ReturnType<typeof tapWrites> | undefined;
afterEach(() => tap?.stop());

const movesActivity = (expr: string) => /\bgsi[124]sk\b|\blastUpdate\b/.test(expr);

describe('session index writes of a converse turn', () => {
  it('re-sorts the lists once, after the answer, outside the transactions; lists and search show current counters', async () => {
    const user = uid();
    const t = await token(user);
    const first = await converse(api.url, t, { chatAppId: 'demo', message: 'the older session' });
    const older = first.events[0]!.data.sessionId as string;
    const second = await converse(api.url, t, { chatAppId: 'demo', message: 'the newer session' });
    const newer = second.events[0]!.data.sessionId as string;
    expect((await api.call('GET', '/sessions', { token: t })).body.items.map((s: { sessionId: string }) => s.sessionId)).toEqual([newer, older]);

    tap = tapWrites();
    const turn = await converse(api.url, t, { sessionId: older, message: 'back to the older one' });
    tap.stop();
    expect(turn.events.at(-1)!.event).toBe('done');
    const moving = tap.writes.filter((w) => w.updates.some(movesActivity));
    expect(moving).toEqual([{ command: 'UpdateItem', updates: [expect.stringMatching(/gsi1sk/)] }]);
    expect(tap.writes.filter((w) => w.command === 'TransactWriteItems').length).toBe(2);

    // (after the rate limit's counter, when one is set)
    expect(tap.writes.map((w) => w.command).slice(-3)).toEqual(['TransactWriteItems', 'TransactWriteItems', 'UpdateItem']);

    // The older session comes first again, its activity being the turn's answer.
    const list = (await api.call('GET', '/sessions', { token: t })).body.items;
    expect(list.map((s: { sessionId: string }) => s.sessionId)).toEqual([older, newer]);
    const messages = (await api.call('GET', `/sessions/${older}/messages`, { token: t })).body.items;
    const answer = messages.at(-1);
    expect(answer.role).toBe('assistant');
    expect(list[0].lastUpdate).toBe(answer.createDate);

    // Lists and search answer with the whole session: the counters of both turns, which no index carries.
    const stored = (await api.call('GET', `/sessions/${older}`, { token: t })).body;
    const usageSum = messages.reduce((sum: number, m: { usage?: { totalCost: number } }) => sum + (m.usage?.totalCost ?? 0), 0);
    expect(stored.totalCost).toBeGreaterThanOrEqual(usageSum);
    expect(list[0]).toEqual(stored);
    const byCost = await api.call('POST', '/sessions/search', { token: t, body: { userId: user, sortBy: [{ field: 'totalCost', order: 'desc' }] } });
    expect(byCost.status).toBe(200);
    const found = byCost.body.sessions.find((s: { sessionId: string }) => s.sessionId === older);
    expect(found).toMatchObject({ sessionId: older, inputTokens: stored.inputTokens, outputTokens: stored.outputTokens, totalCost: stored.totalCost });

    const entries = await rawIndexPartition('gsi1', userSessionsPartition(user));
    const entry = entries.find((e) => e.sk === keys.session(older).sk && e.pk === keys.session(older).pk)!;
    expect(entry).toMatchObject({ sessionId: older, lastUpdate: answer.createDate, chatAppId: 'demo' });
    for (const changedByTurns of ['inputTokens', 'outputTokens', 'totalCost', 'turnId', 'turnLeaseUntil', 'providerAgentId']) {
      expect(entry, changedByTurns).not.toHaveProperty(changedByTurns);
    }
  });
});
