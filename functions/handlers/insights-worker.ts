/**
 * SQS worker of generated session insights (functions/insights/generate.ts): one job per message, handled
 * one after the other (the event source's batch size and maxConcurrency bound the model calls in flight).
 * A job that failed on a dependency is reported in `batchItemFailures`, so only it is retried (and goes to
 * the dead-letter queue after maxReceiveCount); a malformed message is dropped with an error log.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '../platform/logger';
import { generateInsights } from '../insights/generate';
import { insightsJobSchema } from '../insights/queue';
import type { InsightsJob } from '../data/insights-status';

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    let job: InsightsJob;
    try {
      job = insightsJobSchema.parse(JSON.parse(record.body));
    } catch {
      logger.error('malformed insights job dropped', { messageId: record.messageId });
      continue;
    }
    try {
      const outcome = await generateInsights(job);
      logger.info('insights job', { sessionId: job.sessionId, activity: job.activity, outcome });
    } catch (err) {
      logger.error('insights job failed; retried by the queue', {
        sessionId: job.sessionId,
        errorName: (err as { name?: string })?.name,
        message: (err as Error)?.message,
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
