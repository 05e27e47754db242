/** Small helpers shared by the repositories: item shaping, clocks, ids. */
import { monotonicFactory } from 'ulid';
import { KEY_ATTRIBUTES } from './keys';
import { SEARCH_SUMMARY_ATTRIBUTES } from './search-summaries';
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

/** The item as the API sees it: without key attributes, `expiresAt` and internal claims. */
export function fromItem<T>(item: RawItem): T {
  const out: RawItem = {};
  for (const [name, value] of Object.entries(item)) if (!INTERNAL_ATTRIBUTES.has(name)) out[name] = value;
  return out as T;
}

export function fromItemOrUndefined<T>(item: RawItem | undefined): T | undefined {
  return item ? fromItem<T>(item) : undefined;
}

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
