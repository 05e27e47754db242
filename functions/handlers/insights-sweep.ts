/** Scheduled (EventBridge) sweep: due sessions from the sparse index to the insights queue (functions/insights/sweep.ts). */
import { logger } from '../http/logger';
import { sqsJobSender } from '../insights/queue';
import { sweepDueInsights } from '../insights/sweep';
import { config } from '../lib/config';

export async function handler(): Promise<{ due: number; queued: number; gaveUp: number }> {
  const queueUrl = config().INSIGHTS_QUEUE_URL;
  if (!queueUrl) throw new Error('INSIGHTS_QUEUE_URL is not set');
  const result = await sweepDueInsights(sqsJobSender(queueUrl));
  logger.info('insights sweep', { ...result });
  return result;
}
