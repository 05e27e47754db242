/**
 * The background work's alarms and graphs (ChatObservability): work queues whose oldest job waits too long,
 * stream consumers that trail (IteratorAge: how far the shared usage totals, and the entity and chat-app budgets
 * checked against them, lag), and dead-letter queues holding any message.
 */
import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

export interface BackgroundSources {
  readonly backlogQueues?: Readonly<Record<string, sqs.IQueue>>;
  readonly streamConsumers?: Readonly<Record<string, lambda.IFunction>>;
  readonly deadLetterQueues?: Readonly<Record<string, sqs.IQueue>>;
}

type Alarm = (id: string, metric: cloudwatch.IMetric, threshold: number, description: string) => void;

/** Raises each alarm through `alarm`; answers the dashboard's graphs. */
export function backgroundAlarms(
  sources: BackgroundSources,
  thresholds: { insightsBacklogSeconds?: number; usageLagSeconds?: number },
  period: Duration,
  alarm: Alarm,
): cloudwatch.IWidget[] {
  const widgets: cloudwatch.IWidget[] = [];
  const backlogSeconds = thresholds.insightsBacklogSeconds ?? 900;
  for (const [name, queue] of Object.entries(sources.backlogQueues ?? {})) {
    const age = queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' });
    alarm(
      `${name}Backlog`,
      age,
      backlogSeconds,
      `${name}: the oldest job waited ${backlogSeconds} s in ${queue.queueName} (the workers fall behind, or cannot run)`,
    );
    widgets.push(
      new cloudwatch.GraphWidget({ title: `${name} queue: oldest job (s)`, left: [age], leftAnnotations: [{ value: backlogSeconds, label: 'alarm' }] }),
    );
  }
  const lagSeconds = thresholds.usageLagSeconds ?? 60;
  for (const [name, fn] of Object.entries(sources.streamConsumers ?? {})) {
    const age = fn.metric('IteratorAge', { period, statistic: 'Maximum', unit: cloudwatch.Unit.MILLISECONDS });
    alarm(
      `${name}Lag`,
      age,
      lagSeconds * 1000,
      `${name}: the stream records read are ${lagSeconds} s old (the shared usage totals, and the entity and chat-app budgets checked against them, trail by that much)`,
    );
    widgets.push(
      new cloudwatch.GraphWidget({ title: `${name} stream: iterator age (ms)`, left: [age], leftAnnotations: [{ value: lagSeconds * 1000, label: 'alarm' }] }),
    );
  }
  for (const [name, dlq] of Object.entries(sources.deadLetterQueues ?? {})) {
    const dead = dlq.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' });
    alarm(`${name}DeadLetters`, dead, 1, `${name}: jobs failed every delivery and wait in the dead-letter queue ${dlq.queueName}`);
    widgets.push(new cloudwatch.GraphWidget({ title: `${name} dead-letter queue`, left: [dead] }));
  }
  return widgets;
}
