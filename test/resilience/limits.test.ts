/** Size limits: long answers fit the item limit (cut at MAX_ANSWER_BYTES on a character boundary). */
import { describe, expect, it } from 'vitest';
import { MAX_ANSWER_BYTES, truncateUtf8 } from '../../functions/converse/run';
import { MESSAGE_MAX } from 'pika-shared/schemas';
import { token, uid } from '../api/harness';
import { converse, textOf, useConverse } from '../converse/harness';

const { api } = useConverse();

describe('limits', () => {
  it('the longest allowed message and its answer are stored exactly as streamed', async () => {
    const t = await token(uid());
    const message = 'Grüße ✓ 日本 '.repeat(Math.ceil(MESSAGE_MAX / 11)).slice(0, MESSAGE_MAX);
    expect(message).toHaveLength(MESSAGE_MAX);
    const r = await converse(api.url, t, { chatAppId: 'demo', message });
    expect(r.events.at(-1)!.event).toBe('done');
    const msgs = (await api.call('GET', `/sessions/${r.events[0]!.data.sessionId}/messages`, { token: t })).body.items;
    expect(msgs[0].content).toBe(message);
    expect(msgs[1].content).toBe(textOf(r.events));
    expect((await converse(api.url, t, { chatAppId: 'demo', message: `${message}x` })).status).toBe(400);
  });

  it('answers beyond the item budget are cut on a UTF-8 boundary and marked', () => {
    const long = 'é✓'.repeat(MAX_ANSWER_BYTES); // 5 bytes per pair: far over the budget
    const cut = truncateUtf8(long, MAX_ANSWER_BYTES);
    expect(cut.truncated).toBe(true);
    expect(Buffer.byteLength(cut.text, 'utf8')).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
    expect(Buffer.byteLength(cut.text, 'utf8')).toBeGreaterThan(MAX_ANSWER_BYTES - 4);
    expect(cut.text).not.toContain('\uFFFD');
    expect(long.startsWith(cut.text)).toBe(true);
    expect(truncateUtf8('short', MAX_ANSWER_BYTES)).toEqual({ text: 'short', truncated: false });
  });
});
