import { describe, expect, it } from 'vitest';
import type { SessionFeedbackSeverity, SessionFeedbackType } from 'pika-shared/types/chatbot/chatbot-types';
import {
  addInternalComment,
  createFeedback,
  getFeedback,
  listFeedback,
  listSessionFeedback,
  updateFeedback,
  type CreateFeedbackInput,
  type Feedback,
} from '../../functions/data/feedback';
import { feedbackStatusPartition, keys, shardOf } from '../../functions/data/keys';
import { drain, newSession, rawIndexPartition, rawPartition, uid } from './helpers';
import { httpErrorOf } from '../../functions/http/errors';

const input = (sessionId: string, userId: string, over: Partial<CreateFeedbackInput> = {}): CreateFeedbackInput => ({
  sessionId,
  userId,
  type: 'incorrect_response',
  severity: 'medium',
  title: 'Wrong answer',
  description: 'It said 42',
  reportedByHuman: true,
  createdByCustomer: true,
  ...over,
});
const newestFirst = (items: Feedback[]) =>
  items.every((f, i) => i === 0 || `${items[i - 1]!.createDate}#${items[i - 1]!.feedbackId}` > `${f.createDate}#${f.feedbackId}`);

describe('feedback', () => {
  it('is created only on an existing session, read, and listed per session', async () => {
    const missing = uid('nosession');
    await expect(createFeedback(input(missing, 'u'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await rawPartition(keys.sessionPartition(missing))).toEqual([]);

    const s = await newSession();
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await createFeedback(input(s.sessionId, s.userId, { title: `t${i}` })));
    expect(created[0]).toMatchObject({ status: 'new', title: 't0', sessionId: s.sessionId, userId: s.userId });
    expect(created[0]!.createDate).toBe(created[0]!.lastUpdate);
    expect(await getFeedback(s.sessionId, created[0]!.feedbackId)).toEqual(created[0]);
    expect(await getFeedback(s.sessionId, 'nope')).toBeUndefined();
    const listed = await drain((cursor) => listSessionFeedback(s.sessionId, { limit: 2, caller: s.userId, ...(cursor ? { cursor } : {}) }));
    expect(listed.items).toEqual(created);
    expect(listed.pages.length).toBe(3);
  });

  it('moves between status partitions on update; racing updates: one wins, the others get CONFLICT', async () => {
    const s = await newSession();
    const f = await createFeedback(input(s.sessionId, s.userId));
    const shard = shardOf(f.feedbackId);
    expect((await rawIndexPartition('gsi1', feedbackStatusPartition('new', shard))).some((i) => i.feedbackId === f.feedbackId)).toBe(true);

    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        updateFeedback(s.sessionId, f.feedbackId, { status: i % 2 ? 'resolved' : 'in_progress', severity: 'high' }, f.lastUpdate),
      ),
    );
    const won = results.filter((r): r is PromiseFulfilledResult<Feedback> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(7);
    for (const l of lost) {
      expect(l.reason).toMatchObject({ code: 'CONFLICT' });
      expect(httpErrorOf(l.reason).status).toBe(409);
    }
    const winner = won[0]!.value;
    expect(winner.lastUpdate > f.lastUpdate).toBe(true);
    expect(await getFeedback(s.sessionId, f.feedbackId)).toEqual(winner);
    expect(lost[0]!.reason.details).toEqual({ lastUpdate: winner.lastUpdate });

    // The index entry moved with the status (and left 'new').
    expect((await rawIndexPartition('gsi1', feedbackStatusPartition('new', shard))).some((i) => i.feedbackId === f.feedbackId)).toBe(false);
    expect((await rawIndexPartition('gsi1', feedbackStatusPartition(winner.status, shard))).some((i) => i.feedbackId === f.feedbackId)).toBe(true);

    // Without an expected value the current one is used; a stale one is a conflict.
    const dismissed = await updateFeedback(s.sessionId, f.feedbackId, { status: 'dismissed' });
    expect(dismissed).toMatchObject({ status: 'dismissed', severity: 'high' });
    await expect(updateFeedback(s.sessionId, f.feedbackId, { severity: 'low' }, winner.lastUpdate)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(updateFeedback(s.sessionId, 'nope', { severity: 'low' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(updateFeedback(s.sessionId, 'nope', { severity: 'low' }, winner.lastUpdate)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('appends internal comments atomically', async () => {
    const s = await newSession();
    const f = await createFeedback(input(s.sessionId, s.userId));
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        addInternalComment(s.sessionId, f.feedbackId, { comment: `c${i}`, userId: 'admin', createDate: new Date().toISOString() } as never),
      ),
    );
    const after = await getFeedback(s.sessionId, f.feedbackId);
    expect((after!.internalComments as unknown as Array<{ comment: string }>).map((c) => c.comment).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `c${i}`).sort(),
    );
    await expect(addInternalComment(s.sessionId, 'nope', { comment: 'x' } as never)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lists across users newest first by status, severity and type (sharded merge + filter), paginated', async () => {
    const severities: SessionFeedbackSeverity[] = ['critical', 'high', 'medium', 'low'];
    const types: SessionFeedbackType[] = ['incorrect_response', 'other', 'technical_error'];
    const mine: Feedback[] = [];
    for (let i = 0; i < 36; i++) {
      const s = await newSession();
      mine.push(await createFeedback(input(s.sessionId, s.userId, { severity: severities[i % 4]!, type: types[i % 3]!, title: `x${i}` })));
    }
    for (const f of mine.slice(0, 6)) await updateFeedback(f.sessionId, f.feedbackId, { status: 'resolved' });
    const ids = new Set(mine.map((f) => f.feedbackId));
    const admin = uid('admin');
    const list = (q: Parameters<typeof listFeedback>[0]) => drain((cursor) => listFeedback({ ...q, ...(cursor ? { cursor } : {}) }));

    const all = await list({ limit: 7, caller: admin });
    expect(newestFirst(all.items)).toBe(true);
    expect(new Set(all.items.map((f) => f.feedbackId)).size).toBe(all.items.length);
    const allMine = all.items.filter((f) => ids.has(f.feedbackId));
    expect(allMine.map((f) => f.feedbackId)).toEqual([...mine].reverse().map((f) => f.feedbackId));

    const fresh = await list({ status: 'new', limit: 5, caller: admin });
    expect(fresh.items.every((f) => f.status === 'new')).toBe(true);
    expect(fresh.items.filter((f) => ids.has(f.feedbackId)).map((f) => f.feedbackId)).toEqual(
      mine
        .slice(6)
        .reverse()
        .map((f) => f.feedbackId),
    );

    const critical = await list({ severity: 'critical', type: 'other', limit: 2, caller: admin });
    expect(critical.items.every((f) => f.severity === 'critical' && f.type === 'other')).toBe(true);
    expect(newestFirst(critical.items)).toBe(true);
    const expected = mine.filter((f) => f.severity === 'critical' && f.type === 'other').reverse();
    expect(expected.length).toBe(3);
    expect(critical.items.filter((f) => ids.has(f.feedbackId)).map((f) => f.feedbackId)).toEqual(expected.map((f) => f.feedbackId));

    const resolvedHigh = await list({ status: ['resolved'], severity: ['high', 'critical'], limit: 1, caller: admin });
    const expectedResolved = mine
      .slice(0, 6)
      .filter((f) => f.severity === 'high' || f.severity === 'critical')
      .reverse();
    expect(resolvedHigh.items.filter((f) => ids.has(f.feedbackId)).map((f) => f.feedbackId)).toEqual(expectedResolved.map((f) => f.feedbackId));

    const page = await listFeedback({ status: 'new', limit: 2, caller: admin });
    await expect(listFeedback({ status: 'resolved', limit: 2, caller: admin, cursor: page.nextCursor! })).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    await expect(listFeedback({ status: 'new', severity: 'low', limit: 2, caller: admin, cursor: page.nextCursor! })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
    await expect(listFeedback({ status: 'new', limit: 2, caller: 'other-admin', cursor: page.nextCursor! })).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
  });
});
