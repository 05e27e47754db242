/**
 * A background worker's queue and its dead-letter queue (answer redrive, lifecycle jobs, generated insights): both
 * encrypted and TLS-only, the dead letters kept 14 days, the visibility 6 times the worker's timeout (AWS's advice
 * for a Lambda event source). Created in the caller's scope under `DeadLetters` and `id`.
 */
import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface WorkQueueOptions {
  readonly workerTimeout: Duration;
  readonly maxReceiveCount: number;
  /** How long a job waits (default: SQS's 4 days). */
  readonly retentionPeriod?: Duration;
}

export function workQueue(scope: Construct, id: string, opts: WorkQueueOptions): { queue: sqs.Queue; deadLetterQueue: sqs.Queue } {
  const deadLetterQueue = new sqs.Queue(scope, 'DeadLetters', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: Duration.seconds(opts.workerTimeout.toSeconds() * 6),
    ...(opts.retentionPeriod ? { retentionPeriod: opts.retentionPeriod } : {}),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: opts.maxReceiveCount },
  });
  return { queue, deadLetterQueue };
}
