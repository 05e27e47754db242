/** Small helpers shared by the repositories: item shaping, clocks, ids. */
import { monotonicFactory } from 'ulid';
import type { ChatMessage, ChatSession, RecordOrUndef } from 'pika-shared/types/chatbot/chatbot-types';
import { KEY_ATTRIBUTES } from './keys';
import { FEEDBACK_SUMMARY_ATTRIBUTE, INSIGHTS_SUMMARY_ATTRIBUTE, type InsightsSummary, SEARCH_SUMMARY_ATTRIBUTES } from './search-summaries';
import { TTL_ATTRIBUTE } from './table-definition';

/** Epoch ms until which one converse turn holds the right to title an untitled session (sessions.ts). */
export const TITLE_CLAIM_ATTRIBUTE = 'titleClaimUntil';

/** Turn bookkeeping on a session item (turns.ts). */
export const TURN_ATTRIBUTES = {
  /** The running turn (its user message's id): one turn at a time per session. */
  turnId: 'turnId',
  /** ISO time until which the running turn holds the session (its invocation's deadline): a dead turn frees it then. */
  turnLeaseUntil: 'turnLeaseUntil',
  /** The turn a stop was asked for. */
  cancelTurnId: 'cancelTurnId',
  /** When the last turn's answer was stored: a later question's id and time come after it. */
  turnEndedAt: 'turnEndedAt',
  /** The agent whose provider session the last answer came from, and when. */
  providerAgentId: 'providerAgentId',
  providerReachedAt: 'providerReachedAt',
  /**
   * Chat apps with an insights model: the id of the latest answer whose activity awaits insights, set with
   * each answer and removed (only if unchanged) when the insights of that activity are settled
   * (functions/insights/due.ts).
   */
  insightsActivity: 'insightsActivity',
  /**
   * The last answer asked the client (docs/converse.md#human-in-the-loop): its message id, the agent, the
   * provider's invocation id and the pending tool calls. Set with that answer, removed with the next one.
   */
  awaitingClient: 'awaitingClient',
} as const;

/** Attributes that never leave the data layer: keys, the TTL timestamp, internal claims, bookkeeping, search summaries. */
const INTERNAL_ATTRIBUTES: ReadonlySet<string> = new Set<string>([
  ...KEY_ATTRIBUTES,
  TTL_ATTRIBUTE,
  TITLE_CLAIM_ATTRIBUTE,
  ...Object.values(TURN_ATTRIBUTES),
  ...SEARCH_SUMMARY_ATTRIBUTES,
]);

export type RawItem = Record<string, unknown>;

/** The item without key attributes, the TTL and internal claims: what the API sees, untyped (entities read typed: `entity`). */
export function fromItem(item: object): RawItem {
  const out: RawItem = {};
  for (const [name, value] of Object.entries(item)) if (!INTERNAL_ATTRIBUTES.has(name)) out[name] = value;
  return out;
}

/** What every item holds besides its record: its table keys and, when it expires, its TTL (epoch seconds). */
export type StoredAttributes = { pk: string; sk: string } & { [TTL_ATTRIBUTE]?: number };

/** An item as stored: its record `R`, the data layer's own attributes `X` of the entity, keys and TTL. */
export type Stored<R extends object, X extends object = object> = R & X & StoredAttributes;

/** An entity's typed reads of its items (see `entity`). */
export interface Entity<R extends object, X extends object = object> {
  /** A whole item as read (GetItem, Query, BatchGetItem, ReturnValues, a failed condition's item). */
  item(raw: object): Stored<R, X>;
  /** Its record as the API sees it: without keys, TTL and internal attributes. */
  record(raw: object): R;
  recordOrUndefined(raw: object | undefined): R | undefined;
  /** A read of only `attributes` (placeholders `#p0`…, reserved words included; the only names of its command) and what such an item holds. */
  projection<K extends keyof Stored<R, X> & string>(
    ...attributes: K[]
  ): { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string>; read(raw: object): Pick<Stored<R, X>, K> };
}

/**
 * The one place an item read from the table gets its type: DynamoDB hands back untyped maps, and this cast is
 * the audited step from them to `Stored<R, X>`. Each entity is declared once, next to the module that writes
 * its items from the same types (SESSION and MESSAGE below, USER in users.ts, …), so a read by a wrong attribute
 * name fails tsc (test/types/items.check.ts). Values of the table are the data layer's own writes; untrusted input is validated before
 * it is written (the route schemas), not here.
 */
export function entity<R extends object, X extends object = object>(): Entity<R, X> {
  const item = (raw: object) => raw as Stored<R, X>;
  const record = (raw: object) => fromItem(raw) as R;
  return {
    item,
    record,
    recordOrUndefined: (raw) => (raw ? record(raw) : undefined),
    projection: (...attributes) => ({
      ProjectionExpression: attributes.map((_, i) => `#p${i}`).join(', '),
      ExpressionAttributeNames: Object.fromEntries(attributes.map((a, i) => [`#p${i}`, a])),
      read: item,
    }),
  };
}

/** Any item of the table, read for its keys and TTL (deletes, expiry). */
export const ANY_ITEM = entity<object>();

/** A tool call the agent handed to the client; `provider`: what its adapter needs to send the answer back. */
export interface PendingToolCall {
  toolCallId: string;
  name: string;
  kind: 'client-tool' | 'approval';
  input: Record<string, unknown>;
  provider?: Record<string, unknown>;
}

/** An answer awaiting the client: stored on the session item (at most MAX_TOOL_REQUESTS calls, inputs bounded). */
export interface AwaitingClient {
  messageId: string;
  agentId: string;
  /** The provider's id of the paused invocation (Agents Classic `invocationId`). */
  invocationId?: string;
  calls: PendingToolCall[];
}

/** What the data layer keeps on a session item besides the session: the title claim, turn bookkeeping, search summaries. */
export interface SessionInternals {
  [TITLE_CLAIM_ATTRIBUTE]?: number;
  [TURN_ATTRIBUTES.turnId]?: string;
  [TURN_ATTRIBUTES.turnLeaseUntil]?: string;
  [TURN_ATTRIBUTES.cancelTurnId]?: string;
  [TURN_ATTRIBUTES.turnEndedAt]?: string;
  [TURN_ATTRIBUTES.providerAgentId]?: string;
  [TURN_ATTRIBUTES.providerReachedAt]?: string;
  [TURN_ATTRIBUTES.insightsActivity]?: string;
  [TURN_ATTRIBUTES.awaitingClient]?: AwaitingClient;
  [INSIGHTS_SUMMARY_ATTRIBUTE]?: InsightsSummary;
  [FEEDBACK_SUMMARY_ATTRIBUTE]?: unknown;
}
/** SESSION#s / META (sessions.ts); here because turns, search and feedback read it too. */
export const SESSION = entity<ChatSession<RecordOrUndef>, SessionInternals>();
export type SessionItem = Stored<ChatSession<RecordOrUndef>, SessionInternals>;

/** SESSION#s / MSG#m (history) and HMSG#m (hidden): messages.ts writes them, turns.ts reads the recent ones. */
export const MESSAGE = entity<ChatMessage>();

export const nowIso = (ms = Date.now()): string => new Date(ms).toISOString();

/**
 * ULIDs from one monotonic factory per process: strictly increasing even within one millisecond, so ids
 * sort in creation order; 80 random bits make collisions between containers practically impossible.
 */
const monotonicUlid = monotonicFactory();
export const newId = (seedTimeMs?: number): string => monotonicUlid(seedTimeMs);

/** The Item of a conditional-check failure is raw AttributeValues (the document client does not convert errors). */
export function fromAttributeValues(item: Record<string, unknown>): RawItem {
  const convert = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    const av = v as Record<string, unknown>;
    if ('S' in av) return av.S;
    if ('N' in av) return Number(av.N);
    if ('BOOL' in av) return av.BOOL;
    if ('NULL' in av) return null;
    if ('L' in av) return (av.L as unknown[]).map(convert);
    if ('M' in av) return Object.fromEntries(Object.entries(av.M as Record<string, unknown>).map(([k, x]) => [k, convert(x)]));
    if ('SS' in av) return av.SS;
    return v;
  };
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, convert(v)]));
}
