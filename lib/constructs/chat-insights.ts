/**
 * Generated session insights in AWS: an EventBridge schedule runs the sweep, which sends the due sessions
 * to an SQS queue; the worker consumes it (batch item failures, bounded concurrency) and a job failing
 * maxReceiveCount times lands in the dead-letter queue (alarmed in ChatObservability). Both queues are
 * encrypted and refuse non-TLS requests.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { workQueue } from './work-queue';

export interface ChatInsightsProps {
  readonly sweep: lambda.Function;
  readonly worker: lambda.Function;
  readonly sweepMinutes: number;
  /** Pages per shard one sweep reads and queues (INSIGHTS_SWEEP_ROUNDS). */
  readonly sweepRounds: number;
  readonly maxConcurrency: number;
  readonly batchSize: number;
}

/** Deliveries of one job before it goes to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 3;

export class ChatInsights extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: ChatInsightsProps) {
    super(scope, id);
    const workerTimeout = props.worker.timeout ?? Duration.seconds(180);
    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = workQueue(this, 'Jobs', { workerTimeout, maxReceiveCount: MAX_RECEIVE_COUNT }));
    this.queue.grantSendMessages(props.sweep);
    props.sweep.addEnvironment('INSIGHTS_QUEUE_URL', this.queue.queueUrl);
    props.sweep.addEnvironment('INSIGHTS_SWEEP_ROUNDS', String(props.sweepRounds));
    // A queued job is not queued again while the queue may still deliver it (all its receives + a margin).
    props.sweep.addEnvironment('INSIGHTS_LEASE_SECONDS', String(workerTimeout.toSeconds() * 6 * MAX_RECEIVE_COUNT + 60));
    props.worker.addEventSource(
      new SqsEventSource(this.queue, { batchSize: props.batchSize, maxConcurrency: props.maxConcurrency, reportBatchItemFailures: true }),
    );
    this.schedule = new events.Rule(this, 'Sweep', {
      description: 'Pika chat: sweep idle sessions due for generated insights',
      schedule: events.Schedule.rate(Duration.minutes(props.sweepMinutes)),
      targets: [new targets.LambdaFunction(props.sweep, { retryAttempts: 0 })],
    });
  }
}
