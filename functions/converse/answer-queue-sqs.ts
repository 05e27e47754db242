/** The redrive queue's SQS sender (imported at first use only: converse's cold start does not load the SQS client). */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { AnswerRecord } from '../data/turn-writes';
import { sqsClient } from '../platform/sqs';

export async function sendToQueue(queueUrl: string, record: AnswerRecord): Promise<void> {
  await sqsClient().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(record) }));
}
