/**
 * Opaque pagination cursors: base64url(JSON payload) + '.' + HMAC-SHA256. The MAC also covers the
 * caller and the query the cursor was issued for, which are NOT in the payload: a cursor forged,
 * edited, used by another caller or on another query fails verification (400 INVALID_CURSOR).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from './errors';
import { secretValue } from './secrets';

export interface CursorBinding {
  /** Who the cursor was issued to (userId, or the admin's id for admin queries). */
  caller: string;
  /** Which query: a route name plus every parameter that shapes the result. */
  query: string;
}

const DEFAULT_TTL_SECONDS = 24 * 3600;

function secret(): string {
  const s = secretValue('cursor');
  if (!s || s.length < 16) throw new Error('CURSOR_SECRET (or CURSOR_SECRET_ARN) must be set (at least 16 characters)');
  return s;
}

function mac(payload: string, binding: CursorBinding): Buffer {
  return createHmac('sha256', secret()).update(payload).update('\0').update(binding.caller).update('\0').update(binding.query).digest();
}

export function encodeCursor(position: unknown, binding: CursorBinding, ttlSeconds = DEFAULT_TTL_SECONDS): string {
  const payload = Buffer.from(JSON.stringify({ p: position, x: Math.floor(Date.now() / 1000) + ttlSeconds })).toString('base64url');
  return `${payload}.${mac(payload, binding).toString('base64url')}`;
}

const invalid = () => new DomainError('INVALID_CURSOR', 'The cursor is invalid, expired or belongs to another query');

export function decodeCursor<T = unknown>(cursor: string, binding: CursorBinding): T {
  const [payload, signature, extra] = cursor.split('.');
  if (!payload || !signature || extra !== undefined || cursor.length > 4096) throw invalid();
  // Compare the canonical encodings: base64 decoders ignore the unused bits of the last character, so
  // comparing decoded bytes would accept several spellings of one signature.
  const expected = Buffer.from(mac(payload, binding).toString('base64url'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  let parsed: { p?: T; x?: number };
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed.x !== 'number' || parsed.x < Date.now() / 1000) throw invalid();
  return parsed.p as T;
}
