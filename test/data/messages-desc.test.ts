import { describe, expect, it } from 'vitest';
import { appendMessage, listMessages, type StoredMessage } from '../../functions/data/messages';
import { httpErrorOf } from '../../functions/http/errors';
import { drain, newSession } from './helpers';

/** A long session: `n` shown messages (and a hidden one every 50), appended in order; their ids oldest first. */
async function longSession(n: number) {
  const s = await newSession();
  const shown: StoredMessage[] = [];
  for (let i = 0; i < n; i++) {
    shown.push(await appendMessage({ userId: s.userId, sessionId: s.sessionId, role: i % 2 ? 'assistant' : 'user', content: `m${i}`, source: 'user' }));
    if (i % 50 === 49) await appendMessage({ userId: s.userId, sessionId: s.sessionId, role: 'user', content: `hidden ${i}`, source: 'component' });
  }
  return { s, ids: shown.map((m) => m.messageId) };
}

describe('messages newest first (order desc)', () => {
  it('opens a 250-message session with one page of the newest, then pages backwards over all exactly once', async () => {
    const { s, ids } = await longSession(250);
    const newestFirst = [...ids].reverse();

    const first = await listMessages({ sessionId: s.sessionId, caller: s.userId, limit: 30, order: 'desc' });
    expect(first.items.map((m) => m.messageId)).toEqual(newestFirst.slice(0, 30));
    expect(first.items[0]!.content).toBe('m249');
    expect(first.nextCursor).toBeDefined();

    const { items, pages } = await drain((cursor) =>
      listMessages({ sessionId: s.sessionId, caller: s.userId, limit: 30, order: 'desc', ...(cursor ? { cursor } : {}) }),
    );
    expect(pages.map((p) => p.length)).toEqual([30, 30, 30, 30, 30, 30, 30, 30, 10]);
    expect(items.map((m) => m.messageId)).toEqual(newestFirst);

    // The default stays oldest first.
    const asc = await listMessages({ sessionId: s.sessionId, caller: s.userId, limit: 5 });
    expect(asc.items.map((m) => m.messageId)).toEqual(ids.slice(0, 5));
    expect((await listMessages({ sessionId: s.sessionId, caller: s.userId, limit: 5, order: 'asc' })).items).toEqual(asc.items);

    // With hidden messages (service use), newest first too: shown and hidden merged by id, each once.
    const all = await drain((cursor) =>
      listMessages({ sessionId: s.sessionId, caller: s.userId, limit: 40, order: 'desc', includeHidden: true, ...(cursor ? { cursor } : {}) }),
    );
    expect(all.items).toHaveLength(255);
    const allIds = all.items.map((m) => m.messageId);
    expect(allIds).toEqual([...allIds].sort().reverse());
    expect(all.items.filter((m) => m.source === 'component').map((m) => m.content)).toEqual([249, 199, 149, 99, 49].map((i) => `hidden ${i}`));
  });

  it('refuses a cursor of one order in the other (INVALID_CURSOR, 400) and keeps asc cursors working', async () => {
    const { s, ids } = await longSession(5);
    const asc = await listMessages({ sessionId: s.sessionId, caller: s.userId, limit: 2 });
    const desc = await listMessages({ sessionId: s.sessionId, caller: s.userId, limit: 2, order: 'desc' });
    const attempts = [
      () => listMessages({ sessionId: s.sessionId, caller: s.userId, order: 'desc', cursor: asc.nextCursor! }),
      () => listMessages({ sessionId: s.sessionId, caller: s.userId, cursor: desc.nextCursor! }),
      () => listMessages({ sessionId: s.sessionId, caller: s.userId, order: 'asc', cursor: desc.nextCursor! }),
      () => listMessages({ sessionId: s.sessionId, caller: 'someone-else', order: 'desc', cursor: desc.nextCursor! }),
      () => listMessages({ sessionId: s.sessionId, caller: s.userId, order: 'desc', includeHidden: true, cursor: desc.nextCursor! }),
    ];
    for (const attempt of attempts) {
      const err = await attempt().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'INVALID_CURSOR' });
      expect(httpErrorOf(err).status).toBe(400);
    }
    // Each cursor goes on in its own order; an asc cursor is accepted with order asc given explicitly.
    expect(
      (await listMessages({ sessionId: s.sessionId, caller: s.userId, limit: 2, order: 'desc', cursor: desc.nextCursor! })).items.map((m) => m.messageId),
    ).toEqual([ids[2], ids[1]]);
    expect(
      (await listMessages({ sessionId: s.sessionId, caller: s.userId, limit: 2, order: 'asc', cursor: asc.nextCursor! })).items.map((m) => m.messageId),
    ).toEqual([ids[2], ids[3]]);
  });
});
