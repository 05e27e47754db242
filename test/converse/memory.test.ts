/**
 * User memory over HTTP through the local server and the agent emulator (AgentCore Memory data plane with
 * the real SDK client): a fact stated in one session is recalled in a new one, for the harness, classic and
 * runtime kinds; the user's own memory through /users/me/memory; "forget me"; another user's record is a 404;
 * memory down never fails a turn.
 */
import { describe, expect, it } from 'vitest';
import { memoryIdOf } from 'pika-shared/schemas';
import { actorIdFor } from '../../functions/memory/registry';
import { MEMORY_FAILURES } from '../../functions/converse/memory';
import { emulatorMemoryArn } from '../../scripts/agent-emulator';
import { DEMO_MEMORY_ARN } from '../../scripts/local/demo-memory';
import { ROLES, token, uid } from '../api/harness';
import { restoreEnv } from '../support/env';
import { captureLogs } from '../support/output';
import { converse, textOf, useConverse } from './harness';

const { api, emulator } = useConverse();
const MEMORY_ID = memoryIdOf(DEMO_MEMORY_ARN)!;
const admin = () => token(uid('sadmin'), [ROLES.siteAdmin]);

async function turn(t: string, body: Record<string, unknown>) {
  const r = await converse(api.url, t, body);
  expect(r.status, JSON.stringify(r.error)).toBe(200);
  expect(r.events.at(-1)?.event, JSON.stringify(r.events.at(-1))).toBe('done');
  return textOf(r.events);
}

const FACT = 'My favourite colour is teal';
const QUESTION = 'What is my favourite colour?';

describe('recall across sessions', () => {
  for (const agentId of ['echo', 'echo-classic', 'echo-runtime']) {
    it(`${agentId}: a fact of one session reaches the agent in a NEW session of the same user, and only theirs`, async () => {
      const user = uid('mem');
      const t = await token(user);
      await turn(t, { chatAppId: 'demo-memory', agentId, message: FACT });
      // The exchange was recorded: an event of the user's actor, and the emulator extracted a record from it.
      expect(emulator().memory.events(MEMORY_ID, actorIdFor(user))).toHaveLength(1);
      const answer = await turn(t, { chatAppId: 'demo-memory', agentId, message: QUESTION });
      expect(answer).toBe(`You said: ${QUESTION} [memory: ${FACT}]`);
      const sent = emulator()
        .requests()
        .filter((r) => ['InvokeAgent', 'InvokeHarness', 'InvokeAgentRuntime'].includes(r.operation))
        .at(-1)!;
      if (agentId === 'echo') expect(sent.body.actorId).toBe(actorIdFor(user));
      if (agentId === 'echo-classic') expect(sent.body.sessionState.promptSessionAttributes.userMemory).toContain(FACT);
      if (agentId === 'echo-runtime') expect(sent.body.memory).toEqual([FACT]);

      // Another user asking the same question recalls nothing of this user.
      const stranger = await token(uid('mem'));
      expect(await turn(stranger, { chatAppId: 'demo-memory', agentId, message: QUESTION })).toBe(`You said: ${QUESTION}`);
    });
  }

  it('a chat app without userMemory recalls and records nothing', async () => {
    const user = uid('mem');
    const t = await token(user);
    await turn(t, { chatAppId: 'demo', message: FACT });
    expect(emulator().memory.events(MEMORY_ID, actorIdFor(user))).toEqual([]);
    expect(await turn(t, { chatAppId: 'demo', message: QUESTION })).toBe(`You said: ${QUESTION}`);
  });
});

describe('a user’s own memory', () => {
  it('lists records with namespaces and dates, page by page; deletes one; another user’s record is a 404', async () => {
    const user = uid('mem');
    const t = await token(user);
    for (const fact of ['I live in Lisbon', 'My dog is called Rex', 'I work night shifts']) await turn(t, { chatAppId: 'demo-memory', message: fact });
    const first = await api.call('GET', '/users/me/memory?limit=2', { token: t });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0]).toMatchObject({
      recordId: expect.stringMatching(new RegExp(`^${MEMORY_ID}:mem-`)),
      memoryId: MEMORY_ID,
      namespaces: [`/users/${actorIdFor(user)}/facts`],
      createdAt: expect.any(String),
    });
    const second = await api.call('GET', `/users/me/memory?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: t });
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeUndefined();
    const all = [...first.body.items, ...second.body.items];
    expect(all.map((r) => r.content).sort()).toEqual(['I live in Lisbon', 'I work night shifts', 'My dog is called Rex']);

    const other = await token(uid('mem'));
    const rex = all.find((r) => r.content === 'My dog is called Rex')!;
    const stolen = await api.call('DELETE', `/users/me/memory/${rex.recordId}`, { token: other });
    expect(stolen.status).toBe(404);
    expect(stolen.body.error.code).toBe('NOT_FOUND');
    expect((await api.call('GET', '/users/me/memory', { token: other })).body.items).toEqual([]);
    expect((await api.call('DELETE', `/users/me/memory/${MEMORY_ID}:mem-unknown`, { token: t })).status).toBe(404);
    expect((await api.call('DELETE', `/users/me/memory/unregistered-emulator01:${rex.recordId.split(':')[1]}`, { token: t })).status).toBe(404);

    expect((await api.call('DELETE', `/users/me/memory/${rex.recordId}`, { token: t })).body).toEqual({ deleted: true });
    expect((await api.call('DELETE', `/users/me/memory/${rex.recordId}`, { token: t })).status).toBe(404);
    const left = (await api.call('GET', '/users/me/memory', { token: t })).body.items.map((r: { content: string }) => r.content);
    expect(left.sort()).toEqual(['I live in Lisbon', 'I work night shifts']);
  });

  it('forget me: every record and event of the user is gone, the next session recalls nothing, other users keep theirs', async () => {
    const user = uid('mem');
    const t = await token(user);
    const keeper = uid('mem');
    await turn(await token(keeper), { chatAppId: 'demo-memory', message: FACT });
    await turn(t, { chatAppId: 'demo-memory', message: FACT });
    await turn(t, { chatAppId: 'demo-memory', agentId: 'echo-classic', message: 'I live in Lisbon' });
    expect(await turn(t, { chatAppId: 'demo-memory', message: QUESTION })).toContain('[memory: ');

    const forgot = await api.call('DELETE', '/users/me/memory', { token: t });
    expect(forgot.status).toBe(200);
    expect(forgot.body).toEqual({ deleted: true, records: 3, events: 3 });
    expect(emulator().memory.events(MEMORY_ID, actorIdFor(user))).toEqual([]);
    expect(emulator().memory.records(MEMORY_ID, `/users/${actorIdFor(user)}/`)).toEqual([]);
    expect((await api.call('GET', '/users/me/memory', { token: t })).body.items).toEqual([]);
    expect(await turn(t, { chatAppId: 'demo-memory', message: QUESTION })).toBe(`You said: ${QUESTION}`);
    // Forgetting again is fine (only the exchange just recorded is left to forget).
    expect((await api.call('DELETE', '/users/me/memory', { token: t })).body).toEqual({ deleted: true, records: 1, events: 1 });

    expect(emulator().memory.records(MEMORY_ID, `/users/${actorIdFor(keeper)}/`)).toHaveLength(1);
    expect(emulator().memory.events(MEMORY_ID, actorIdFor(keeper))).toHaveLength(1);
  });

  it('content admins list a user’s memory (logged as viewingContentFor); users cannot', async () => {
    const user = uid('mem');
    await turn(await token(user), { chatAppId: 'demo-memory', message: FACT });
    const cadmin = uid('cadmin');
    const adminToken = await token(cadmin, [ROLES.contentAdmin]);
    let r: { status: number; body: any } | undefined;
    const logs = await captureLogs(async () => {
      r = await api.call('GET', `/users/${encodeURIComponent(user)}/memory`, { token: adminToken });
    });
    expect(r!.status).toBe(200);
    expect(r!.body.items.map((i: { content: string }) => i.content)).toEqual([FACT]);
    expect(logs.some((l) => l.includes(`"viewingContentFor":"${user}"`) && l.includes(cadmin))).toBe(true);
    expect((await api.call('GET', `/users/${encodeURIComponent(user)}/memory`, { token: await token(uid('mem')) })).status).toBe(403);
  });

  it('user ids AgentCore would refuse as actor ids are mapped to a stable hashed actor', async () => {
    const user = `auth0|${uid('mem')}@example.com`;
    const t = await token(user);
    await turn(t, { chatAppId: 'demo-memory', message: FACT });
    expect(actorIdFor(user)).toMatch(/^pika_[0-9a-f]{64}$/);
    expect(await turn(t, { chatAppId: 'demo-memory', message: QUESTION })).toBe(`You said: ${QUESTION} [memory: ${FACT}]`);
    expect((await api.call('GET', '/users/me/memory', { token: t })).body.items.map((i: { content: string }) => i.content).sort()).toEqual([FACT, QUESTION]);
  });
});

describe('memory failures', () => {
  async function withMemories(extra: string[], fn: () => Promise<void>) {
    const saved = { AGENTCORE_MEMORIES: process.env.AGENTCORE_MEMORIES, MEMORY_TIMEOUT_MS: process.env.MEMORY_TIMEOUT_MS };
    process.env.AGENTCORE_MEMORIES = JSON.stringify([{ arn: DEMO_MEMORY_ARN }, ...extra.map((arn) => ({ arn }))]);
    process.env.MEMORY_TIMEOUT_MS = '300';
    try {
      await fn();
    } finally {
      restoreEnv(saved);
    }
  }

  for (const name of ['unavailable', 'hang']) {
    it(`memory ${name}: the turn still answers (without recall), the failure is logged and counted`, async () => {
      const arn = emulatorMemoryArn(name);
      await withMemories([arn], async () => {
        const chatAppId = uid('memapp');
        const put = await api.call('PUT', `/admin/chat-apps/${chatAppId}`, {
          token: await admin(),
          body: {
            title: 'Memory down',
            enabled: true,
            agentId: 'echo',
            features: { userMemory: { featureId: 'userMemory', enabled: true, memory: arn, strategies: name === 'hang' ? ['long-term'] : undefined } },
          },
        });
        expect(put.status, JSON.stringify(put.body)).toBe(200);
        const t = await token(uid('mem'));
        let answer = '';
        const logs = await captureLogs(async () => {
          answer = await turn(t, { chatAppId, message: QUESTION });
        });
        expect(answer).toBe(`You said: ${QUESTION}`);
        const failures = logs.filter((l) => l.includes(`"${MEMORY_FAILURES}":1`));
        // unavailable: recall and record both fail; hang: recall only (the app records nothing).
        expect(failures).toHaveLength(name === 'hang' ? 1 : 2);
        expect(logs.some((l) => l.includes('user memory failed'))).toBe(true);
      });
    });
  }

  it('listing or forgetting with a memory down is a 503, never an empty answer', async () => {
    await withMemories([emulatorMemoryArn('unavailable')], async () => {
      const t = await token(uid('mem'));
      const list = await api.call('GET', '/users/me/memory', { token: t });
      expect(list.status).toBe(503);
      expect(list.body.error.code).toBe('DEPENDENCY_UNAVAILABLE');
      expect((await api.call('DELETE', '/users/me/memory', { token: t })).status).toBe(503);
    });
  });
});

describe('chat app settings', () => {
  it('PUT refuses a memory the stage does not register, a namespace outside the registered one, and a malformed setting', async () => {
    const adminToken = await admin();
    const put = (userMemory: Record<string, unknown>) =>
      api.call('PUT', `/admin/chat-apps/${uid('memapp')}`, {
        token: adminToken,
        body: { title: 't', enabled: true, agentId: 'echo', features: { userMemory: { featureId: 'userMemory', enabled: true, ...userMemory } } },
      });
    const unregistered = await put({ memory: emulatorMemoryArn('someone_else') });
    expect(unregistered.status).toBe(400);
    expect(unregistered.body.error.details).toEqual([expect.objectContaining({ path: 'body.features.userMemory.memory' })]);
    const outside = await put({ memory: DEMO_MEMORY_ARN, namespace: '/shared/{actorId}' });
    expect(outside.status).toBe(400);
    expect(outside.body.error.details).toEqual([expect.objectContaining({ path: 'body.features.userMemory.namespace' })]);
    for (const bad of [
      {},
      { memory: 'not-a-memory' },
      { memory: DEMO_MEMORY_ARN, namespace: '/users/all' },
      { memory: DEMO_MEMORY_ARN, recallCount: 0 },
      { memory: DEMO_MEMORY_ARN, strategies: ['forever'] },
      { memory: DEMO_MEMORY_ARN, extra: 1 },
    ]) {
      expect((await put(bad)).status, JSON.stringify(bad)).toBe(400);
    }
    expect((await put({ memory: MEMORY_ID, namespace: '/users/{actorId}/support', recallCount: 2 })).status).toBe(200);
  });

  it('a chat app namespace under the registered one: records of that app are listed and recalled under it', async () => {
    const chatAppId = uid('memapp');
    expect(
      (
        await api.call('PUT', `/admin/chat-apps/${chatAppId}`, {
          token: await admin(),
          body: {
            title: 't',
            enabled: true,
            agentId: 'echo',
            features: { userMemory: { featureId: 'userMemory', enabled: true, memory: DEMO_MEMORY_ARN, namespace: '/users/{actorId}/facts' } },
          },
        })
      ).status,
    ).toBe(200);
    const t = await token(uid('mem'));
    await turn(t, { chatAppId, message: FACT });
    expect(await turn(t, { chatAppId, message: QUESTION })).toBe(`You said: ${QUESTION} [memory: ${FACT}]`);
  });
});
