/**
 * Generated insights in the synthesized stack: the EventBridge schedule → sweep, the encrypted TLS-only queue
 * with its dead-letter queue → worker (batch item failures, bounded concurrency), the DLQ alarm, the worker's
 * Bedrock access limited to the stage's insights models, and a stage that turns it off. cdk-nag passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageConfig } from '../../lib/config/stages';
import { MAX_RECEIVE_COUNT } from '../../lib/constructs/chat-insights';
import { flat, logicalIdOf, resourcesOf, statementsByRole, synthStage, type Synthesized } from './helpers';

let dev: Synthesized;
let prod: Synthesized;
let off: Synthesized;

beforeAll(() => {
  dev = synthStage('dev');
  prod = synthStage('prod');
  off = synthStage('staging', { overrides: { insights: { enabled: false } } });
}, 120_000);
afterAll(() => {
  for (const s of [dev, prod, off]) s?.cleanup();
});

const fnId = (s: Synthesized, name: 'insights-sweep' | 'insights-worker') => logicalIdOf(s, s.stack.functions.background.get(name)!);

describe('generated insights (AWS)', () => {
  it('an EventBridge schedule runs the sweep at the stage\u2019s rate; the sweep knows the queue and a lease longer than its deliveries', () => {
    for (const [s, stage] of [
      [dev, 'dev'],
      [prod, 'prod'],
    ] as const) {
      const minutes = stageConfig(stage).insights.sweepMinutes;
      const [, rule] = resourcesOf(s, 'AWS::Events::Rule').find(([, r]) => flat(r.Properties.Targets[0].Arn).includes(fnId(s, 'insights-sweep')))!;
      expect(rule.Properties.ScheduleExpression).toBe(`rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`); // EventBridge wants the singular for 1
      expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [fnId(s, 'insights-sweep'), 'Arn'] });
      const env = s.json.Resources[fnId(s, 'insights-sweep')]!.Properties.Environment.Variables;
      expect(env.INSIGHTS_QUEUE_URL).toEqual({ Ref: logicalIdOf(s, s.stack.insights!.queue) });
      const visibility = s.json.Resources[logicalIdOf(s, s.stack.insights!.queue)]!.Properties.VisibilityTimeout;
      expect(Number(env.INSIGHTS_LEASE_SECONDS)).toBeGreaterThan(visibility * MAX_RECEIVE_COUNT);
      expect(env.JWT_SECRET_ARN).toBeUndefined(); // no API secrets for background functions
    }
  });

  it('queue and dead-letter queue: SQS-managed encryption, TLS only, redrive after MAX_RECEIVE_COUNT', () => {
    // The jobs and their dead letters; the usage stream's dead letters and the answer redrive queue and its own.
    // And the lifecycle jobs with their dead letters.
    const queues = resourcesOf(dev, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(7);
    for (const [, q] of queues) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
    const jobs = dev.json.Resources[logicalIdOf(dev, dev.stack.insights!.queue)]!;
    expect(jobs.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(dev, dev.stack.insights!.deadLetterQueue), 'Arn'] },
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
    const policies = resourcesOf(dev, 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(7);
    for (const [, p] of policies) {
      expect(p.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('the worker consumes the queue with batch item failures and bounded concurrency', () => {
    for (const [s, stage] of [
      [dev, 'dev'],
      [prod, 'prod'],
    ] as const) {
      const c = stageConfig(stage).insights;
      const [, mapping] = resourcesOf(s, 'AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.FunctionName?.Ref === fnId(s, 'insights-worker'))!;
      expect(mapping.Properties).toMatchObject({
        FunctionName: { Ref: fnId(s, 'insights-worker') },
        EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(s, s.stack.insights!.queue), 'Arn'] },
        BatchSize: c.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: c.maxConcurrency },
      });
    }
  });

  it('the worker may InvokeModel on the stage\u2019s insights models only; the sweep may only send to the queue', () => {
    for (const [s, stage] of [
      [dev, 'dev'],
      [prod, 'prod'],
    ] as const) {
      const byRole = statementsByRole(s);
      const worker = byRole.get(logicalIdOf(s, s.stack.functions.background.get('insights-worker')!.role!))!;
      const invoke = worker.filter((st) => [st.Action].flat().includes('bedrock:InvokeModel')).flatMap((st) => [st.Resource].flat().map(flat));
      const models = stageConfig(stage).insights.modelIds.map((m) => m.replace(/^us\./, ''));
      expect(invoke.length).toBeGreaterThan(0);
      for (const arn of invoke)
        expect(
          models.some((m) => arn.endsWith(m)),
          arn,
        ).toBe(true);
      const sweep = byRole.get(logicalIdOf(s, s.stack.functions.background.get('insights-sweep')!.role!))!;
      const sqsActions = sweep.flatMap((st) => [st.Action].flat()).filter((a) => a.startsWith('sqs:'));
      expect(sqsActions).toEqual(expect.arrayContaining(['sqs:SendMessage']));
      expect(sqsActions.every((a) => !/Receive|Delete/.test(a))).toBe(true);
    }
  });

  it('alarms on the dead-letter queue (and the two functions\u2019 errors); cdk-nag has no unacknowledged finding', () => {
    const alarms = resourcesOf(dev, 'AWS::CloudWatch::Alarm');
    const [, dlq] = alarms.find(([id]) => id.startsWith('ObservabilityinsightsDeadLetters'))!;
    expect(dlq.Properties).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 1 });
    expect(dlq.Properties.Dimensions[0].Value).toEqual({ 'Fn::GetAtt': [logicalIdOf(dev, dev.stack.insights!.deadLetterQueue), 'QueueName'] });
    for (const name of ['insights-sweepErrors', 'insights-workerErrors'])
      expect(
        alarms.some(([id]) => id.startsWith(`Observability${name.replace('-', '')}`)),
        name,
      ).toBe(true);
    for (const s of [dev, prod, off]) for (const r of s.report.pluginReports) expect(r.conclusion, JSON.stringify(r.violations).slice(0, 500)).toBe('success');
  });

  it('alarms when the usage stream consumer trails (IteratorAge): the bound of what entity and chat-app budgets trail by', () => {
    for (const s of [dev, off]) {
      const [, lag] = resourcesOf(s, 'AWS::CloudWatch::Alarm').find(([id]) => id.startsWith('ObservabilityusageLag'))!;
      expect(lag.Properties).toMatchObject({ MetricName: 'IteratorAge', Namespace: 'AWS/Lambda', Statistic: 'Maximum', Threshold: 60_000 });
      expect(lag.Properties.Dimensions[0].Value).toEqual({ Ref: logicalIdOf(s, s.stack.functions.usageStream) });
    }
  });

  it('a stage with insights.enabled false has no schedule, queue or background function', () => {
    expect(off.stack.insights).toBeUndefined();
    expect(off.stack.functions.background.size).toBe(0);
    // Only the queues every stage has: the usage stream's dead letters, the answer redrive and lifecycle queues and their dead letters.
    expect(
      resourcesOf(off, 'AWS::SQS::Queue')
        .map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))
        .sort(),
    ).toEqual(['LifecycleDeadLetters', 'LifecycleJobs', 'RedriveAnswers', 'RedriveDeadLetters', 'UsageDeadLetters']);
    // The retention sweep's schedule only.
    expect(resourcesOf(off, 'AWS::Events::Rule').map(([, r]) => flat(r.Properties.Targets[0].Arn))).toEqual([
      `<${logicalIdOf(off, off.stack.functions.retentionSweep)}.Arn>`,
    ]);
  });
});
