/**
 * Item expiry (DynamoDB TTL on `expiresAt`, epoch seconds). ITEM_TTL_DAYS (positive number) applies to
 * sessions, messages, feedback and insights; unset or empty keeps items forever.
 */
import { config } from '../platform/config';

const DAY_SECONDS = 24 * 3600;

export const itemTtlDays = (): number | undefined => config().ITEM_TTL_DAYS;

/** `expiresAt` for a session-scoped item written now, or undefined when no TTL is configured. */
export function itemExpiresAt(nowMs = Date.now()): number | undefined {
  const days = itemTtlDays();
  return days === undefined ? undefined : expiresInSeconds(days * DAY_SECONDS, nowMs);
}

export const expiresInSeconds = (seconds: number, nowMs = Date.now()): number => Math.floor(nowMs / 1000 + seconds);

/** `{ expiresAt }` to spread into an item, or nothing. */
export function ttlAttribute(nowMs = Date.now()): { expiresAt?: number } {
  const expiresAt = itemExpiresAt(nowMs);
  return expiresAt === undefined ? {} : { expiresAt };
}
