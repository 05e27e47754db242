/**
 * "Forget me" means forget (issue 27 item 3): a turn still running when the user asks their memory to be
 * forgotten — here a silent emulator agent, thinking while DELETE /users/me/memory returns — records nothing
 * of its exchange afterwards; a turn started after the forget records as usual. (The turn's second check, after
 * recording, closes the race where the forget listed the memory before the event landed: functions/converse/memory.ts.)
 */
import { readServerSentEvents } from 'pika-shared/client';
import { describe, expect, it } from 'vitest';
import { memoryIdOf } from 'pika-shared/schemas';
import { putAgent, putChatApp } from '../../functions/data/config';
import { nowIso } from '../../functions/data/items';
import { actorIdFor } from '../../functions/memory/registry';
import { emulatorHarnessArn } from '../../scripts/agent-emulator';
import { DEMO_MEMORY_APP, DEMO_MEMORY_ARN } from '../../scripts/local/demo-memory';
import { apiClient, token, uid } from '../api/harness';
import { useLocalStack } from '../support/stack';
import { TEST_PRICING } from './harness';

// `silent` agents think this long before answering: the forget below happens while the turn runs.
const stack = useLocalStack({ emulator: { chunkDelayMs: 2, silentMs: 1_500 } });
const api = apiClient(stack.api);
const MEMORY_ID = memoryIdOf(DEMO_MEMORY_ARN)!;

async function slowMemoryApp(): Promise<string> {
  const now = nowIso();
  const agentId = uid('silentmem');
  await putAgent({
    agentId,
    agent: { kind: 'agentcore-harness', harnessArn: emulatorHarnessArn('silent') },
    pricing: TEST_PRICING,
    createDate: now,
    lastUpdate: now,
  });
  const chatAppId = uid('forgetapp');
  await putChatApp({ ...DEMO_MEMORY_APP, chatAppId, agentId, allowedAgentIds: [], createDate: now, lastUpdate: now });
  return chatAppId;
}

/** Starts a turn; resolves `started` once the stream has begun (the session event), and `ended` with the last event. */
function startTurn(t: string, body: Record<string, unknown>) {
  let began: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (began = resolve));
  const ended = (async () => {
    const res = await fetch(`${api.url}/converse`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const events: { event: string; data: any }[] = [];
    for await (const e of readServerSentEvents(res.body!)) {
      events.push(e as { event: string; data: any });
      if (e.event === 'session') began();
    }
    began();
    return events;
  })();
  return { started, ended };
}

describe('forget me during a running turn', () => {
  it('the running turn’s exchange never reaches memory; a later turn is remembered again', async () => {
    const chatAppId = await slowMemoryApp();
    const user = uid('forget');
    const t = await token(user);
    const actor = actorIdFor(user);

    const turn = startTurn(t, { chatAppId, message: 'My secret word is pelican' });
    await turn.started;
    let turnEnded = false;
    const ended = turn.ended.then((events) => ((turnEnded = true), events));
    const forgot = await api.call('DELETE', '/users/me/memory', { token: t });
    expect(forgot.status).toBe(200);
    // Still running when the forget returned (a precondition of what this test shows, not a timing goal).
    expect(turnEnded).toBe(false);
    const events = await ended;
    expect(events.at(-1)?.event, JSON.stringify(events.at(-1))).toBe('done');

    expect(stack.emulator().memory.events(MEMORY_ID, actor)).toEqual([]);
    expect(stack.emulator().memory.records(MEMORY_ID, `/users/${actor}/`)).toEqual([]);
    expect((await api.call('GET', '/users/me/memory', { token: t })).body.items).toEqual([]);

    // A turn that starts after the forget is remembered as usual.
    const after = startTurn(t, { chatAppId, message: 'My lucky number is seven' });
    expect((await after.ended).at(-1)?.event).toBe('done');
    expect(stack.emulator().memory.events(MEMORY_ID, actor)).toHaveLength(1);
    expect((await api.call('GET', '/users/me/memory', { token: t })).body.items.map((r: { content: string }) => r.content)).toEqual([
      'My lucky number is seven',
    ]);
  });
});
