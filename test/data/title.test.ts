import { describe, expect, it } from 'vitest';
import { createSession, getSession, setGeneratedTitle, updateSession } from '../../functions/data/sessions';
import { uid } from './helpers';

describe('setGeneratedTitle', () => {
  it('sets the title and adds its usage in one write', async () => {
    const s = await createSession({ userId: uid('u'), chatAppId: 'demo', agentId: 'echo' });
    expect(await setGeneratedTitle(s.sessionId, 'About orders', { inputTokens: 10, outputTokens: 3, totalCost: 0.0001 })).toBe(true);
    expect(await getSession(s.sessionId)).toMatchObject({ title: 'About orders', inputTokens: 10, outputTokens: 3, totalCost: 0.0001 });
  });

  it('keeps a title the user set meanwhile, and still counts the title\u2019s cost', async () => {
    const s = await createSession({ userId: uid('u'), chatAppId: 'demo', agentId: 'echo' });
    await updateSession(s.sessionId, { title: 'Mine' });
    expect(await setGeneratedTitle(s.sessionId, 'Generated', { inputTokens: 5, outputTokens: 2, totalCost: 0.00005 })).toBe(false);
    expect(await getSession(s.sessionId)).toMatchObject({ title: 'Mine', inputTokens: 5, outputTokens: 2, totalCost: 0.00005 });
  });
});
