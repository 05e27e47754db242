/**
 * The erasure job's step protocol (functions/lifecycle/erase-user.ts) against DynamoDB Local, one step at a time
 * through a captured queue: a step works until its deadline and hands on to the next step; a redelivered
 * (stale) step changes nothing; an early step is refused to be delivered again; a crash after the next step was
 * sent but before the progress was saved is a redelivery that goes on from what is left; the last step leaves
 * only the erasure record.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getErasureRecord, startErasure } from '../../functions/data/erasure';
import { appendMessage } from '../../functions/data/messages';
import { provideLifecycleQueue, type LifecycleJob } from '../../functions/lifecycle/jobs';
import { runErasureStep } from '../../functions/lifecycle/erase-user';
import { restoreEnv } from '../support/env';
import { newSession, rawPartition, uid } from './helpers';

let sent: { job: LifecycleJob; delay: number }[] = [];
const saved = { ERASURE_SETTLE_SECONDS: process.env.ERASURE_SETTLE_SECONDS };
beforeEach(() => {
  sent = [];
  provideLifecycleQueue(async (job, delay) => void sent.push({ job, delay }));
  process.env.ERASURE_SETTLE_SECONDS = '0';
});
afterEach(() => {
  provideLifecycleQueue(undefined);
  restoreEnv(saved);
});

describe('erasure steps', () => {
  it('hands on step by step; stale and early steps; a crash between send and save; only the record is left', async () => {
    const userId = uid('steps');
    const sessions = [await newSession({ userId }), await newSession({ userId })];
    for (const s of sessions)
      for (let i = 0; i < 3; i++) await appendMessage({ userId, sessionId: s.sessionId, role: 'user', content: `m${i}`, source: 'user' });
    const { record } = await startErasure(userId, 'user');
    expect(record.step).toBe(0);

    // An early step (its predecessor has not saved): refused, so the queue delivers it again.
    await expect(runErasureStep({ userId, step: 1 }, Date.now() + 60_000)).rejects.toMatchObject({ name: 'EarlyStep' });

    // A step whose deadline is already past still does one unit of work, then hands on.
    expect(await runErasureStep({ userId, step: 0 }, Date.now() - 1)).toBe('continued');
    expect(sent.map((s) => s.job)).toEqual([{ kind: 'erase-user', userId, step: 1 }]);
    expect((await getErasureRecord(userId))?.step).toBe(1);
    const afterFirst = (await Promise.all(sessions.map((s) => rawPartition(`SESSION#${s.sessionId}`)))).flat().length;
    expect(afterFirst).toBeLessThan(8);

    // The same message delivered again: stale, nothing sent, nothing changed.
    expect(await runErasureStep({ userId, step: 0 }, Date.now() + 60_000)).toBe('stale');
    expect(sent).toHaveLength(1);

    // A crash after sending step 2 but before saving: step 1 is delivered again and redoes its work.
    provideLifecycleQueue(async (job, delay) => {
      sent.push({ job, delay });
      throw Object.assign(new Error('the container died'), { name: 'Crash' });
    });
    await expect(runErasureStep({ userId, step: 1 }, Date.now() - 1)).rejects.toMatchObject({ name: 'Crash' });
    expect((await getErasureRecord(userId))?.step).toBe(1);
    provideLifecycleQueue(async (job, delay) => void sent.push({ job, delay }));

    // Delivered again until done: each step hands on to the next, the last one finishes.
    let step = 1;
    for (let n = 0; n < 50; n++) {
      const outcome = await runErasureStep({ userId, step }, Date.now() + 60_000);
      if (outcome === 'done') break;
      expect(outcome).toBe('continued');
      step = (sent.at(-1)!.job as { step: number }).step;
    }
    const final = await getErasureRecord(userId);
    expect(final).toMatchObject({ userId, status: 'done', finishedAt: expect.any(String) });
    expect(final?.progress).toBeUndefined();
    expect(final?.counts?.sessions).toBe(2);
    for (const s of sessions) expect(await rawPartition(`SESSION#${s.sessionId}`)).toEqual([]);
    // Done: any later delivery does nothing.
    expect(await runErasureStep({ userId, step }, Date.now() + 60_000)).toBe('not-running');
  });
});
