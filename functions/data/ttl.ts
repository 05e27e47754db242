/**
 * Item expiry (DynamoDB TTL on `expiresAt`, epoch seconds) — the one place retention is decided
 * (docs/retention.md). A session's items carry `expiresAt` = their write + the retention days of its
 * chat app (`retentionDays`, else the stage's ITEM_TTL_DAYS; neither = kept forever). The session item's moves
 * with every message; the retention sweep (functions/retention/sweep.ts) keeps the older items alive as long as
 * the session, and deletes the session's files when it expires.
 */
import { config } from '../platform/config';
import { TTL_ATTRIBUTE } from './table-definition';

export const DAY_SECONDS = 24 * 3600;

/** Day-level usage items (reports' days) are kept 400 days, the longest report range; month items stay. */
export const USAGE_DAY_TTL_DAYS = 400;

export const itemTtlDays = (): number | undefined => config().ITEM_TTL_DAYS;

/** The days a chat app's sessions are kept after their last activity: its own setting, else the stage's; undefined = forever. */
export function retentionDaysOf(app: { retentionDays?: number } | undefined): number | undefined {
  return app?.retentionDays ?? itemTtlDays();
}

/**
 * `expiresAt` for a session-scoped item written at `nowMs` in a chat app kept `retentionDays` (undefined: the
 * stage's default), or undefined when nothing expires.
 */
export function itemExpiresAt(nowMs = Date.now(), retentionDays?: number): number | undefined {
  const days = retentionDays ?? itemTtlDays();
  return days === undefined ? undefined : expiresInSeconds(days * DAY_SECONDS, nowMs);
}

export const expiresInSeconds = (seconds: number, nowMs = Date.now()): number => Math.floor(nowMs / 1000 + seconds);

/** The TTL attribute (`expiresAt`) to spread into an item, or nothing. */
export function ttlAttribute(nowMs = Date.now(), retentionDays?: number): { [TTL_ATTRIBUTE]?: number } {
  const expiresAt = itemExpiresAt(nowMs, retentionDays);
  return expiresAt === undefined ? {} : { [TTL_ATTRIBUTE]: expiresAt };
}
