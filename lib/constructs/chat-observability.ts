import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface ChatObservabilityProps {
  stage: string;
  api: apigw.RestApi;
  table: dynamodb.Table;
  functions: ReadonlyMap<string, lambda.Function>;
  alarmEmail?: string;
}

/** Alarms (5xx rate, p99 latency, throttles, Lambda errors, DynamoDB throttling), a dashboard, optional email. */
export class ChatObservability extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: ChatObservabilityProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Alarms', { displayName: `Pika chat ${props.stage} alarms`, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const period = Duration.minutes(5);

    const serverErrorRate = new cloudwatch.MathExpression({
      expression: '100 * errors / MAX([requests, 1])',
      usingMetrics: { errors: props.api.metricServerError({ period, statistic: 'Sum' }), requests: props.api.metricCount({ period, statistic: 'Sum' }) },
      label: '5xx %',
      period,
    });
    this.alarm('Api5xxRate', serverErrorRate, 1, 'More than 1% of requests answered 5xx');
    this.alarm('ApiLatencyP99', props.api.metricLatency({ period, statistic: 'p99' }), 3000, 'p99 latency above 3 s (streamed answers excluded by the integration latency)');
    this.alarm('Api4xxSpike', props.api.metricClientError({ period, statistic: 'Sum' }), 500, 'Unusual number of 4xx (throttling or abuse)');
    this.alarm(
      'DynamoDbThrottles',
      new cloudwatch.MathExpression({
        expression: 'r + w',
        usingMetrics: {
          r: props.table.metric('ReadThrottleEvents', { period, statistic: 'Sum' }),
          w: props.table.metric('WriteThrottleEvents', { period, statistic: 'Sum' }),
        },
        label: 'DynamoDB throttle events',
        period,
      }),
      1,
      'DynamoDB throttled requests',
    );
    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({ title: 'Requests / 5xx / 4xx', left: [props.api.metricCount({ period }), props.api.metricServerError({ period }), props.api.metricClientError({ period })] }),
      new cloudwatch.GraphWidget({ title: 'Latency p50 / p99', left: [props.api.metricLatency({ period, statistic: 'p50' }), props.api.metricLatency({ period, statistic: 'p99' })] }),
    ];
    for (const [name, fn] of props.functions) {
      this.alarm(`${name}Errors`, fn.metricErrors({ period, statistic: 'Sum' }), 1, `Lambda ${name} errors`);
      this.alarm(`${name}Throttles`, fn.metricThrottles({ period, statistic: 'Sum' }), 1, `Lambda ${name} throttled`);
      widgets.push(new cloudwatch.GraphWidget({ title: `λ ${name}`, left: [fn.metricInvocations({ period }), fn.metricErrors({ period }), fn.metricThrottles({ period })], right: [fn.metricDuration({ period, statistic: 'p99' })] }));
    }
    new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `pika-chat-${props.stage}`, widgets: [widgets] });
  }

  private alarm(id: string, metric: cloudwatch.IMetric, threshold: number, description: string) {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
