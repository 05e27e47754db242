/**
 * The AgentCore Memory data plane calls the backend makes, with the real client (the AgentCore client of the
 * providers: BEDROCK_AGENTCORE_ENDPOINT points it at the emulator). Records come back as `MemoryRecord`s.
 */
import {
  BatchDeleteMemoryRecordsCommand,
  CreateEventCommand,
  DeleteEventCommand,
  DeleteMemoryRecordCommand,
  GetMemoryRecordCommand,
  ListEventsCommand,
  ListMemoryRecordsCommand,
  ListSessionsCommand,
  ResourceNotFoundException,
  RetrieveMemoryRecordsCommand,
  type MemoryRecordSummary,
} from '@aws-sdk/client-bedrock-agentcore';
import { agentCoreClient } from '../models/agentcore';

export interface MemoryRecord {
  memoryId: string;
  memoryRecordId: string;
  content: string;
  namespaces: string[];
  strategyId?: string;
  createdAt: Date;
}

const toRecord = (memoryId: string, r: Omit<MemoryRecordSummary, 'score'>): MemoryRecord => ({
  memoryId,
  memoryRecordId: r.memoryRecordId ?? '',
  content: r.content?.text ?? '',
  namespaces: r.namespaces ?? [],
  ...(r.memoryStrategyId ? { strategyId: r.memoryStrategyId } : {}),
  createdAt: r.createdAt ?? new Date(0),
});

/** The records under `namespace` most relevant to `query`, best first. */
export async function retrieveRecords(memoryId: string, namespace: string, query: string, topK: number, signal?: AbortSignal): Promise<MemoryRecord[]> {
  const out = await agentCoreClient().send(
    new RetrieveMemoryRecordsCommand({ memoryId, namespace, searchCriteria: { searchQuery: query, topK }, maxResults: topK }),
    signal ? { abortSignal: signal } : {},
  );
  return (out.memoryRecordSummaries ?? []).map((r) => toRecord(memoryId, r));
}

/** One exchange as an event of the actor's session (the memory's strategies extract long-term records from it). */
export async function createExchangeEvent(
  memoryId: string,
  actorId: string,
  sessionId: string,
  user: string,
  assistant: string,
  signal?: AbortSignal,
): Promise<void> {
  await agentCoreClient().send(
    new CreateEventCommand({
      memoryId,
      actorId,
      sessionId,
      eventTimestamp: new Date(),
      payload: [
        { conversational: { role: 'USER', content: { text: user } } },
        ...(assistant ? [{ conversational: { role: 'ASSISTANT' as const, content: { text: assistant } } }] : []),
      ],
    }),
    signal ? { abortSignal: signal } : {},
  );
}

export async function listRecords(
  memoryId: string,
  namespace: string,
  maxResults: number,
  nextToken?: string,
): Promise<{ records: MemoryRecord[]; nextToken?: string }> {
  const out = await agentCoreClient().send(new ListMemoryRecordsCommand({ memoryId, namespace, maxResults, ...(nextToken ? { nextToken } : {}) }));
  return { records: (out.memoryRecordSummaries ?? []).map((r) => toRecord(memoryId, r)), ...(out.nextToken ? { nextToken: out.nextToken } : {}) };
}

/** A record, or undefined when the memory has none with this id. */
export async function getRecord(memoryId: string, memoryRecordId: string): Promise<MemoryRecord | undefined> {
  try {
    const out = await agentCoreClient().send(new GetMemoryRecordCommand({ memoryId, memoryRecordId }));
    return out.memoryRecord ? toRecord(memoryId, out.memoryRecord) : undefined;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}

/** Deletes a record; false when it was already gone. */
export async function deleteRecord(memoryId: string, memoryRecordId: string, namespace?: string): Promise<boolean> {
  try {
    await agentCoreClient().send(new DeleteMemoryRecordCommand({ memoryId, memoryRecordId, ...(namespace ? { namespace } : {}) }));
    return true;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return false;
    throw err;
  }
}

/** Deletes records 100 at a time; throws when any fails for another reason than being gone already. */
export async function deleteRecords(memoryId: string, records: { memoryRecordId: string; namespace?: string }[]): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < records.length; i += 100) {
    const out = await agentCoreClient().send(new BatchDeleteMemoryRecordsCommand({ memoryId, records: records.slice(i, i + 100) }));
    deleted += out.successfulRecords?.length ?? 0;
    const failed = (out.failedRecords ?? []).filter((f) => f.errorCode !== 404);
    if (failed.length) throw Object.assign(new Error(`${failed.length} memory records were not deleted`), { name: 'ServiceException' });
  }
  return deleted;
}

/** Every session id of an actor in a memory. */
export async function* actorSessions(memoryId: string, actorId: string): AsyncGenerator<string> {
  let nextToken: string | undefined;
  do {
    const out = await agentCoreClient().send(new ListSessionsCommand({ memoryId, actorId, maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
    for (const s of out.sessionSummaries ?? []) if (s.sessionId) yield s.sessionId;
    nextToken = out.nextToken;
  } while (nextToken);
}

/** Deletes every event of an actor's session; returns how many. */
export async function deleteSessionEvents(memoryId: string, actorId: string, sessionId: string): Promise<number> {
  let deleted = 0;
  for (let pages = 0; pages < 1000; pages++) {
    const out = await agentCoreClient().send(new ListEventsCommand({ memoryId, actorId, sessionId, includePayloads: false, maxResults: 100 }));
    const events = out.events ?? [];
    for (const e of events) {
      try {
        await agentCoreClient().send(new DeleteEventCommand({ memoryId, actorId, sessionId, eventId: e.eventId! }));
        deleted++;
      } catch (err) {
        if (!(err instanceof ResourceNotFoundException)) throw err;
      }
    }
    if (!out.nextToken || events.length === 0) return deleted;
  }
  return deleted;
}
