import { afterEach, describe, expect, it } from 'vitest';
import { createFeedback } from '../../functions/data/feedback';
import { putInsights } from '../../functions/data/insights';
import { keys } from '../../functions/data/keys';
import { appendMessage } from '../../functions/data/messages';
import { getSession } from '../../functions/data/sessions';
import { itemExpiresAt } from '../../functions/data/ttl';
import { sampleInsights } from './fixtures';
import { newSession, rawPartition } from './helpers';

const DAY = 24 * 3600;

describe('TTL (expiresAt from ITEM_TTL_DAYS)', () => {
  afterEach(() => {
    delete process.env.ITEM_TTL_DAYS;
  });

  it('is absent unless configured', async () => {
    delete process.env.ITEM_TTL_DAYS;
    expect(itemExpiresAt()).toBeUndefined();
    const s = await newSession();
    await appendMessage({ userId: s.userId, sessionId: s.sessionId, role: 'user', content: 'x' });
    for (const item of await rawPartition(keys.sessionPartition(s.sessionId))) expect(item).not.toHaveProperty('expiresAt');
  });

  it('is set on sessions, messages, feedback and insights, pushed forward by activity, and never returned', async () => {
    process.env.ITEM_TTL_DAYS = '7';
    const before = Math.floor(Date.now() / 1000);
    const s = await newSession();
    expect(s).not.toHaveProperty('expiresAt');
    expect(await getSession(s.sessionId)).not.toHaveProperty('expiresAt');
    const m = await appendMessage({ userId: s.userId, sessionId: s.sessionId, role: 'user', content: 'x' });
    expect(m).not.toHaveProperty('expiresAt');
    await createFeedback({
      sessionId: s.sessionId,
      userId: s.userId,
      type: 'other',
      severity: 'low',
      title: 't',
      description: 'd',
      reportedByHuman: true,
      createdByCustomer: false,
    });
    await putInsights(s.sessionId, sampleInsights());
    const all = await rawPartition(keys.sessionPartition(s.sessionId));
    // The session's retention entry (no content) outlives it by a grace: test/converse/retention.test.ts.
    expect(all.map((i) => i.sk)).toContain('RETENTION');
    const items = all.filter((i) => i.sk !== 'RETENTION');
    expect(items).toHaveLength(4);
    const after = Math.floor(Date.now() / 1000) + 1;
    for (const item of items) {
      expect(item.expiresAt).toBeGreaterThanOrEqual(before + 7 * DAY);
      expect(item.expiresAt).toBeLessThanOrEqual(after + 7 * DAY);
    }
    process.env.ITEM_TTL_DAYS = '30';
    await appendMessage({ userId: s.userId, sessionId: s.sessionId, role: 'user', content: 'y' });
    const meta = (await rawPartition(keys.sessionPartition(s.sessionId))).find((i) => i.sk === 'META')!;
    expect(meta.expiresAt).toBeGreaterThanOrEqual(before + 30 * DAY);
  });

  it('rejects a malformed configuration', () => {
    process.env.ITEM_TTL_DAYS = 'soon';
    expect(() => itemExpiresAt()).toThrow(/ITEM_TTL_DAYS/);
    process.env.ITEM_TTL_DAYS = '-1';
    expect(() => itemExpiresAt()).toThrow(/ITEM_TTL_DAYS/);
  });
});
