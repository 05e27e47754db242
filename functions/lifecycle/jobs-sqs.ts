/** The lifecycle queue's SQS sender (imported at first use only). */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '../lib/sqs';
import type { LifecycleJob } from './jobs';

export async function sendToQueue(queueUrl: string, job: LifecycleJob, delaySeconds: number): Promise<void> {
  await sqsClient().send(
    new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(job), ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}) }),
  );
}
