import { describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, tableName } from '../../functions/data/client';
import { TITLE_CLAIM_ATTRIBUTE } from '../../functions/data/items';
import { keys } from '../../functions/data/keys';
import { appendMessage } from '../../functions/data/messages';
import { createSession, generatedTitleExtras, getSession, setGeneratedTitle, updateSession } from '../../functions/data/sessions';
import { uid } from './helpers';

describe('setGeneratedTitle', () => {
  it('sets the title and adds its usage in one write', async () => {
    const s = await createSession({ userId: uid('u'), chatAppId: 'demo', agentId: 'echo' });
    const usage = { inputTokens: 10, outputTokens: 3, inputCost: 0.00006, outputCost: 0.00004, totalCost: 0.0001 };
    expect(await setGeneratedTitle(s.sessionId, 'About orders', usage)).toBe(true);
    // The session's counters hold the title's tokens, and titleUsage says they are the title's.
    expect(await getSession(s.sessionId)).toMatchObject({ title: 'About orders', inputTokens: 10, outputTokens: 3, totalCost: 0.0001, titleUsage: usage });
  });

  it('keeps a title the user set meanwhile, and still counts the title\u2019s cost', async () => {
    const s = await createSession({ userId: uid('u'), chatAppId: 'demo', agentId: 'echo' });
    await updateSession(s.sessionId, { title: 'Mine' });
    const usage = { inputTokens: 5, outputTokens: 2, inputCost: 0.00003, outputCost: 0.00002, totalCost: 0.00005 };
    expect(await setGeneratedTitle(s.sessionId, 'Generated', usage)).toBe(false);
    expect(await getSession(s.sessionId)).toMatchObject({ title: 'Mine', inputTokens: 5, outputTokens: 2, totalCost: 0.00005, titleUsage: usage });
  });
});

describe('a generated title with the answer (generatedTitleExtras)', () => {
  const answer = { inputTokens: 13, outputTokens: 4, inputCost: 0.000039, outputCost: 0.00006, totalCost: 0.000099 };
  const title = { inputTokens: 15, outputTokens: 5, inputCost: 0.000004, outputCost: 0.000006, totalCost: 0.00001 };
  const answerWithTitle = (userId: string, sessionId: string, generated: string) =>
    appendMessage({ userId, sessionId, role: 'assistant', content: 'a', usage: answer, sessionExtras: generatedTitleExtras(generated, title) });

  it('sets the title, releases the claim and adds its usage to the answer’s in the answer’s one session update', async () => {
    const userId = uid('u');
    const s = await createSession({ userId, chatAppId: 'demo', agentId: 'echo', titleClaimUntilMs: Date.now() + 60_000 });
    await answerWithTitle(userId, s.sessionId, 'About orders');
    const raw = await rawSession(s.sessionId);
    expect(raw).toMatchObject({ title: 'About orders', inputTokens: 28, outputTokens: 9, totalCost: 0.000109 });
    expect(raw[TITLE_CLAIM_ATTRIBUTE]).toBeUndefined();
  });

  it('keeps a title the user set meanwhile, and still counts the title’s cost', async () => {
    const userId = uid('u');
    const s = await createSession({ userId, chatAppId: 'demo', agentId: 'echo' });
    await updateSession(s.sessionId, { title: 'Mine' });
    await answerWithTitle(userId, s.sessionId, 'Generated');
    expect(await getSession(s.sessionId)).toMatchObject({ title: 'Mine', inputTokens: 28, outputTokens: 9, totalCost: 0.000109 });
  });
});

async function rawSession(sessionId: string) {
  return (await ddb().send(new GetCommand({ TableName: tableName(), Key: keys.session(sessionId), ConsistentRead: true }))).Item as Record<string, unknown>;
}
