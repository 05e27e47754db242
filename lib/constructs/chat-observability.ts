import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TABLE_DEFINITION } from '../../functions/data/table-definition';
import type { RouteDef } from '../../functions/http/routes';
import { ANSWERS_NOT_STORED, AUTHORIZER_FAILURES, METRICS_NAMESPACE } from '../../functions/platform/metrics';
import { USAGE_METRICS } from '../../functions/platform/usage-metrics';
import { backgroundAlarms } from './observability-background';

/** A converse answer that could not be stored (functions/platform/metrics.ts; emitted by converse's persist step). */
export { ANSWERS_NOT_STORED };

/** The DynamoDB operations the functions make (ThrottledRequests has one metric per operation). */
export const DYNAMODB_OPERATIONS = ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'] as const;

export interface AlarmThresholds {
  readonly latencyP99Ms: number;
  readonly serverErrorPercent: number;
  readonly clientErrorsPer5Min: number;
  /** DynamoDB throttle events, and throttled requests, per 5 minutes (default 1). */
  readonly dynamoDbThrottlesPer5Min?: number;
  /** DynamoDB TransactionConflict per 5 minutes (default 100). */
  readonly transactionConflictsPer5Min?: number;
  /** Age of the oldest message in a backlog queue (default 900 s). */
  readonly insightsBacklogSeconds?: number;
  /** A function with reserved concurrency above this share of it (default 80%). */
  readonly concurrencyPercent?: number;
  /** AnswersNotStored per 5 minutes (default 1). */
  readonly answersNotStoredPer5Min?: number;
  /** IteratorAge of a stream consumer, in seconds (default 60). */
  readonly usageLagSeconds?: number;
}

export interface ChatObservabilityProps {
  readonly stage: string;
  readonly api: apigw.RestApi;
  readonly routes: readonly RouteDef[];
  readonly table: dynamodb.ITable;
  /** By name (route group or authorizer). */
  readonly functions: ReadonlyMap<string, lambda.IFunction>;
  /** The functions' POWERTOOLS_SERVICE_NAME: the dimension of their custom metrics (functions/platform/metrics.ts). */
  readonly serviceName: string;
  /** Per-method API metrics are on (ChatApi detailedMetrics): latency alarms per route group. */
  readonly detailedMetrics: boolean;
  readonly thresholds: AlarmThresholds;
  /** Reserved concurrency by function name (a key of `functions`): an alarm when one runs near its reservation. */
  readonly reservedConcurrency?: ReadonlyMap<string, number>;
  /** Work queues by name: an alarm when the oldest waiting message is older than `insightsBacklogSeconds`. */
  readonly backlogQueues?: Readonly<Record<string, sqs.IQueue>>;
  /** A streamed answer may take this long: the streaming routes' latency alarm sits at 90% of it. */
  readonly streamingTimeoutSeconds: number;
  readonly alarmEmail?: string;
  /** Chat apps whose cost of one UTC day raises an alarm at `usd`. */
  readonly dailyCostWarnings?: readonly { chatAppId: string; usd: number }[];
  /** Dead-letter queues by name: any message in one is a job that failed every delivery. */
  readonly deadLetterQueues?: Readonly<Record<string, sqs.IQueue>>;
  /** Stream consumers by name: an alarm when the records they read are older than `usageLagSeconds`. */
  readonly streamConsumers?: Readonly<Record<string, lambda.IFunction>>;
}

const period = Duration.minutes(5);

/**
 * Alarms (API 5xx rate, p99 latency, 4xx spikes, Lambda errors and throttles, DynamoDB throttling) to one SNS
 * topic (optionally mailed), and a dashboard.
 */
export class ChatObservability extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ChatObservabilityProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Alarms', { displayName: `Pika chat ${props.stage} alarms`, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const { api, thresholds } = props;
    const apiName = api.restApiName;
    const stageName = api.deploymentStage.stageName;
    const apiMetric = (metricName: string, statistic: string, extra: Record<string, string> = {}) =>
      new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName, statistic, period, dimensionsMap: { ApiName: apiName, Stage: stageName, ...extra } });

    const requests = apiMetric('Count', 'Sum');
    const serverErrors = apiMetric('5XXError', 'Sum');
    const clientErrors = apiMetric('4XXError', 'Sum');
    this.alarm(
      'Api5xxRate',
      new cloudwatch.MathExpression({ expression: '100 * e / MAX([r, 1])', usingMetrics: { e: serverErrors, r: requests }, label: '5xx %', period }),
      thresholds.serverErrorPercent,
      `More than ${thresholds.serverErrorPercent}% of requests answered 5xx`,
    );
    this.alarm('Api4xxSpike', clientErrors, thresholds.clientErrorsPer5Min, 'Unusual number of 4xx answers (throttling, abuse or a broken client)');
    const latencyWidgets = this.latencyAlarms(props, apiMetric);

    const tableMetrics: Record<string, cloudwatch.IMetric> = {};
    const tableName = props.table.tableName;
    for (const kind of ['Read', 'Write']) {
      const dims = { TableName: tableName };
      tableMetrics[`t${kind}`] = new cloudwatch.Metric({
        namespace: 'AWS/DynamoDB',
        metricName: `${kind}ThrottleEvents`,
        dimensionsMap: dims,
        statistic: 'Sum',
        period,
      });
      TABLE_DEFINITION.gsis.forEach((g, i) => {
        tableMetrics[`g${i}${kind}`] = new cloudwatch.Metric({
          namespace: 'AWS/DynamoDB',
          metricName: `${kind}ThrottleEvents`,
          dimensionsMap: { ...dims, GlobalSecondaryIndexName: g.indexName },
          statistic: 'Sum',
          period,
        });
      });
    }
    // FILL(…, 0): these metrics have no data point while nothing is throttled, and a sum with one missing term
    // has none either (a throttled index alone would not show); AWS/DynamoDB alarms keep their state on missing data.
    const sumFilled = (ids: string[]) => ids.map((id) => `FILL(${id}, 0)`).join(' + ');
    const ddbThrottles = new cloudwatch.MathExpression({
      expression: sumFilled(Object.keys(tableMetrics)),
      usingMetrics: tableMetrics,
      label: 'DynamoDB throttle events (table and indexes)',
      period,
    });
    const throttleThreshold = thresholds.dynamoDbThrottlesPer5Min ?? 1;
    this.alarm('DynamoDbThrottles', ddbThrottles, throttleThreshold, 'DynamoDB throttled requests on the table or an index');
    // ThrottledRequests counts requests (one per operation) where a table's or an index's throttle events count items.
    const throttledByOperation = Object.fromEntries(
      DYNAMODB_OPERATIONS.map((operation, i) => [
        `o${i}`,
        new cloudwatch.Metric({
          namespace: 'AWS/DynamoDB',
          metricName: 'ThrottledRequests',
          dimensionsMap: { TableName: tableName, Operation: operation },
          statistic: 'Sum',
          period,
        }),
      ]),
    );
    const ddbThrottledRequests = new cloudwatch.MathExpression({
      expression: sumFilled(Object.keys(throttledByOperation)),
      usingMetrics: throttledByOperation,
      label: 'DynamoDB throttled requests (every operation)',
      period,
    });
    this.alarm(
      'DynamoDbRequestsThrottled',
      ddbThrottledRequests,
      throttleThreshold,
      'DynamoDB throttled requests: a partition past 1,000 WCU/s or 3,000 RCU/s, or an index pushing back (docs/scaling.md)',
    );
    const conflicts = new cloudwatch.MathExpression({
      expression: 'FILL(c, 0)',
      usingMetrics: {
        c: new cloudwatch.Metric({
          namespace: 'AWS/DynamoDB',
          metricName: 'TransactionConflict',
          dimensionsMap: { TableName: tableName },
          statistic: 'Sum',
          period,
        }),
      },
      label: 'DynamoDB transaction conflicts',
      period,
    });
    const conflictThreshold = thresholds.transactionConflictsPer5Min ?? 100;
    this.alarm(
      'DynamoDbTransactionConflicts',
      conflicts,
      conflictThreshold,
      `At least ${conflictThreshold} DynamoDB transactions in 5 minutes cancelled by a concurrent one on the same item (retried; items shared by many turns are hot: docs/scaling.md)`,
    );

    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({ title: 'Requests / 5xx / 4xx', left: [requests, serverErrors, clientErrors] }),
      ...latencyWidgets,
      new cloudwatch.GraphWidget({ title: 'DynamoDB throttles and transaction conflicts', left: [ddbThrottles, ddbThrottledRequests], right: [conflicts] }),
    ];
    const concurrencyPercent = thresholds.concurrencyPercent ?? 80;
    for (const [name, reserved] of props.reservedConcurrency ?? []) {
      const fn = props.functions.get(name);
      if (!fn) throw new Error(`ChatObservability: reserved concurrency for "${name}", which is not one of the functions`);
      const running = fn.metric('ConcurrentExecutions', { period: Duration.minutes(1), statistic: 'Maximum' });
      const threshold = Math.max(1, Math.floor((reserved * concurrencyPercent) / 100));
      this.alarm(
        `${name}ConcurrencyNearReserved`,
        running,
        threshold,
        `Lambda ${name} ran ${threshold} executions at once, ${concurrencyPercent}% of its ${reserved} reserved: past ${reserved} it is throttled (docs/scaling.md)`,
      );
      widgets.push(
        new cloudwatch.GraphWidget({
          title: `\u03bb ${name} concurrency`,
          left: [running],
          leftAnnotations: [
            { value: reserved, label: 'reserved' },
            { value: threshold, label: 'alarm' },
          ],
        }),
      );
    }
    if (props.functions.has('converse')) {
      const notStored = new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: ANSWERS_NOT_STORED,
        dimensionsMap: { service: props.serviceName },
        statistic: 'Sum',
        period,
      });
      this.alarm(
        'AnswersNotStored',
        notStored,
        thresholds.answersNotStoredPer5Min ?? 1,
        'Converse answers that could not be stored: users saw answers their sessions do not hold',
      );
      widgets.push(new cloudwatch.GraphWidget({ title: 'Answers not stored', left: [notStored] }));
    }
    for (const [name, fn] of props.functions) {
      if (name === 'authorizer') {
        // Every refused token is a Lambda error ('Unauthorized' is how a 401 is asked for): alarm on the
        // failures the authorizer counts itself instead (JWKS or Secrets Manager down, a bug).
        const failures = new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: AUTHORIZER_FAILURES,
          dimensionsMap: { service: props.serviceName },
          statistic: 'Sum',
          period,
        });
        this.alarm('authorizerFailures', failures, 1, 'The authorizer could not decide (issuer keys or secrets unavailable, or a bug): callers got 503');
        widgets.push(
          new cloudwatch.GraphWidget({
            title: '\u03bb authorizer',
            left: [fn.metricInvocations({ period }), failures, fn.metricThrottles({ period })],
            right: [fn.metricDuration({ period, statistic: 'p99' })],
          }),
        );
        this.alarm(
          `${name}Throttles`,
          fn.metricThrottles({ period, statistic: 'Sum' }),
          1,
          `Lambda ${name} was throttled (account or reserved concurrency reached)`,
        );
        continue;
      }
      this.alarm(`${name}Errors`, fn.metricErrors({ period, statistic: 'Sum' }), 1, `Lambda ${name} failed (an unhandled error, a timeout or out of memory)`);
      this.alarm(
        `${name}Throttles`,
        fn.metricThrottles({ period, statistic: 'Sum' }),
        1,
        `Lambda ${name} was throttled (account or reserved concurrency reached)`,
      );
      widgets.push(
        new cloudwatch.GraphWidget({
          title: `\u03bb ${name}`,
          left: [fn.metricInvocations({ period }), fn.metricErrors({ period }), fn.metricThrottles({ period })],
          right: [fn.metricDuration({ period, statistic: 'p99' })],
        }),
      );
    }
    widgets.push(...backgroundAlarms(props, thresholds, period, (id, metric, threshold, description) => this.alarm(id, metric, threshold, description)));
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `pika-chat-${props.stage}`,
      widgets: [...chunk(widgets, 3), this.usageRow(props)],
    });
  }

  /**
   * A streamed answer lasts as long as the agent talks, so one API-wide p99 would only measure converse. With
   * per-method metrics each route group gets its own alarm (worst method's p99), and the streaming routes one
   * near their timeout; without them, the non-streaming functions' p99 duration stands in.
   */
  private latencyAlarms(
    props: ChatObservabilityProps,
    apiMetric: (m: string, s: string, d?: Record<string, string>) => cloudwatch.Metric,
  ): cloudwatch.IWidget[] {
    const { latencyP99Ms } = props.thresholds;
    const streamingLimitMs = Math.round(props.streamingTimeoutSeconds * 900);
    const widgets: cloudwatch.IWidget[] = [];
    const groups = [...new Set(props.routes.map((r) => r.group))];
    for (const group of groups) {
      const routes = props.routes.filter((r) => r.group === group);
      const streaming = routes.every((r) => r.streaming);
      const threshold = streaming ? streamingLimitMs : latencyP99Ms;
      const metrics: cloudwatch.IMetric[] = [];
      if (props.detailedMetrics) {
        // At most 10 metrics per alarm: a group with more routes gets an alarm per 10 of them.
        chunk([...routes], 10).forEach((part, n) => {
          const perMethod = Object.fromEntries(
            part.map((r, i) => [n ? `p${n}m${i}` : `m${i}`, apiMetric('Latency', 'p99', { Resource: r.path, Method: r.method })]),
          );
          metrics.push(
            new cloudwatch.MathExpression({
              expression: `MAX([${Object.keys(perMethod).join(', ')}])`,
              usingMetrics: perMethod,
              label: `${group} p99 latency (worst route${n ? `, part ${n + 1}` : ''})`,
              period,
            }),
          );
        });
      } else {
        const fn = props.functions.get(group);
        if (!fn) continue;
        metrics.push(fn.metricDuration({ period, statistic: 'p99', label: `${group} p99 duration` }));
      }
      for (const [n, metric] of metrics.entries())
        this.alarm(`${group}LatencyP99${n ? n + 1 : ''}`, metric, threshold, `${group}: p99 latency above ${threshold} ms`);
      widgets.push(new cloudwatch.GraphWidget({ title: `${group} p99 latency`, left: metrics, leftAnnotations: [{ value: threshold, label: 'alarm' }] }));
    }
    return widgets;
  }

  /**
   * Usage (functions/platform/usage-metrics.ts): a dashboard row of cost, tokens and turns per chat app (SEARCH:
   * every chat app, none named at deploy time), and an alarm per configured chat app on its daily cost.
   */
  private usageRow(props: ChatObservabilityProps): cloudwatch.IWidget[] {
    const hour = Duration.hours(1);
    const search = (metric: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},chatAppId,service} MetricName="${metric}" service="${props.serviceName}"', 'Sum', 3600)`,
        usingMetrics: {},
        label,
        period: hour,
      });
    (props.dailyCostWarnings ?? []).forEach(({ chatAppId, usd }, i) => {
      const cost = new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: USAGE_METRICS.cost,
        dimensionsMap: { service: props.serviceName, chatAppId },
        statistic: 'Sum',
        period: Duration.days(1),
        label: `${chatAppId} cost (USD per day)`,
      });
      this.alarm(`DailyCost${i}`, cost, usd, `Chat app ${chatAppId} cost at least ${usd} USD in one day`);
    });
    return [
      new cloudwatch.GraphWidget({ title: 'Cost per chat app (USD per hour)', left: [search(USAGE_METRICS.cost, 'USD')] }),
      new cloudwatch.GraphWidget({
        title: 'Tokens per chat app (per hour)',
        left: [search(USAGE_METRICS.inputTokens, 'input')],
        right: [search(USAGE_METRICS.outputTokens, 'output')],
      }),
      new cloudwatch.GraphWidget({
        title: 'Turns, failures, budget refusals per chat app',
        left: [search(USAGE_METRICS.turns, 'turns'), search(USAGE_METRICS.failures, 'failures'), search(USAGE_METRICS.budgetRefusals, 'budget refusals')],
      }),
    ];
  }

  private alarm(id: string, metric: cloudwatch.IMetric, threshold: number, description: string): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length; i += size) rows.push(items.slice(i, i + size));
  return rows;
}
