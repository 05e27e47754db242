/**
 * Retention in AWS: an EventBridge schedule runs the retention sweep (functions/handlers/retention-sweep.ts),
 * which keeps a session's older items as long as the session and deletes an expired session's files
 * (docs/retention.md). A run is idempotent and resumable: a failed or cut-short run leaves its
 * sessions due for the next one.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** Minutes between runs: a session is looked at a day before its items would expire, so an hour late is harmless. */
export const RETENTION_SWEEP_MINUTES = 15;

export interface ChatRetentionProps {
  readonly sweep: lambda.Function;
}

export class ChatRetention extends Construct {
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: ChatRetentionProps) {
    super(scope, id);
    this.schedule = new events.Rule(this, 'Sweep', {
      description: 'Pika chat: retention sweep (sessions kept and expired with all their items and files)',
      schedule: events.Schedule.rate(Duration.minutes(RETENTION_SWEEP_MINUTES)),
      // No retry: the next run picks up whatever this one left due.
      targets: [new targets.LambdaFunction(props.sweep, { retryAttempts: 0 })],
    });
  }
}
