/** Scheduled (EventBridge) retention sweep: sessions whose retention entry is due (functions/retention/sweep.ts). */
import { logger } from '../platform/logger';
import { sweepRetention } from '../retention/sweep';

/** Time kept before the function's timeout: the entry being renewed stops between pages, the next run resumes it. */
const RESERVE_MS = 10_000;

export async function handler(_event?: unknown, context?: { getRemainingTimeInMillis(): number }) {
  const untilMs = context ? Date.now() + context.getRemainingTimeInMillis() - RESERVE_MS : undefined;
  const result = await sweepRetention(Date.now(), untilMs !== undefined ? { untilMs } : {});
  logger.info('retention sweep', { ...result });
  return result;
}
