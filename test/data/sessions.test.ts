import { describe, expect, it } from 'vitest';
import { keys, KEY_ATTRIBUTES, userSessionsPartition } from '../../functions/data/keys';
import { appendMessage } from '../../functions/data/messages';
import { addSessionUsage, createSession, getSession, listUserSessions, updateSession } from '../../functions/data/sessions';
import { drain, newSession, rawIndexPartition, rawPartition, uid } from './helpers';

describe('sessions', () => {
  it('creates and reads a session without key attributes', async () => {
    const s = await createSession({ userId: uid('u'), chatAppId: 'app', agentId: 'ag', title: 'Hello', customData: { accountId: 'x' } });
    expect(s).toMatchObject({ chatAppId: 'app', agentId: 'ag', title: 'Hello', customData: { accountId: 'x' }, inputTokens: 0, outputTokens: 0, totalCost: 0 });
    expect(s.createDate).toBe(s.lastUpdate);
    const read = await getSession(s.sessionId);
    expect(read).toEqual(s);
    for (const k of KEY_ATTRIBUTES) expect(read).not.toHaveProperty(k);
    expect(await getSession(uid('missing'))).toBeUndefined();
  });

  it("lists a user's sessions newest activity first, per chat app, paginated to the last page", async () => {
    const userId = uid('u');
    const created = [];
    for (let i = 0; i < 23; i++) created.push(await createSession({ userId, chatAppId: i % 3 === 0 ? 'app-a' : 'app-b', agentId: 'ag' }));
    // Activity on the oldest session moves it to the front.
    await appendMessage({ userId, sessionId: created[0]!.sessionId, role: 'user', content: 'hi' });

    const { items, pages } = await drain((cursor) => listUserSessions({ userId, limit: 5, caller: userId, ...(cursor ? { cursor } : {}) }));
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    expect(items.map((s) => s.sessionId)).toEqual([
      created[0]!.sessionId,
      ...created
        .slice(1)
        .reverse()
        .map((s) => s.sessionId),
    ]);

    const appA = await drain((cursor) => listUserSessions({ userId, chatAppId: 'app-a', limit: 3, caller: userId, ...(cursor ? { cursor } : {}) }));
    const expectedA = created.filter((s) => s.chatAppId === 'app-a').map((s) => s.sessionId);
    expect(appA.items.map((s) => s.sessionId)).toEqual([expectedA[0], ...expectedA.slice(1).reverse()]);
    expect(appA.pages.length).toBe(3);

    // The cursor is bound to the caller and to the chat-app filter.
    const cursor = (await listUserSessions({ userId, chatAppId: 'app-a', limit: 2, caller: userId })).nextCursor!;
    expect(cursor).toBeDefined();
    for (const misuse of [
      listUserSessions({ userId, chatAppId: 'app-b', limit: 2, caller: userId, cursor }),
      listUserSessions({ userId, limit: 2, caller: userId, cursor }),
      listUserSessions({ userId, chatAppId: 'app-a', limit: 2, caller: uid('other'), cursor }),
      listUserSessions({ userId: uid('other'), chatAppId: 'app-a', limit: 2, caller: userId, cursor }),
    ]) {
      await expect(misuse).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    }
  });

  it('updates title and review flag without moving activity; unknown session is NOT_FOUND', async () => {
    const s = await newSession();
    const updated = await updateSession(s.sessionId, { title: 'Renamed', flaggedForHumanReview: true });
    expect(updated).toMatchObject({ title: 'Renamed', flaggedForHumanReview: true, lastUpdate: s.lastUpdate });
    expect(await getSession(s.sessionId)).toEqual(updated);
    await expect(updateSession(uid('missing'), { title: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await rawPartition(keys.sessionPartition(uid('missing')))).toEqual([]);
  });

  it('adds usage atomically: 50 concurrent ADDs give exact totals', async () => {
    const s = await newSession();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => addSessionUsage(s.sessionId, { inputTokens: i + 1, outputTokens: 2 * (i + 1), totalCost: (i + 1) / 10000 })),
    );
    const after = await getSession(s.sessionId);
    expect(after).toMatchObject({ inputTokens: 1275, outputTokens: 2550, totalCost: 0.1275 });
    await expect(addSessionUsage(uid('missing'), { inputTokens: 1, outputTokens: 1, totalCost: 0 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(addSessionUsage(s.sessionId, { inputTokens: -1, outputTokens: 1, totalCost: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('is indexed for its user in gsi1 and gsi2', async () => {
    const s = await newSession();
    const gsi1 = await rawIndexPartition('gsi1', userSessionsPartition(s.userId));
    expect(gsi1.map((i) => i.sessionId)).toEqual([s.sessionId]);
  });
});
