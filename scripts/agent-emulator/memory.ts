/**
 * Amazon Bedrock AgentCore Memory data plane, as `@aws-sdk/client-bedrock-agentcore` speaks it (REST-JSON over
 * HTTP/1.1; timestamps as epoch seconds; errors with `x-amzn-errortype`):
 *
 * - CreateEvent              POST   /memories/{memoryId}/events                                  → 201 { event }
 * - ListEvents               POST   /memories/{memoryId}/actor/{actorId}/sessions/{sessionId}    → { events, nextToken? }
 * - DeleteEvent              DELETE /memories/{memoryId}/actor/{actorId}/sessions/{sessionId}/events/{eventId} → { eventId }
 * - ListSessions             POST   /memories/{memoryId}/actor/{actorId}/sessions                → { sessionSummaries, nextToken? }
 * - ListMemoryRecords        POST   /memories/{memoryId}/memoryRecords                           → { memoryRecordSummaries, nextToken? }
 * - RetrieveMemoryRecords    POST   /memories/{memoryId}/retrieve                                → { memoryRecordSummaries, nextToken? }
 * - GetMemoryRecord          GET    /memories/{memoryId}/memoryRecord/{memoryRecordId}           → { memoryRecord }
 * - DeleteMemoryRecord       DELETE /memories/{memoryId}/memoryRecords/{memoryRecordId}          → { memoryRecordId }
 * - BatchDeleteMemoryRecords POST   /memories/{memoryId}/memoryRecords/batchDelete               → { successfulRecords, failedRecords }
 *
 * Every well-formed memory id exists (an empty memory at first use). One emulated extraction strategy,
 * `facts-emulator01`: each USER message of an event becomes a record at once (the service extracts
 * asynchronously), its content the message text, in namespace `/users/{actorId}/facts`. Retrieval ranks by
 * word overlap with the query (deterministic), newest first among equals; records sharing no word are left out.
 * Memories whose name starts with `unavailable` answer every call with a ServiceException (500); `hang` ones
 * never answer (the caller's time limit must end the call).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJsonError } from './agentcore';

export type MemoryOperation =
  | 'CreateEvent'
  | 'ListEvents'
  | 'DeleteEvent'
  | 'ListSessions'
  | 'ListMemoryRecords'
  | 'RetrieveMemoryRecords'
  | 'GetMemoryRecord'
  | 'DeleteMemoryRecord'
  | 'BatchDeleteMemoryRecords';

export const EMULATOR_MEMORY_STRATEGY = 'facts-emulator01';
/** The ARN of an emulated memory: `arn:aws:bedrock-agentcore:us-east-1:123456789012:memory/<name>-emulator01`. */
export const emulatorMemoryArn = (name: string) => `arn:aws:bedrock-agentcore:us-east-1:123456789012:memory/${name.replace(/-/g, '_')}-emulator01`;
/** Where the emulated strategy writes a user's records. */
export const emulatorMemoryNamespace = (actorId: string) => `/users/${actorId}/facts`;

const MEMORY_ID = /^[a-zA-Z][a-zA-Z0-9_-]{0,99}-[a-zA-Z0-9]{10}$/;
const ACTOR_OR_SESSION = /^[a-zA-Z0-9][a-zA-Z0-9_/-]*(?::[a-zA-Z0-9_/-]+)*[a-zA-Z0-9_/-]*$/;

interface StoredEvent {
  memoryId: string;
  actorId: string;
  sessionId: string;
  eventId: string;
  eventTimestamp: number;
  payload: unknown[];
  metadata?: unknown;
}

export interface StoredRecord {
  memoryRecordId: string;
  content: string;
  memoryStrategyId: string;
  namespaces: string[];
  createdAt: number;
}

interface Memory {
  events: StoredEvent[];
  records: Map<string, StoredRecord>;
}

/** The emulated memories: in-process tests look inside (`emulator.memory`). */
export class MemoryStore {
  private readonly memories = new Map<string, Memory>();
  private seq = 0;

  constructor(private readonly now: () => number = Date.now) {}

  memory(memoryId: string): Memory {
    let m = this.memories.get(memoryId);
    if (!m) this.memories.set(memoryId, (m = { events: [], records: new Map() }));
    return m;
  }

  /** Records of a memory (all, or those with a namespace starting with `prefix`). */
  records(memoryId: string, prefix = ''): StoredRecord[] {
    return [...this.memory(memoryId).records.values()].filter((r) => r.namespaces.some((n) => n.startsWith(prefix)));
  }

  events(memoryId: string, actorId?: string): StoredEvent[] {
    return this.memory(memoryId).events.filter((e) => actorId === undefined || e.actorId === actorId);
  }

  /** A record as if a strategy had extracted it (tests: another user's record). */
  addRecord(memoryId: string, actorId: string, content: string): StoredRecord {
    const record: StoredRecord = {
      memoryRecordId: `mem-${String(++this.seq).padStart(8, '0')}`,
      content,
      memoryStrategyId: EMULATOR_MEMORY_STRATEGY,
      namespaces: [emulatorMemoryNamespace(actorId)],
      createdAt: this.now() / 1000 + this.seq / 1e6,
    };
    this.memory(memoryId).records.set(record.memoryRecordId, record);
    return record;
  }

  nextEventId(): string {
    return `evt-${String(++this.seq).padStart(8, '0')}`;
  }

  clock(): number {
    return this.now() / 1000 + ++this.seq / 1e6;
  }
}

export interface MemoryContext {
  record(r: { operation: MemoryOperation; path: string; params: Record<string, string>; body: any; headers: Record<string, string> }): void;
  store: MemoryStore;
}

const words = (text: string) => new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 2));

function relevance(query: Set<string>, content: string): number {
  if (!query.size) return 0;
  let shared = 0;
  for (const w of words(content)) if (query.has(w)) shared++;
  return shared / query.size;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};
const validation = (res: ServerResponse, message: string) => sendJsonError(res, 400, 'ValidationException', message, { reason: 'FieldValidationFailed' });
const notFound = (res: ServerResponse, message: string) => sendJsonError(res, 404, 'ResourceNotFoundException', message);

/** One page of `items` from the position a `nextToken` names (`maxResults` default 20, at most 100). */
function page<T>(items: T[], body: any): { items: T[]; nextToken?: string } | 'invalid' {
  let start = 0;
  if (body?.nextToken !== undefined) {
    const m = /^p(\d{1,9})$/.exec(Buffer.from(String(body.nextToken), 'base64url').toString('utf8'));
    if (!m) return 'invalid';
    start = Number(m[1]);
  }
  const max = body?.maxResults ?? 20;
  if (!Number.isInteger(max) || max < 1 || max > 100) return 'invalid';
  const slice = items.slice(start, start + max);
  return { items: slice, ...(start + max < items.length ? { nextToken: Buffer.from(`p${start + max}`).toString('base64url') } : {}) };
}

const recordSummary = (r: StoredRecord, score?: number) => ({
  memoryRecordId: r.memoryRecordId,
  content: { text: r.content },
  memoryStrategyId: r.memoryStrategyId,
  namespaces: r.namespaces,
  createdAt: r.createdAt,
  ...(score !== undefined ? { score } : {}),
});

const ROUTES: [string, RegExp, MemoryOperation, string[]][] = [
  ['POST', /^\/memories\/([^/]+)\/events$/, 'CreateEvent', ['memoryId']],
  ['POST', /^\/memories\/([^/]+)\/actor\/([^/]+)\/sessions\/([^/]+)$/, 'ListEvents', ['memoryId', 'actorId', 'sessionId']],
  ['DELETE', /^\/memories\/([^/]+)\/actor\/([^/]+)\/sessions\/([^/]+)\/events\/([^/]+)$/, 'DeleteEvent', ['memoryId', 'actorId', 'sessionId', 'eventId']],
  ['POST', /^\/memories\/([^/]+)\/actor\/([^/]+)\/sessions$/, 'ListSessions', ['memoryId', 'actorId']],
  ['POST', /^\/memories\/([^/]+)\/memoryRecords\/batchDelete$/, 'BatchDeleteMemoryRecords', ['memoryId']],
  ['POST', /^\/memories\/([^/]+)\/memoryRecords$/, 'ListMemoryRecords', ['memoryId']],
  ['POST', /^\/memories\/([^/]+)\/retrieve$/, 'RetrieveMemoryRecords', ['memoryId']],
  ['DELETE', /^\/memories\/([^/]+)\/memoryRecords\/([^/]+)$/, 'DeleteMemoryRecord', ['memoryId', 'memoryRecordId']],
  ['GET', /^\/memories\/([^/]+)\/memoryRecord\/([^/]+)$/, 'GetMemoryRecord', ['memoryId', 'memoryRecordId']],
];

/** Handles an AgentCore Memory request; false when the path is not one. */
export async function handleMemory(ctx: MemoryContext, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  if (!url.pathname.startsWith('/memories/')) return false;
  const route = ROUTES.map(([method, re, op, names]) => ({ method, m: re.exec(url.pathname), op, names })).find((r) => r.m && r.method === req.method);
  if (!route) {
    notFound(res, `No route ${req.method} ${url.pathname}`);
    return true;
  }
  const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(route.m![i + 1]!)]));
  for (const [k, v] of url.searchParams) params[k] = v;
  const raw = await readBody(req);
  let body: any = {};
  try {
    body = raw ? JSON.parse(raw) : {};
  } catch {
    return (validation(res, 'Malformed JSON body'), true);
  }
  const headers = Object.fromEntries(
    Object.entries(req.headers)
      .filter(([k]) => k !== 'authorization')
      .map(([k, v]) => [k, String(v)]),
  );
  ctx.record({ operation: route.op, path: url.pathname, params, body, headers });
  const memoryId = params.memoryId!;
  if (!MEMORY_ID.test(memoryId)) return (validation(res, `Invalid memoryId ${memoryId}`), true);
  if (memoryId.startsWith('unavailable')) return (sendJsonError(res, 500, 'ServiceException', 'The memory is unavailable (emulated failure)'), true);
  if (memoryId.startsWith('hang')) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 10 * 60_000);
      timer.unref();
      res.once('close', () => (clearTimeout(timer), resolve()));
    });
    if (!res.destroyed) sendJsonError(res, 500, 'ServiceException', 'The hung memory gave up');
    return true;
  }
  const store = ctx.store;
  const memory = store.memory(memoryId);
  for (const k of ['actorId', 'sessionId'] as const) {
    const v = params[k] ?? (route.op === 'CreateEvent' ? body[k] : undefined);
    if (v !== undefined && (typeof v !== 'string' || v.length > 255 || !ACTOR_OR_SESSION.test(v))) return (validation(res, `Invalid ${k}`), true);
  }

  switch (route.op) {
    case 'CreateEvent': {
      if (typeof body.actorId !== 'string') return (validation(res, 'actorId is required'), true);
      if (typeof body.eventTimestamp !== 'number') return (validation(res, 'eventTimestamp is required'), true);
      if (!Array.isArray(body.payload) || body.payload.length === 0 || body.payload.length > 100)
        return (validation(res, 'payload must hold 1-100 items'), true);
      const sessionId = typeof body.sessionId === 'string' ? body.sessionId : 'default';
      const event: StoredEvent = {
        memoryId,
        actorId: body.actorId,
        sessionId,
        eventId: store.nextEventId(),
        eventTimestamp: body.eventTimestamp,
        payload: body.payload,
        ...(body.metadata ? { metadata: body.metadata } : {}),
      };
      memory.events.push(event);
      if (body.extractionMode !== 'SKIP') {
        for (const p of body.payload) {
          const text = p?.conversational?.content?.text;
          if (p?.conversational?.role === 'USER' && typeof text === 'string' && text.trim()) store.addRecord(memoryId, body.actorId, text.trim());
        }
      }
      return (json(res, 201, { event }), true);
    }
    case 'ListEvents': {
      const events = memory.events.filter((e) => e.actorId === params.actorId && e.sessionId === params.sessionId);
      const p = page(events, body);
      if (p === 'invalid') return (validation(res, 'Invalid nextToken or maxResults'), true);
      const includePayloads = body.includePayloads !== false;
      return (
        json(res, 200, { events: p.items.map((e) => (includePayloads ? e : { ...e, payload: [] })), ...(p.nextToken ? { nextToken: p.nextToken } : {}) }), true
      );
    }
    case 'DeleteEvent': {
      const i = memory.events.findIndex((e) => e.actorId === params.actorId && e.sessionId === params.sessionId && e.eventId === params.eventId);
      if (i < 0) return (notFound(res, `Event ${params.eventId} not found`), true);
      memory.events.splice(i, 1);
      return (json(res, 200, { eventId: params.eventId }), true);
    }
    case 'ListSessions': {
      const first = new Map<string, number>();
      for (const e of memory.events) if (e.actorId === params.actorId && !first.has(e.sessionId)) first.set(e.sessionId, e.eventTimestamp);
      const p = page([...first], body);
      if (p === 'invalid') return (validation(res, 'Invalid nextToken or maxResults'), true);
      return (
        json(res, 200, {
          sessionSummaries: p.items.map(([sessionId, createdAt]) => ({ sessionId, actorId: params.actorId, createdAt })),
          ...(p.nextToken ? { nextToken: p.nextToken } : {}),
        }),
        true
      );
    }
    case 'ListMemoryRecords':
    case 'RetrieveMemoryRecords': {
      if (typeof body.namespace !== 'string' || !body.namespace) return (validation(res, 'namespace is required'), true);
      let records = store.records(memoryId, body.namespace).sort((a, b) => b.createdAt - a.createdAt);
      const strategy = route.op === 'RetrieveMemoryRecords' ? body.searchCriteria?.memoryStrategyId : body.memoryStrategyId;
      if (strategy) records = records.filter((r) => r.memoryStrategyId === strategy);
      if (route.op === 'ListMemoryRecords') {
        const p = page(records, body);
        if (p === 'invalid') return (validation(res, 'Invalid nextToken or maxResults'), true);
        return (json(res, 200, { memoryRecordSummaries: p.items.map((r) => recordSummary(r)), ...(p.nextToken ? { nextToken: p.nextToken } : {}) }), true);
      }
      const query = body.searchCriteria?.searchQuery;
      if (typeof query !== 'string' || !query.trim()) return (validation(res, 'searchCriteria.searchQuery is required'), true);
      const q = words(query);
      const scored = records
        .map((r) => ({ r, score: relevance(q, r.content) }))
        .filter((x) => x.score > 0)
        .sort((a, b) => b.score - a.score || b.r.createdAt - a.r.createdAt)
        .slice(0, body.searchCriteria?.topK ?? 10);
      const p = page(scored, body);
      if (p === 'invalid') return (validation(res, 'Invalid nextToken or maxResults'), true);
      return (
        json(res, 200, {
          memoryRecordSummaries: p.items.map((x) => recordSummary(x.r, Math.round(x.score * 1000) / 1000)),
          ...(p.nextToken ? { nextToken: p.nextToken } : {}),
        }),
        true
      );
    }
    case 'GetMemoryRecord': {
      const record = memory.records.get(params.memoryRecordId!);
      if (!record) return (notFound(res, `Memory record ${params.memoryRecordId} not found`), true);
      return (json(res, 200, { memoryRecord: recordSummary(record) }), true);
    }
    case 'DeleteMemoryRecord': {
      if (!memory.records.delete(params.memoryRecordId!)) return (notFound(res, `Memory record ${params.memoryRecordId} not found`), true);
      return (json(res, 200, { memoryRecordId: params.memoryRecordId }), true);
    }
    case 'BatchDeleteMemoryRecords': {
      if (!Array.isArray(body.records) || body.records.length === 0 || body.records.length > 100)
        return (validation(res, 'records must hold 1-100 items'), true);
      const successfulRecords: unknown[] = [];
      const failedRecords: unknown[] = [];
      for (const r of body.records) {
        const id = String(r?.memoryRecordId ?? '');
        if (memory.records.delete(id)) successfulRecords.push({ memoryRecordId: id, status: 'SUCCEEDED' });
        else failedRecords.push({ memoryRecordId: id, status: 'FAILED', errorCode: 404, errorMessage: 'Memory record not found' });
      }
      return (json(res, 200, { successfulRecords, failedRecords }), true);
    }
  }
  return false;
}
