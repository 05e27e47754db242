/** Scheduled (EventBridge) sweep: due sessions from the sparse index to the insights queue (functions/insights/sweep.ts). */
import { logger } from '../platform/logger';
import { sqsJobSender } from '../insights/queue';
import { sweepDueInsights } from '../insights/sweep';
import { config } from '../platform/config';

/** Time kept before the function's timeout: the last round's leases and sends finish. */
const RESERVE_MS = 15_000;

export async function handler(_event?: unknown, context?: { getRemainingTimeInMillis(): number }): Promise<{ due: number; queued: number; gaveUp: number }> {
  const queueUrl = config().INSIGHTS_QUEUE_URL;
  if (!queueUrl) throw new Error('INSIGHTS_QUEUE_URL is not set');
  const untilMs = context ? Date.now() + context.getRemainingTimeInMillis() - RESERVE_MS : undefined;
  const result = await sweepDueInsights(sqsJobSender(queueUrl), Date.now(), {
    rounds: config().INSIGHTS_SWEEP_ROUNDS,
    ...(untilMs !== undefined ? { untilMs } : {}),
  });
  logger.info('insights sweep', { ...result });
  return result;
}
