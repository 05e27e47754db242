import { describe, expect, it } from 'vitest';
import { INDEX_SHARDS, shardOf } from '../../functions/data/keys';
import { appendMessage } from '../../functions/data/messages';
import { createSession, listChatAppSessions, type Session } from '../../functions/data/sessions';
import { drain, uid } from './helpers';

const byCreated = (a: Session, b: Session) => `${a.createDate}#${a.sessionId}`.localeCompare(`${b.createDate}#${b.sessionId}`);

describe('sessions of a chat app (sharded gsi3/gsi4, k-way merge)', () => {
  it('lists by created / updated date in both orders across shards, with date ranges and tamper-proof cursors', async () => {
    const chatAppId = uid('app');
    const admin = uid('admin');
    const sessions: Session[] = [];
    for (let i = 0; i < 30; i++) {
      sessions.push(await createSession({ userId: uid('u'), chatAppId, agentId: 'ag' }));
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, 5)); // distinct createDates for the range test
    }
    // The test only proves the merge if the sessions really are spread over several shards.
    expect(new Set(sessions.map((s) => shardOf(s.sessionId))).size).toBe(INDEX_SHARDS);
    await createSession({ userId: uid('u'), chatAppId: uid('other-app'), agentId: 'ag' });

    const asc = [...sessions].sort(byCreated);
    const listAll = (order: 'asc' | 'desc', by: 'created' | 'updated', limit: number, range: { from?: string; to?: string } = {}) =>
      drain((cursor) => listChatAppSessions({ chatAppId, by, order, limit, caller: admin, ...range, ...(cursor ? { cursor } : {}) }));

    const up = await listAll('asc', 'created', 7);
    expect(up.pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 2]);
    expect(up.items.map((s) => s.sessionId)).toEqual(asc.map((s) => s.sessionId));
    const down = await listAll('desc', 'created', 8);
    expect(down.items.map((s) => s.sessionId)).toEqual([...asc].reverse().map((s) => s.sessionId));

    // Activity reorders the "updated" view only.
    const touched = [asc[3]!, asc[17]!, asc[0]!];
    for (const s of touched) await appendMessage({ userId: s.userId, sessionId: s.sessionId, role: 'user', content: 'ping' });
    const recent = await listAll('desc', 'updated', 4);
    expect(recent.items.slice(0, 3).map((s) => s.sessionId)).toEqual([...touched].reverse().map((s) => s.sessionId));
    expect(recent.items).toHaveLength(30);
    expect(new Set(recent.items.map((s) => s.sessionId)).size).toBe(30);
    expect((await listAll('asc', 'created', 50)).items.map((s) => s.sessionId)).toEqual(asc.map((s) => s.sessionId));

    // Inclusive date range on the index sort key.
    const from = asc[10]!.createDate;
    const to = asc[19]!.createDate;
    const expected = asc.filter((s) => s.createDate >= from && s.createDate <= to).map((s) => s.sessionId);
    expect(expected.length).toBeGreaterThanOrEqual(10);
    const ranged = await listAll('asc', 'created', 3, { from, to });
    expect(ranged.items.map((s) => s.sessionId)).toEqual(expected);
    const fromOnly = await listAll('desc', 'created', 6, { from });
    expect(fromOnly.items.map((s) => s.sessionId)).toEqual(
      asc
        .filter((s) => s.createDate >= from)
        .reverse()
        .map((s) => s.sessionId),
    );

    // A cursor works only for the query (filters included) and caller it was issued for.
    const first = await listChatAppSessions({ chatAppId, by: 'created', order: 'asc', limit: 5, caller: admin });
    const cursor = first.nextCursor!;
    expect(cursor).toBeDefined();
    const next = await listChatAppSessions({ chatAppId, by: 'created', order: 'asc', limit: 5, caller: admin, cursor });
    expect(next.items.map((s) => s.sessionId)).toEqual(asc.slice(5, 10).map((s) => s.sessionId));
    const misuse = [
      { chatAppId: uid('app'), by: 'created' as const, order: 'asc' as const, caller: admin },
      { chatAppId, by: 'updated' as const, order: 'asc' as const, caller: admin },
      { chatAppId, by: 'created' as const, order: 'desc' as const, caller: admin },
      { chatAppId, by: 'created' as const, order: 'asc' as const, caller: uid('someone-else') },
      { chatAppId, by: 'created' as const, order: 'asc' as const, caller: admin, from },
    ];
    for (const q of misuse) await expect(listChatAppSessions({ ...q, limit: 5, cursor })).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    await expect(listChatAppSessions({ chatAppId, by: 'created', order: 'asc', caller: admin, from: 'yesterday' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});
