/** The constructs compose in a stack of your own, as docs/deploy.md shows (props in, resources out). */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { ROUTES, ROUTE_GROUPS, type RouteDef } from '../../functions/http/routes';
import { ChatApi, ChatFunctions, ChatRedrive, ChatRetention, ChatTable, ChatUsage, bedrockAccess, stageConfig } from '../../lib/index';

describe('reusing the constructs', () => {
  it('a table, the functions and the API in your own stack, with your own secret and a subset of routes', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'MyChat', { env: { account: '111122223333', region: 'eu-west-1' } });

    const { table } = new ChatTable(stack, 'ChatData', { retainData: true, pointInTimeRecovery: true });
    const cursor = new secretsmanager.Secret(stack, 'CursorKey', { generateSecretString: { passwordLength: 48, excludePunctuation: true } });
    const functions = new ChatFunctions(stack, 'ChatFunctions', {
      table,
      groups: ROUTE_GROUPS.filter((g) => g !== 'admin'),
      serviceName: 'my-chat',
      logLevel: 'INFO',
      logRetentionDays: 30,
      environment: {
        JWT_JWKS_URL: 'https://login.example.com/jwks',
        JWT_ISSUER: 'https://login.example.com/',
        JWT_AUDIENCE: 'my-chat',
        CORS_ORIGINS: 'https://app.example.com',
      },
      cursorSecret: { secret: cursor, id: cursor.secretArn },
      bedrock: bedrockAccess(stack, stageConfig('dev').bedrock),
      sizes: { converse: { memoryMb: 2048, timeoutSeconds: 600 } },
    });
    const routes = (ROUTES as readonly RouteDef[]).filter((r) => r.group !== 'admin');
    // The shared usage totals: the table's stream into the functions' usage stream consumer.
    new ChatUsage(stack, 'ChatUsage', { table, consumer: functions.usageStream });
    // Answers the table refused, stored later.
    new ChatRedrive(stack, 'ChatRedrive', { sender: functions.byGroup.get('converse')!, worker: functions.answerRedrive });
    // Sessions kept and expired together with their files (docs/retention.md).
    new ChatRetention(stack, 'ChatRetention', { sweep: functions.retentionSweep });
    const api = new ChatApi(stack, 'ChatApi', {
      stage: 'v1',
      routes,
      functions: functions.byGroup,
      authorizer: functions.authorizer,
      authorizerCacheSeconds: 60,
      corsOrigins: ['https://app.example.com'],
      throttling: { rateLimit: 20, burstLimit: 40 },
      logRetentionDays: 30,
      streamingTimeoutSeconds: 600,
      detailedMetrics: false,
    });

    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::DynamoDB::Table', 1);
    // every group but admin, the authorizer, the usage stream consumer, the answer redrive, the retention sweep, the lifecycle worker (its queue: ChatLifecycle)
    t.resourceCountIs('AWS::Lambda::Function', ROUTE_GROUPS.length + 4);
    t.resourceCountIs('AWS::Events::Rule', 1);
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    t.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 2048, Timeout: Duration.minutes(10).toSeconds() });
    const methods = Object.values(t.findResources('AWS::ApiGateway::Method')).filter((m) => !['OPTIONS', 'ANY'].includes(m.Properties.HttpMethod));
    expect(methods).toHaveLength(routes.length);
    expect(api.methods.has('putAgent')).toBe(false);
    expect(api.methods.get('converse')).toBeDefined();
    t.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'v1' });
  });
});
