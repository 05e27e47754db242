/**
 * Per-user fixed-window rate limits (RATE#user / bucket#window), one atomic ADD per request; the counter
 * item expires through TTL shortly after its window.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { rateLimited } from './errors';
import { config } from '../platform/config';
import { ddb, tableName } from './client';
import { keys } from './keys';
import { updateExpression } from './expressions';
import { TTL_ATTRIBUTE } from './table-definition';

export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

/**
 * Counts this request; throws 429 RATE_LIMITED (with retryAfterSeconds) once the window's limit is passed.
 * Resolves to a refund: a request refused later (a budget, a running turn) gives its count back.
 */
export async function consumeRateLimit(userId: string, bucket: string, rule: RateLimit, nowMs = Date.now()): Promise<() => Promise<void>> {
  if (rule.limit <= 0) return async () => undefined;
  const windowStart = Math.floor(nowMs / 1000 / rule.windowSeconds) * rule.windowSeconds;
  const key = keys.rateLimit(userId, bucket, String(windowStart));
  const add = (n: number) =>
    ddb().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        ...updateExpression({ add: { count: n }, setIfNotExists: { [TTL_ATTRIBUTE]: windowStart + rule.windowSeconds * 2 } }),
        ReturnValues: 'UPDATED_NEW',
      }),
    );
  const out = await add(1);
  const count = Number(out.Attributes?.count ?? 0);
  if (count > rule.limit) {
    const retryAfterSeconds = Math.max(1, windowStart + rule.windowSeconds - Math.floor(nowMs / 1000));
    throw rateLimited(`At most ${rule.limit} requests per ${rule.windowSeconds} s`, { retryAfterSeconds });
  }
  return async () => {
    await add(-1);
  };
}

/** CONVERSE_RATE_LIMIT turns per user per CONVERSE_RATE_WINDOW_SECONDS (defaults 30 per 60 s; 0 = off). */
export const converseRateLimit = (): RateLimit => ({ limit: config().CONVERSE_RATE_LIMIT, windowSeconds: config().CONVERSE_RATE_WINDOW_SECONDS });

/** WRITE_RATE_LIMIT writes per user per WRITE_RATE_WINDOW_SECONDS on the users' own write routes (defaults 120 per 60 s; 0 = off). */
export const writeRateLimit = (): RateLimit => ({ limit: config().WRITE_RATE_LIMIT, windowSeconds: config().WRITE_RATE_WINDOW_SECONDS });
