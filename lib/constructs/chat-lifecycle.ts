/**
 * The lifecycle jobs in AWS (functions/lifecycle; docs/security.md#erasure, #export): erasures, session purges and
 * exports of users' data — one SQS queue of job steps with a dead-letter queue (alarmed in ChatObservability),
 * consumed by the lifecycle worker one message at a time. Each step sends its successor (the worker may send to
 * its own queue); the users routes start erasures and exports, the sessions routes purges (send only). Why SQS
 * rather than Step Functions: a job is a chain of identical bounded steps whose state lives in the table anyway
 * (the erasure or export record, or the partition left to delete), so a queue gives durability, retries, a
 * dead-letter queue and delays (the erasure's second pass) with one resource and the pattern the stack already
 * runs (answer redrive, insights) — locally the same handler runs in-process; a state machine would add a second
 * engine and an emulator for no state it would hold.
 * Both queues are encrypted and refuse non-TLS requests. The worker may list only `files/` and `exports/` of the
 * files bucket.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { workQueue } from './work-queue';
import { EXPORT_OBJECT_PREFIX, FILE_OBJECT_PREFIX } from '../../functions/data/keys';
import { LIFECYCLE_MAX_RECEIVES } from '../../functions/lifecycle/jobs';

export interface ChatLifecycleProps {
  readonly worker: lambda.Function;
  /** Functions that start jobs (users: erasures; sessions: purges of deleted sessions). */
  readonly senders: readonly lambda.Function[];
  readonly filesBucket: s3.IBucket;
  /** The longest turn (converse's timeout): an erasure's second pass waits for it, plus a minute. */
  readonly converseTimeoutSeconds: number;
  /** Concurrent steps at most (erasures and purges are background work: they never take the API's concurrency). */
  readonly maxConcurrency?: number;
}

export class ChatLifecycle extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ChatLifecycleProps) {
    super(scope, id);
    const workerTimeout = props.worker.timeout ?? Duration.seconds(60);
    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = workQueue(this, 'Jobs', {
      workerTimeout,
      maxReceiveCount: LIFECYCLE_MAX_RECEIVES,
      retentionPeriod: Duration.days(14),
    }));
    for (const fn of [...props.senders, props.worker]) {
      this.queue.grantSendMessages(fn);
      fn.addEnvironment('LIFECYCLE_QUEUE_URL', this.queue.queueUrl);
    }
    props.worker.addEnvironment('ERASURE_SETTLE_SECONDS', String(props.converseTimeoutSeconds + 60));
    props.worker.addEventSource(new SqsEventSource(this.queue, { batchSize: 1, maxConcurrency: props.maxConcurrency ?? 5, reportBatchItemFailures: true }));
    // Listing a user's objects (erasure): ListBucket on the files bucket, only for keys under files/ and exports/.
    props.worker.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.filesBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${FILE_OBJECT_PREFIX}*`, `${EXPORT_OBJECT_PREFIX}*`] } },
      }),
    );
  }
}
