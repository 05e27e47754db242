/**
 * Answers are never lost: converse sends an answer the table refused (after its retries) to this queue
 * (ANSWER_QUEUE_URL), and the answer-redrive worker stores it exactly once (a fixed message id); a record that
 * keeps failing lands in the dead-letter queue (alarmed in ChatObservability). Both queues are encrypted and
 * refuse non-TLS requests.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { workQueue } from './work-queue';

export interface ChatRedriveProps {
  /** Sends the answers it could not store (converse). */
  readonly sender: lambda.Function;
  readonly worker: lambda.Function;
}

/** Deliveries of one answer before it goes to the dead-letter queue: a DynamoDB outage of up to ~an hour. */
export const ANSWER_MAX_RECEIVE_COUNT = 20;

export class ChatRedrive extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ChatRedriveProps) {
    super(scope, id);
    const workerTimeout = props.worker.timeout ?? Duration.seconds(60);
    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = workQueue(this, 'Answers', {
      workerTimeout,
      maxReceiveCount: ANSWER_MAX_RECEIVE_COUNT,
      retentionPeriod: Duration.days(14),
    }));
    this.queue.grantSendMessages(props.sender);
    props.sender.addEnvironment('ANSWER_QUEUE_URL', this.queue.queueUrl);
    props.worker.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));
  }
}
