/**
 * A user's own memory through the API: their records in every registered memory (listed page by page, one
 * memory after the other), one record deleted, or everything forgotten — every record under their namespace
 * and every event of their actor, in every registered memory. Only records under the user's namespace are
 * ever shown or deleted: another user's record is "not found".
 */
import { markMemoryForgotten } from '../data/memory-marks';
import { decodeCursor, encodeCursor, type CursorBinding } from '../platform/cursor';
import { DomainError, dependencyErrorOf, notFound } from '../platform/errors';
import type * as Client from './client';
import type { MemoryRecord } from './client';
import { actorIdFor, isUnder, namespaceFor, registeredMemories, registeredMemory, type RegisteredMemory } from './registry';

// The AgentCore client and its SDK load with the first memory call: the users function's other routes need neither.
let clientModule: Promise<typeof Client> | undefined;
const client = () => (clientModule ??= import('./client'));
const listRecords: typeof Client.listRecords = async (...a) => (await client()).listRecords(...a);
const getRecord: typeof Client.getRecord = async (...a) => (await client()).getRecord(...a);
const deleteRecord: typeof Client.deleteRecord = async (...a) => (await client()).deleteRecord(...a);
const deleteRecords: typeof Client.deleteRecords = async (...a) => (await client()).deleteRecords(...a);
const deleteSessionEvents: typeof Client.deleteSessionEvents = async (...a) => (await client()).deleteSessionEvents(...a);
async function* actorSessions(...a: Parameters<typeof Client.actorSessions>): ReturnType<typeof Client.actorSessions> {
  yield* (await client()).actorSessions(...a);
}

export interface UserMemoryItem {
  recordId: string;
  memoryId: string;
  content: string;
  namespaces: string[];
  strategyId?: string;
  createdAt: string;
}

/** A memory failure as a dependency failure (503), never a 500 or an empty answer. */
export function memoryError(err: unknown): DomainError {
  const known = dependencyErrorOf(err);
  if (known && known.code !== 'CONFLICT' && known.code !== 'PAYLOAD_TOO_LARGE') return known;
  return new DomainError('DEPENDENCY_UNAVAILABLE', 'AgentCore Memory is unavailable; retry later', undefined, { cause: err });
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DomainError && (err.code === 'NOT_FOUND' || err.code === 'INVALID_CURSOR')) throw err;
    throw memoryError(err);
  }
}

const scopeOf = (memory: RegisteredMemory, userId: string) => namespaceFor(memory.namespace, actorIdFor(userId));
const owned = (record: MemoryRecord, scope: string) => record.namespaces.some((n) => isUnder(n, scope));

const toItem = (r: MemoryRecord): UserMemoryItem => ({
  recordId: `${r.memoryId}:${r.memoryRecordId}`,
  memoryId: r.memoryId,
  content: r.content,
  namespaces: r.namespaces,
  ...(r.strategyId ? { strategyId: r.strategyId } : {}),
  createdAt: r.createdAt.toISOString(),
});

interface Position {
  /** Index of the registered memory. */
  m: number;
  /** The memory's own nextToken. */
  t?: string;
}

/** One page of the user's records; the cursor wraps the provider's nextToken, signed and bound to the caller. */
export async function listUserMemory(
  userId: string,
  opts: { limit: number; cursor?: string; binding: CursorBinding },
): Promise<{ items: UserMemoryItem[]; nextCursor?: string }> {
  const memories = registeredMemories();
  let pos: Position = opts.cursor ? decodeCursor<Position>(opts.cursor, opts.binding) : { m: 0 };
  if (!Number.isInteger(pos?.m) || pos.m < 0 || (pos.t !== undefined && typeof pos.t !== 'string'))
    throw new DomainError('INVALID_CURSOR', 'The cursor is invalid, expired or belongs to another query');
  const items: UserMemoryItem[] = [];
  await guarded(async () => {
    while (items.length < opts.limit && pos.m < memories.length) {
      const memory = memories[pos.m]!;
      const scope = scopeOf(memory, userId);
      const page = await listRecords(memory.memoryId, scope, opts.limit - items.length, pos.t);
      items.push(...page.records.filter((r) => owned(r, scope)).map(toItem));
      if (page.nextToken) {
        pos = { m: pos.m, t: page.nextToken };
        break;
      }
      pos = { m: pos.m + 1 };
    }
  });
  return { items, ...(pos.m < memories.length ? { nextCursor: encodeCursor(pos, opts.binding) } : {}) };
}

/** Where a listing of the user's records stands: the memory's index, its page's token, the records of that page already read. */
export interface MemoryListPosition {
  m: number;
  token?: string;
  skip: number;
}

/**
 * Every record of the user in every registered memory, a page at a time (an export of their data), each with the
 * position after it: a listing resumed from that position goes on with the next record.
 */
export async function* userMemoryRecords(
  userId: string,
  from: MemoryListPosition = { m: 0, skip: 0 },
): AsyncGenerator<{ record: UserMemoryItem; next: MemoryListPosition }> {
  const memories = registeredMemories();
  for (let m = from.m; m < memories.length; m++) {
    const memory = memories[m]!;
    const scope = scopeOf(memory, userId);
    let token = m === from.m ? from.token : undefined;
    let skip = m === from.m ? from.skip : 0;
    for (;;) {
      const page = await guarded(() => listRecords(memory.memoryId, scope, 100, token));
      for (let i = skip; i < page.records.length; i++) {
        const r = page.records[i]!;
        if (owned(r, scope)) yield { record: toItem(r), next: { m, ...(token ? { token } : {}), skip: i + 1 } };
      }
      if (!page.nextToken) break;
      token = page.nextToken;
      skip = 0;
    }
  }
}

/** Deletes one of the user's records; any other id (unknown memory, unknown record, another user's) is 404. */
export async function deleteUserMemoryRecord(userId: string, recordId: string): Promise<void> {
  const [memoryId = '', memoryRecordId = ''] = recordId.split(':');
  const memory = registeredMemory(memoryId);
  if (!memory || !memoryRecordId) throw notFound('Memory record');
  const scope = scopeOf(memory, userId);
  await guarded(async () => {
    const record = await getRecord(memory.memoryId, memoryRecordId);
    if (!record || !owned(record, scope)) throw notFound('Memory record');
    if (
      !(await deleteRecord(
        memory.memoryId,
        memoryRecordId,
        record.namespaces.find((n) => isUnder(n, scope)),
      ))
    )
      throw notFound('Memory record');
  });
}

/**
 * "Forget me": every event of the user's actor and every record under their namespace, in every registered
 * memory. The mark goes first (functions/data/memory-marks.ts): a turn still running checks it before and after it
 * records its exchange, so nothing said before this call comes back (docs/security.md#forget-me).
 */
export async function forgetUserMemory(userId: string): Promise<{ records: number; events: number }> {
  await markMemoryForgotten(userId);
  let records = 0;
  let events = 0;
  await guarded(async () => {
    for (const memory of registeredMemories()) {
      const n = await forgetInMemory(memory, userId);
      records += n.records;
      events += n.events;
    }
  });
  return { records, events };
}

/** Every event of the user's actor and every record under their namespace in one memory (throws on a memory failure). */
export async function forgetInMemory(memory: RegisteredMemory, userId: string): Promise<{ records: number; events: number }> {
  const actorId = actorIdFor(userId);
  let events = 0;
  // Events first: a strategy could otherwise extract a record again from an event still there.
  const sessions: string[] = [];
  for await (const sessionId of actorSessions(memory.memoryId, actorId)) sessions.push(sessionId);
  for (const sessionId of sessions) events += await deleteSessionEvents(memory.memoryId, actorId, sessionId);
  const scope = scopeOf(memory, userId);
  const mine: { memoryRecordId: string; namespace?: string }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await listRecords(memory.memoryId, scope, 100, nextToken);
    for (const r of page.records) if (owned(r, scope)) mine.push({ memoryRecordId: r.memoryRecordId, namespace: r.namespaces.find((n) => isUnder(n, scope))! });
    nextToken = page.nextToken;
  } while (nextToken);
  return { records: mine.length ? await deleteRecords(memory.memoryId, mine) : 0, events };
}
