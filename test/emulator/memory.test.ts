/** The emulator's AgentCore Memory data plane through the REAL @aws-sdk/client-bedrock-agentcore client. */
import {
  BatchDeleteMemoryRecordsCommand,
  BedrockAgentCoreClient,
  CreateEventCommand,
  DeleteEventCommand,
  DeleteMemoryRecordCommand,
  GetMemoryRecordCommand,
  ListEventsCommand,
  ListMemoryRecordsCommand,
  ListSessionsCommand,
  ResourceNotFoundException,
  RetrieveMemoryRecordsCommand,
  ServiceException,
  ValidationException,
} from '@aws-sdk/client-bedrock-agentcore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_MEMORY_STRATEGY, emulatorMemoryNamespace, startAgentEmulator, type AgentEmulator } from '../../scripts/agent-emulator';

let emu: AgentEmulator;
let client: BedrockAgentCoreClient;
const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const MEMORY = 'test_memory-emulator01';

beforeAll(async () => {
  emu = await startAgentEmulator();
  client = new BedrockAgentCoreClient({ endpoint: emu.agentCoreEndpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await emu.close();
});

const say = (actorId: string, sessionId: string, user: string, assistant = 'Noted.') =>
  client.send(
    new CreateEventCommand({
      memoryId: MEMORY,
      actorId,
      sessionId,
      eventTimestamp: new Date(),
      payload: [{ conversational: { role: 'USER', content: { text: user } } }, { conversational: { role: 'ASSISTANT', content: { text: assistant } } }],
    }),
  );

describe('AgentCore Memory emulation', () => {
  it('CreateEvent stores the event and extracts one record per user message, in the actor’s namespace', async () => {
    const out = await say('alice', 's1', 'My favourite colour is teal');
    expect(out.event).toMatchObject({ memoryId: MEMORY, actorId: 'alice', sessionId: 's1', eventId: expect.stringMatching(/^evt-/) });
    expect(out.event?.eventTimestamp).toBeInstanceOf(Date);
    const listed = await client.send(new ListMemoryRecordsCommand({ memoryId: MEMORY, namespace: '/users/alice' }));
    expect(listed.memoryRecordSummaries).toHaveLength(1);
    expect(listed.memoryRecordSummaries?.[0]).toMatchObject({
      content: { text: 'My favourite colour is teal' },
      memoryStrategyId: EMULATOR_MEMORY_STRATEGY,
      namespaces: [emulatorMemoryNamespace('alice')],
    });
    expect(listed.memoryRecordSummaries?.[0]?.createdAt).toBeInstanceOf(Date);
    const events = await client.send(new ListEventsCommand({ memoryId: MEMORY, actorId: 'alice', sessionId: 's1', includePayloads: true }));
    expect(events.events?.[0]?.payload?.[0]?.conversational).toEqual({ role: 'USER', content: { text: 'My favourite colour is teal' } });
  });

  it('RetrieveMemoryRecords ranks by word overlap, only within the namespace, and leaves unrelated records out', async () => {
    await say('bob', 's1', 'I live in Lisbon near the river');
    await say('bob', 's2', 'My dog is called Rex');
    await say('carol', 's1', 'I also live in Lisbon');
    const out = await client.send(
      new RetrieveMemoryRecordsCommand({ memoryId: MEMORY, namespace: '/users/bob', searchCriteria: { searchQuery: 'Where do I live? Lisbon?', topK: 5 } }),
    );
    expect(out.memoryRecordSummaries?.map((r) => r.content?.text)).toEqual(['I live in Lisbon near the river']);
    expect(out.memoryRecordSummaries?.[0]?.score).toBeGreaterThan(0);
    const none = await client.send(
      new RetrieveMemoryRecordsCommand({ memoryId: MEMORY, namespace: '/users/bob', searchCriteria: { searchQuery: 'quantum physics' } }),
    );
    expect(none.memoryRecordSummaries).toEqual([]);
  });

  it('paginates with nextToken and refuses a forged one', async () => {
    for (let i = 0; i < 3; i++) await say('dave', `s${i}`, `fact number ${i}`);
    const first = await client.send(new ListMemoryRecordsCommand({ memoryId: MEMORY, namespace: '/users/dave', maxResults: 2 }));
    expect(first.memoryRecordSummaries).toHaveLength(2);
    const second = await client.send(new ListMemoryRecordsCommand({ memoryId: MEMORY, namespace: '/users/dave', maxResults: 2, nextToken: first.nextToken }));
    expect(second.memoryRecordSummaries).toHaveLength(1);
    expect(second.nextToken).toBeUndefined();
    await expect(client.send(new ListMemoryRecordsCommand({ memoryId: MEMORY, namespace: '/users/dave', nextToken: 'forged' }))).rejects.toBeInstanceOf(
      ValidationException,
    );
    const sessions = await client.send(new ListSessionsCommand({ memoryId: MEMORY, actorId: 'dave' }));
    expect(sessions.sessionSummaries?.map((s) => s.sessionId).sort()).toEqual(['s0', 's1', 's2']);
  });

  it('DeleteMemoryRecord, BatchDeleteMemoryRecords and DeleteEvent remove what they name; unknown ids are 404 / failed', async () => {
    await say('erin', 's1', 'first fact');
    await say('erin', 's1', 'second fact');
    const records = (await client.send(new ListMemoryRecordsCommand({ memoryId: MEMORY, namespace: '/users/erin' }))).memoryRecordSummaries ?? [];
    expect(records).toHaveLength(2);
    const got = await client.send(new GetMemoryRecordCommand({ memoryId: MEMORY, memoryRecordId: records[0]!.memoryRecordId! }));
    expect(got.memoryRecord).toMatchObject({ memoryRecordId: records[0]!.memoryRecordId, content: records[0]!.content, namespaces: records[0]!.namespaces });
    const deleted = await client.send(
      new DeleteMemoryRecordCommand({ memoryId: MEMORY, memoryRecordId: records[0]!.memoryRecordId!, namespace: records[0]!.namespaces![0] }),
    );
    expect(deleted.memoryRecordId).toBe(records[0]!.memoryRecordId);
    await expect(client.send(new DeleteMemoryRecordCommand({ memoryId: MEMORY, memoryRecordId: records[0]!.memoryRecordId! }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(client.send(new GetMemoryRecordCommand({ memoryId: MEMORY, memoryRecordId: records[0]!.memoryRecordId! }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    const batch = await client.send(
      new BatchDeleteMemoryRecordsCommand({ memoryId: MEMORY, records: [{ memoryRecordId: records[1]!.memoryRecordId! }, { memoryRecordId: 'mem-missing' }] }),
    );
    expect(batch.successfulRecords).toEqual([{ memoryRecordId: records[1]!.memoryRecordId, status: 'SUCCEEDED' }]);
    expect(batch.failedRecords).toEqual([expect.objectContaining({ memoryRecordId: 'mem-missing', status: 'FAILED', errorCode: 404 })]);
    const events = (await client.send(new ListEventsCommand({ memoryId: MEMORY, actorId: 'erin', sessionId: 's1' }))).events ?? [];
    expect(events).toHaveLength(2);
    for (const e of events) await client.send(new DeleteEventCommand({ memoryId: MEMORY, actorId: 'erin', sessionId: 's1', eventId: e.eventId! }));
    expect((await client.send(new ListEventsCommand({ memoryId: MEMORY, actorId: 'erin', sessionId: 's1' }))).events).toEqual([]);
    await expect(
      client.send(new DeleteEventCommand({ memoryId: MEMORY, actorId: 'erin', sessionId: 's1', eventId: events[0]!.eventId! })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('validates ids like the service, and emulates an unavailable memory', async () => {
    await expect(
      client.send(
        new CreateEventCommand({
          memoryId: MEMORY,
          actorId: 'bad@actor',
          sessionId: 's1',
          eventTimestamp: new Date(),
          payload: [{ conversational: { role: 'USER', content: { text: 'x' } } }],
        }),
      ),
    ).rejects.toBeInstanceOf(ValidationException);
    await expect(client.send(new ListMemoryRecordsCommand({ memoryId: 'not-a-memory', namespace: '/users/x' }))).rejects.toBeInstanceOf(ValidationException);
    await expect(client.send(new ListMemoryRecordsCommand({ memoryId: 'unavailable-emulator01', namespace: '/users/x' }))).rejects.toBeInstanceOf(
      ServiceException,
    );
    expect(emu.requests().some((r) => r.operation === 'RetrieveMemoryRecords' && r.params.memoryId === MEMORY)).toBe(true);
  });
});
