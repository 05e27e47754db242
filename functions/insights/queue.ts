/** The jobs' wire format (one SQS message per session activity) and the SQS sender of the sweep. */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { idSchema } from 'pika-shared/schemas';
import type { InsightsJob } from '../data/insights-status';
import type { JobSender } from './sweep';
import { sqsClient } from '../platform/sqs';

export const insightsJobSchema = z.strictObject({ sessionId: idSchema, activity: z.iso.datetime(), dueBy: z.iso.datetime().optional() });

/** Sends jobs to the queue in batches of 10 (SQS's limit); a message SQS refuses fails the sweep (it is leased, so sent again later). */
export function sqsJobSender(queueUrl: string): JobSender {
  return async (jobs: InsightsJob[]) => {
    const client = sqsClient();
    for (let i = 0; i < jobs.length; i += 10) {
      const batch = jobs.slice(i, i + 10);
      const out = await client.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((job, n) => ({ Id: String(n), MessageBody: JSON.stringify(job) })) }),
      );
      if (out.Failed?.length) throw new Error(`SQS refused ${out.Failed.length} insights job(s): ${out.Failed.map((f) => f.Code).join(', ')}`);
    }
  };
}
