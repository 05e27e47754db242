import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/data/keys';
import { appendMessage, getMessage, listMessages } from '../../functions/data/messages';
import { getSession } from '../../functions/data/sessions';
import { drain, newSession, rawPartition } from './helpers';
import { httpErrorOf } from '../../functions/http/errors';

const usage = (n: number) => ({ inputTokens: n, outputTokens: 2 * n, inputCost: n / 1e6, outputCost: (2 * n) / 1e6, totalCost: (3 * n) / 1e6 });

describe('messages', () => {
  it('appends in order and hides component messages from the history without a filter', async () => {
    const s = await newSession();
    const base = { userId: s.userId, sessionId: s.sessionId };
    const m1 = await appendMessage({
      ...base,
      role: 'user',
      content: 'hello',
      source: 'user',
      files: [{ fileId: 'f', fileName: 'a.txt', mimeType: 'text/plain', size: 3, s3Key: 'k', uploadDate: '2024-01-01T00:00:00.000Z' }],
    });
    const hidden = await appendMessage({ ...base, role: 'user', content: 'component ping', source: 'component' });
    const m2 = await appendMessage({ ...base, role: 'assistant', content: 'hi!', metadata: { traceId: 't' } });
    const shown = await appendMessage({ ...base, role: 'user', content: 'as user', source: 'component-as-user' });

    expect(m1.createDate).toBe(new Date(decodeTime(m1.messageId)).toISOString());
    expect([m1, hidden, m2, shown].map((m) => m.messageId)).toEqual([m1, hidden, m2, shown].map((m) => m.messageId).sort());

    const history = await listMessages({ sessionId: s.sessionId, caller: s.userId });
    expect(history.items).toEqual([m1, m2, shown]);
    expect(history.nextCursor).toBeUndefined();
    const all = await drain((cursor) =>
      listMessages({ sessionId: s.sessionId, caller: s.userId, includeHidden: true, limit: 1, ...(cursor ? { cursor } : {}) }),
    );
    expect(all.items).toEqual([m1, hidden, m2, shown]);

    const raw = await rawPartition(keys.sessionPartition(s.sessionId));
    expect(raw.find((i) => i.messageId === hidden.messageId)?.sk).toBe(keys.message(s.sessionId, hidden.messageId, true).sk);
    expect(await getMessage(s.sessionId, hidden.messageId, 'component')).toEqual(hidden);
    expect(await getMessage(s.sessionId, hidden.messageId)).toBeUndefined();
  });

  it('50 concurrent appends on one session: all present, unique, strictly ordered; session consistent with them', async () => {
    const s = await newSession();
    const appended = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        appendMessage({ userId: s.userId, sessionId: s.sessionId, role: i % 2 ? 'assistant' : 'user', content: `message ${i}`, usage: usage(i + 1) }),
      ),
    );
    const ids = appended.map((m: { messageId: string }) => m.messageId);
    expect(new Set(ids).size).toBe(50);

    const { items, pages } = await drain((cursor) => listMessages({ sessionId: s.sessionId, caller: s.userId, limit: 20, ...(cursor ? { cursor } : {}) }));
    expect(pages.map((p) => p.length)).toEqual([20, 20, 10]);
    expect(items.map((m) => m.messageId).sort()).toEqual([...ids].sort());
    for (let i = 1; i < items.length; i++) {
      expect(items[i]!.messageId > items[i - 1]!.messageId).toBe(true);
      expect(items[i]!.createDate >= items[i - 1]!.createDate).toBe(true);
    }
    expect(items.map((m) => m.content).sort()).toEqual(appended.map((m: { content: string }) => m.content).sort());

    const session = await getSession(s.sessionId);
    expect(session!.lastUpdate).toBe(items[items.length - 1]!.createDate);
    expect(session).toMatchObject({ inputTokens: 1275, outputTokens: 2550, totalCost: 0.003825 });
    const rawSession = (await rawPartition(keys.sessionPartition(s.sessionId))).find((i) => i.sk === 'META')!;
    const activity = keys.sessionActivitySortKey(session!.lastUpdate, s.sessionId);
    expect([rawSession.gsi1sk, rawSession.gsi2sk, rawSession.gsi4sk]).toEqual([activity, activity, activity]);
    expect(rawSession.gsi3sk).toBe(`${s.createDate}#${s.sessionId}`);
  });

  it("refuses a message for another user's session (NOT_FOUND, nothing written)", async () => {
    const s = await newSession();
    await expect(appendMessage({ userId: 'intruder', sessionId: s.sessionId, role: 'user', content: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await rawPartition(keys.sessionPartition(s.sessionId))).map((i) => i.sk)).toEqual(['META']);
    expect(await getSession(s.sessionId)).toEqual(s);
  });

  it('rejects message cursors used by another caller, on another session or query, or edited', async () => {
    const s = await newSession();
    const other = await newSession({ userId: s.userId });
    for (let i = 0; i < 3; i++) await appendMessage({ userId: s.userId, sessionId: s.sessionId, role: 'user', content: `${i}` });
    const page = await listMessages({ sessionId: s.sessionId, caller: s.userId, limit: 1 });
    const cursor = page.nextCursor!;
    expect(cursor).toBeDefined();
    const [payload, mac] = cursor.split('.');
    const decoded = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const edited = `${Buffer.from(JSON.stringify({ ...decoded, p: { ...decoded.p, sk: 'MSG#0' } })).toString('base64url')}.${mac}`;
    const attempts = [
      listMessages({ sessionId: s.sessionId, caller: 'someone-else', cursor }),
      listMessages({ sessionId: other.sessionId, caller: s.userId, cursor }),
      listMessages({ sessionId: s.sessionId, caller: s.userId, includeHidden: true, cursor }),
      listMessages({ sessionId: s.sessionId, caller: s.userId, cursor: edited }),
      listMessages({ sessionId: s.sessionId, caller: s.userId, cursor: `${payload}.` }),
      listMessages({ sessionId: s.sessionId, caller: s.userId, cursor: 'garbage' }),
    ];
    for (const a of attempts) {
      const err = await a.catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'INVALID_CURSOR' });
      expect(httpErrorOf(err).status).toBe(400);
    }
    const second = await listMessages({ sessionId: s.sessionId, caller: s.userId, limit: 1, cursor });
    expect(second.items[0]!.content).toBe('1');
  });
});
