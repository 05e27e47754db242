/**
 * Capacity (docs/scaling.md): prod's converse throttle and reserved concurrency come from its stated load, the
 * authorizer and route functions keep their floors, dev reserves nothing; the capacity alarms (transaction
 * conflicts, throttled requests, insights backlog, concurrency near a reservation, AnswersNotStored) with their
 * metrics and thresholds; the schema refuses settings that cannot hold together; prod's example agent.
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_GROUPS } from '../../functions/http/routes';
import { METRICS_NAMESPACE } from '../../functions/platform/metrics';
import { capacityOf, converseConcurrencyFor, SWEEP_ENTRIES_PER_ROUND, sweepCeilingPerSecond, sweepShortfall } from '../../lib/config/capacity';
import { ROUTE_FUNCTIONS } from '../../lib/config/schema';
import { stageConfig, type StageConfigInput } from '../../lib/config/stages';
import { ANSWERS_NOT_STORED, DYNAMODB_OPERATIONS } from '../../lib/constructs/chat-observability';
import { logicalIdOf, resourcesOf, synthStage, type Synthesized } from './helpers';

let dev: Synthesized;
let prod: Synthesized;

beforeAll(() => {
  dev = synthStage('dev');
  prod = synthStage('prod');
}, 120_000);
afterAll(() => {
  dev?.cleanup();
  prod?.cleanup();
});

const fnProps = (s: Synthesized, name: string) => {
  const fn = name === 'authorizer' ? s.stack.functions.authorizer : s.stack.functions.byGroup.get(name as never);
  if (!fn) throw new Error(`no function ${name}`);
  return s.json.Resources[logicalIdOf(s, fn)]!.Properties;
};
const alarm = (s: Synthesized, name: string) => {
  const found = resourcesOf(s, 'AWS::CloudWatch::Alarm').filter(([id]) => new RegExp(`^Observability${name}[0-9A-F]{8}$`).test(id));
  expect(found, name).toHaveLength(1);
  return found[0]![1].Properties;
};
const dims = (m: { Dimensions?: { Name: string; Value: unknown }[] }) => Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, d.Value]));

describe('the stated load and what prod derives from it', () => {
  it('prod states 200 turns/s × 30 s answers, 2× burst, 20% headroom: 7,200 reserved, throttle 200/s with a bucket of 400', () => {
    const c = stageConfig('prod');
    expect(c.capacity.load).toMatchObject({ turnsPerSecond: 200, answerSeconds: 30, burstFactor: 2, headroom: 1.2 });
    expect(converseConcurrencyFor(c.capacity.load!)).toBe(7200);
    const cap = capacityOf(c, ROUTE_FUNCTIONS.length);
    expect(cap).toMatchObject({ converseThrottling: { rateLimit: 200, burstLimit: 400 }, converseReserved: 7200, authorizerReserved: 100, routeReserved: 100 });
    expect(cap.reservedTotal).toBe(7200 + 100 + 6 * 100);
    expect(c.capacity.accountConcurrency - cap.reservedTotal).toBeGreaterThanOrEqual(100 + c.insights.maxConcurrency + 1);
  });

  it('prod: converse reserves the derived concurrency, runs at the configured memory, and POST /converse has the derived throttle', () => {
    const c = stageConfig('prod');
    const converse = fnProps(prod, 'converse');
    expect(converse.ReservedConcurrentExecutions).toBe(7200);
    expect(converse.MemorySize).toBe(c.capacity.converseMemoryMb);
    const [, stage] = resourcesOf(prod, 'AWS::ApiGateway::Stage')[0]!;
    const settings = stage.Properties.MethodSettings as Record<string, unknown>[];
    expect(settings).toContainEqual(
      expect.objectContaining({ HttpMethod: 'POST', ResourcePath: '/~1converse', ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 }),
    );
    expect(settings).toContainEqual(
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: c.throttling.rateLimit,
        ThrottlingBurstLimit: c.throttling.burstLimit,
      }),
    );
  });

  it('prod: the authorizer and every route function keep their floor; the insights functions share the unreserved pool', () => {
    const c = stageConfig('prod');
    expect(fnProps(prod, 'authorizer').ReservedConcurrentExecutions).toBe(c.capacity.authorizerReservedConcurrency);
    for (const group of ROUTE_GROUPS.filter((g) => g !== 'converse'))
      expect(fnProps(prod, group).ReservedConcurrentExecutions, group).toBe(c.capacity.routeReservedConcurrency);
    for (const fn of prod.stack.functions.background.values())
      expect(prod.json.Resources[logicalIdOf(prod, fn)]!.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('dev reserves nothing (an account of 1,000 cannot) and keeps the stage throttle only', () => {
    for (const name of [...ROUTE_GROUPS, 'authorizer']) expect(fnProps(dev, name).ReservedConcurrentExecutions, name).toBeUndefined();
    for (const fn of dev.stack.functions.background.values())
      expect(dev.json.Resources[logicalIdOf(dev, fn)]!.Properties.ReservedConcurrentExecutions).toBeUndefined();
    const [, stage] = resourcesOf(dev, 'AWS::ApiGateway::Stage')[0]!;
    expect((stage.Properties.MethodSettings as { ResourcePath: string }[]).map((m) => m.ResourcePath)).toEqual(['/*']);
    expect(resourcesOf(dev, 'AWS::CloudWatch::Alarm').filter(([id]) => id.includes('ConcurrencyNearReserved'))).toEqual([]);
  });

  it('insights: prod sweeps every minute in enough rounds for the stated jobs/s, the worker sized to them; a sweep of fewer rounds is warned about', () => {
    const c = stageConfig('prod');
    const load = c.capacity.load!;
    expect(c.insights.maxConcurrency).toBeGreaterThanOrEqual(Math.ceil(load.insightJobsPerSecond * load.insightJobSeconds * load.headroom));
    // The insights worker's (the usage stream consumer has one too).
    const worker = logicalIdOf(prod, prod.stack.functions.background.get('insights-worker')!);
    const [, mapping] = resourcesOf(prod, 'AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.FunctionName?.Ref === worker)!;
    expect(mapping.Properties.ScalingConfig).toEqual({ MaximumConcurrency: c.insights.maxConcurrency });
    expect(sweepCeilingPerSecond(c.insights.sweepMinutes, c.insights.sweepRounds)).toBeCloseTo((SWEEP_ENTRIES_PER_ROUND * c.insights.sweepRounds) / 60);
    expect(load.insightJobsPerSecond).toBeLessThanOrEqual(sweepCeilingPerSecond(c.insights.sweepMinutes, c.insights.sweepRounds));
    expect(Annotations.fromStack(prod.stack).findWarning('*', Match.stringLikeRegexp('Generated insights'))).toEqual([]);
    expect(sweepShortfall({ ...c, insights: { ...c.insights, sweepRounds: 1 } })).toMatch(
      /40 session activities due per second, but the sweep queues at most 200 per run/,
    );
    expect(Annotations.fromStack(dev.stack).findWarning('*', Match.stringLikeRegexp('Generated insights'))).toEqual([]);
  });
});

describe('capacity alarms', () => {
  it('DynamoDB transaction conflicts: TransactionConflict of the table, Sum over 5 minutes, at the stage threshold', () => {
    for (const [s, stage] of [
      [dev, 'dev'],
      [prod, 'prod'],
    ] as const) {
      const a = alarm(s, 'DynamoDbTransactionConflicts');
      const [stat] = a.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat);
      expect(stat).toMatchObject({ Metric: { Namespace: 'AWS/DynamoDB', MetricName: 'TransactionConflict' }, Stat: 'Sum', Period: 300 });
      expect(dims(stat.Metric)).toEqual({ TableName: { Ref: logicalIdOf(s, s.stack.table.table) } });
      // No data point while there is no conflict: filled with 0, so the alarm returns to OK.
      expect(a.Metrics.find((m: any) => m.Expression).Expression).toBe('FILL(c, 0)');
      expect(a.Threshold).toBe(stageConfig(stage).alarms.transactionConflictsPer5Min);
      expect(a.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    }
  });

  it('DynamoDB throttles: ThrottledRequests of every operation the functions make, and the table\u2019s and indexes\u2019 throttle events', () => {
    const requests = alarm(prod, 'DynamoDbRequestsThrottled');
    const stats = requests.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat);
    expect(stats.map((m: any) => m.Metric.MetricName)).toEqual(DYNAMODB_OPERATIONS.map(() => 'ThrottledRequests'));
    expect(stats.map((m: any) => dims(m.Metric).Operation)).toEqual([...DYNAMODB_OPERATIONS]);
    expect(requests.Threshold).toBe(stageConfig('prod').alarms.dynamoDbThrottlesPer5Min);
    expect(requests.Metrics.find((m: any) => m.Expression).Expression).toBe(DYNAMODB_OPERATIONS.map((_, i) => `FILL(o${i}, 0)`).join(' + '));
    const events = alarm(prod, 'DynamoDbThrottles');
    expect(new Set(events.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.MetricName))).toEqual(
      new Set(['ReadThrottleEvents', 'WriteThrottleEvents']),
    );
    expect(events.Threshold).toBe(stageConfig('prod').alarms.dynamoDbThrottlesPer5Min);
  });

  it('insights backlog: the jobs queue\u2019s ApproximateAgeOfOldestMessage (Maximum) at insightsBacklogSeconds', () => {
    const a = alarm(prod, 'insightsBacklog');
    expect(a).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Statistic: 'Maximum' });
    expect(a.Threshold).toBe(stageConfig('prod').alarms.insightsBacklogSeconds);
    expect(dims(a).QueueName).toEqual({ 'Fn::GetAtt': [logicalIdOf(prod, prod.stack.insights!.queue), 'QueueName'] });
  });

  it('converse near its reservation: ConcurrentExecutions (Maximum) at concurrencyPercent of 7,200; its Throttles alarm stays', () => {
    const percent = stageConfig('prod').alarms.concurrencyPercent;
    const a = alarm(prod, 'converseConcurrencyNearReserved');
    expect(a).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'ConcurrentExecutions', Statistic: 'Maximum' });
    expect(a.Threshold).toBe(Math.floor((7200 * percent) / 100));
    expect(dims(a)).toEqual({ FunctionName: { Ref: logicalIdOf(prod, prod.stack.functions.byGroup.get('converse')!) } });
    expect(alarm(prod, 'authorizerConcurrencyNearReserved').Threshold).toBe(Math.floor((100 * percent) / 100));
    expect(alarm(prod, 'converseThrottles')).toMatchObject({ MetricName: 'Throttles', Threshold: 1 });
  });

  it('AnswersNotStored: the EMF metric in the project\u2019s namespace by service, Sum ≥ 1 over 5 minutes', () => {
    for (const [s, stage] of [
      [dev, 'dev'],
      [prod, 'prod'],
    ] as const) {
      const a = alarm(s, 'AnswersNotStored');
      expect(a).toMatchObject({ Namespace: METRICS_NAMESPACE, MetricName: ANSWERS_NOT_STORED, Statistic: 'Sum', Period: 300, Threshold: 1 });
      expect(dims(a)).toEqual({ service: `pika-chat-${stage}` });
      expect(a.AlarmActions).toHaveLength(1);
    }
    expect(ANSWERS_NOT_STORED).toBe('AnswersNotStored');
  });

  it('thresholds follow the stage\u2019s settings', () => {
    const s = synthStage('staging', {
      overrides: {
        alarms: {
          transactionConflictsPer5Min: 7,
          dynamoDbThrottlesPer5Min: 3,
          insightsBacklogSeconds: 120,
          answersNotStoredPer5Min: 2,
          concurrencyPercent: 50,
        },
        capacity: { converseReservedConcurrency: 40, converseMemoryMb: 1024 },
      },
    });
    try {
      expect(alarm(s, 'DynamoDbTransactionConflicts').Threshold).toBe(7);
      expect(alarm(s, 'DynamoDbRequestsThrottled').Threshold).toBe(3);
      expect(alarm(s, 'DynamoDbThrottles').Threshold).toBe(3);
      expect(alarm(s, 'insightsBacklog').Threshold).toBe(120);
      expect(alarm(s, 'AnswersNotStored').Threshold).toBe(2);
      expect(alarm(s, 'converseConcurrencyNearReserved').Threshold).toBe(20);
      expect(fnProps(s, 'converse')).toMatchObject({ ReservedConcurrentExecutions: 40, MemorySize: 1024 });
      expect(fnProps(s, 'authorizer').ReservedConcurrentExecutions).toBeUndefined();
    } finally {
      s.cleanup();
    }
  }, 60_000);
});

describe('the schema refuses capacity settings that cannot hold together', () => {
  const prodLoad = stageConfig('prod').capacity;
  it.each([
    ['a negative reservation', { capacity: { routeReservedConcurrency: -5 } }, /capacity\.routeReservedConcurrency: Too small/],
    ['a reservation of 0 (a disabled function)', { capacity: { authorizerReservedConcurrency: 0 } }, /capacity\.authorizerReservedConcurrency: Too small/],
    ['a negative load', { capacity: { load: { turnsPerSecond: -1, answerSeconds: 30 } } }, /capacity\.load\.turnsPerSecond: Too small/],
    ['a burst factor below 1', { capacity: { load: { turnsPerSecond: 1, answerSeconds: 30, burstFactor: 0.5 } } }, /capacity\.load\.burstFactor: Too small/],
    [
      'reservations leaving fewer than 100 unreserved executions of a 1,000 account',
      { capacity: { converseReservedConcurrency: 800, authorizerReservedConcurrency: 50, routeReservedConcurrency: 10 } },
      /capacity\.accountConcurrency: the reservations \(910: converse 800, authorizer 50, 6 route functions × 10\) must leave Lambda's 100 unreserved executions of the account's 1000/,
    ],
    [
      'a load whose derived reservation exceeds the account',
      { throttling: { rateLimit: 1000, burstLimit: 2000 }, capacity: { load: { turnsPerSecond: 200, answerSeconds: 30 } } },
      /capacity\.accountConcurrency: the reservations \(7200: converse 7200/,
    ],
    [
      'converse reserved below the stated load\u2019s concurrency',
      { ...prodOverride({ converseReservedConcurrency: 5000 }) },
      /capacity\.converseReservedConcurrency: below the 6000 executions the stated load holds at once \(200 turns\/s × 30 s answers\)/,
    ],
    [
      'a converse throttle admitting more answers than converse may run',
      { ...prodOverride({}), converseThrottling: { rateLimit: 300, burstLimit: 300 } },
      /converseThrottling\.rateLimit: admits 300 turns\/s × 30 s = 9000 answers at once, more than converse's 7200 reserved executions/,
    ],
    [
      'a load above the stage throttle',
      { throttling: { rateLimit: 100, burstLimit: 200 }, capacity: { load: { turnsPerSecond: 150, answerSeconds: 1 } } },
      /capacity\.load\.turnsPerSecond: converse's throttle derived from it must not exceed throttling\.rateLimit \(100\)/,
    ],
    [
      'an insights worker below the stated insights load',
      { ...prodOverride({}), insights: { modelIds: [], sweepMinutes: 1, maxConcurrency: 100 } },
      /insights\.maxConcurrency: below the 480 worker invocations the stated insights load keeps busy/,
    ],
    [
      'reservations leaving no room for the insights worker',
      { ...prodOverride({ accountConcurrency: 8300 }) },
      /insights\.maxConcurrency: the insights worker \(480\) and sweep \(1\) run in the 400 executions the reservations leave/,
    ],
    ['converse memory beyond Lambda\u2019s 10,240 MB', { capacity: { converseMemoryMb: 20_000 } }, /capacity\.converseMemoryMb: Too big/],
    ['a concurrency alarm above 100%', { alarms: { concurrencyPercent: 120 } }, /alarms\.concurrencyPercent: Too big/],
  ] as [string, Partial<StageConfigInput>, RegExp][])('rejects %s, naming the field', (_, override, message) => {
    expect(() => stageConfig('dev', override)).toThrow(message);
  });

  function prodOverride(capacity: Record<string, unknown>): Partial<StageConfigInput> {
    return {
      throttling: { rateLimit: 1000, burstLimit: 2000 },
      insights: { modelIds: [], sweepMinutes: 1, maxConcurrency: 480 },
      capacity: { ...prodLoad, ...capacity } as StageConfigInput['capacity'],
    };
  }

  it('every configured stage holds together (the checks above pass for them)', () => {
    for (const stage of ['dev', 'staging', 'prod']) expect(() => stageConfig(stage)).not.toThrow();
  });
});

describe('prod\u2019s example agent', () => {
  it('is an AgentCore harness, registered in the table; converse may invoke exactly it', () => {
    const agents = stageConfig('prod').bedrock.agents;
    expect(Object.values(agents).map((a) => a.agent.kind)).toEqual(['agentcore-harness']);
    const kinds = resourcesOf(prod, 'Custom::AWS').map(([, r]) => JSON.stringify(r.Properties.Create));
    expect(kinds.some((k) => k.includes('agentcore-harness'))).toBe(true);
    // A Classic agent is still where an existing customer looks: the staging stage.
    expect(Object.values(stageConfig('staging').bedrock.agents).some((a) => a.agent.kind === 'bedrock-agent')).toBe(true);
  });
});
