/** Concurrent writers over HTTP: nothing lost, counters exact, races on one field end in 409, not in a lost update. */
import { describe, expect, it } from 'vitest';
import { ROLES, token, uid } from '../api/harness';
import { converse, textOf, useConverse } from '../converse/harness';

const { api } = useConverse();

describe('concurrency', () => {
  it('concurrent converse turns on one session: each runs or is refused (one at a time), stored in order, counters equal the sum of the messages', async () => {
    const t = await token(uid());
    // A title of our own from the start: no generated title (and its cost) lands while we count.
    const sessionId = (await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo', title: 'fixed' } })).body.sessionId as string;
    const first = await converse(api.url, t, { sessionId, message: 'start' });
    expect(first.events.at(-1)!.event).toBe('done');
    const before = (await api.call('GET', `/sessions/${sessionId}`, { token: t })).body;
    const turns = await Promise.all(Array.from({ length: 8 }, (_, i) => converse(api.url, t, { sessionId, message: `turn ${i}` })));
    const ran: number[] = [];
    for (const [i, r] of turns.entries()) {
      if (r.status === 409) {
        expect(r.error.error.code).toBe('TURN_IN_PROGRESS');
        continue;
      }
      ran.push(i);
      expect(r.events.at(-1)!.event).toBe('done');
      expect(textOf(r.events)).toContain(`turn ${i}`);
    }
    expect(ran.length).toBeGreaterThanOrEqual(1);
    const items: any[] = [];
    let cursor: string | undefined;
    do {
      const page = (await api.call('GET', `/sessions/${sessionId}/messages?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: t }))
        .body;
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(items).toHaveLength(2 + 2 * ran.length);
    const idsInOrder = items.map((m) => m.messageId);
    expect([...idsInOrder].sort()).toEqual(idsInOrder);
    expect(new Set(idsInOrder).size).toBe(idsInOrder.length);
    // Each user message is followed by its own answer.
    for (const i of ran) {
      const q = items.findIndex((m) => m.content === `turn ${i}`);
      const a = items.findIndex((m) => m.role === 'assistant' && m.content.endsWith(`turn ${i}`));
      expect(q).toBeGreaterThanOrEqual(0);
      expect(a).toBe(q + 1);
    }
    const after = (await api.call('GET', `/sessions/${sessionId}`, { token: t })).body;
    const added = items
      .slice(2)
      .reduce((s, m) => ({ i: s.i + (m.usage?.inputTokens ?? 0), o: s.o + (m.usage?.outputTokens ?? 0), c: s.c + (m.usage?.totalCost ?? 0) }), {
        i: 0,
        o: 0,
        c: 0,
      });
    expect(after.inputTokens - before.inputTokens).toBe(added.i);
    expect(after.outputTokens - before.outputTokens).toBe(added.o);
    expect(after.totalCost - before.totalCost).toBeCloseTo(added.c, 9);
    expect(after.lastUpdate >= items.at(-1).createDate).toBe(true);
  });

  it('concurrent partial widget merges of different keys: every key is kept', async () => {
    const t = await token(uid());
    await api.call('PUT', '/widget-data/custom/race', { token: t, body: { data: { base: 0 } } });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => api.call('PUT', '/widget-data/custom/race', { token: t, body: { data: { [`k${i}`]: i }, partial: true } })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const data = (await api.call('GET', '/widget-data/custom/race', { token: t })).body.data;
    expect(Object.keys(data).sort()).toEqual(['base', ...Array.from({ length: 30 }, (_, i) => `k${i}`)].sort());
  });

  it('concurrent feedback status changes from the same version: exactly one wins, the others get 409', async () => {
    const t = await token(uid());
    const admin = await token(uid(), [ROLES.contentAdmin]);
    const { body: s } = await api.call('POST', '/sessions', { token: t, body: { chatAppId: 'demo' } });
    const { body: fb } = await api.call('POST', `/sessions/${s.sessionId}/feedback`, {
      token: t,
      body: { type: 'other', severity: 'low', title: 't', description: 'd' },
    });
    const statuses = ['in_progress', 'resolved', 'dismissed', 'in_progress', 'resolved', 'dismissed'];
    const results = await Promise.all(
      statuses.map((status) =>
        api.call('PATCH', `/sessions/${s.sessionId}/feedback/${fb.feedbackId}`, { token: admin, body: { status, expectedLastUpdate: fb.lastUpdate } }),
      ),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.error.code === 'CONFLICT')).toHaveLength(statuses.length - 1);
    const stored = (await api.call('GET', `/sessions/${s.sessionId}/feedback`, { token: t })).body.items[0];
    expect(stored.status).toBe(winners[0]!.body.status);
  });
});
