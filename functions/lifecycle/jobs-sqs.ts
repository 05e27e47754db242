/** The lifecycle queue's SQS sender (imported at first use only). */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '../platform/sqs';

export async function sendToQueue(queueUrl: string, job: object, delaySeconds: number): Promise<void> {
  await sqsClient().send(
    new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(job), ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}) }),
  );
}
