/**
 * The usage stream in AWS: the table's stream feeds the consumer Lambda (functions/handlers/usage-stream.ts)
 * the INSERTs of debit records only (an event filter: no invocation for any other write), in batches; a batch
 * that keeps failing goes to an encrypted dead-letter queue after its retries (alarmed in ChatObservability).
 * One consumer per stream shard (parallelization 1): the shared totals see few concurrent transactions.
 */
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEBIT_PREFIX } from '../../functions/data/keys';
import { acknowledgeNag } from '../nag';

export interface ChatUsageProps {
  readonly table: dynamodb.ITable;
  readonly consumer: lambda.Function;
}

export class ChatUsage extends Construct {
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ChatUsageProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeNag(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      "This queue is a dead-letter queue: the stream event source's on-failure destination (cdk-nag only recognises queues named in another queue's redrive policy).",
    );
    props.consumer.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        parallelizationFactor: 1,
        reportBatchItemFailures: true,
        // The stream keeps records 24 h: retried until then; a batch given up is kept in the dead-letter queue.
        retryAttempts: 10_000,
        maxRecordAge: Duration.days(1),
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: { Keys: { sk: { S: lambda.FilterRule.beginsWith(DEBIT_PREFIX) } } },
          }),
        ],
      }),
    );
  }
}
