import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { GSIS, TABLE_DEFINITION } from '../../functions/data/table-definition';
import { ROUTES, ROUTE_GROUPS } from '../../functions/http/routes';
import { stageConfig } from '../../lib/config/stages';
import { TABLE_ACCESS } from '../../lib/constructs/access-map';
import { PikaChatStack } from '../../lib/pika-chat-stack';

const templates: Record<string, Template> = {};

function synth(stage: string) {
  const app = new App({ context: { stage } });
  const stack = new PikaChatStack(app, `PikaChat-${stage}`, { config: stageConfig(stage) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth(); // runs cdk-nag: throws on any unacknowledged finding
  return Template.fromStack(stack);
}

beforeAll(() => {
  for (const stage of ['dev', 'prod']) templates[stage] = synth(stage);
}, 120_000);

const resources = (t: Template, type: string) => Object.entries(t.findResources(type)) as [string, any][];

describe('CDK stack', () => {
  it('passes cdk-nag AwsSolutions for every stage (synth above would have thrown)', () => {
    expect(Object.keys(templates)).toEqual(['dev', 'prod']);
  });

  it('cdk-nag really fails synth on an unacknowledged finding', () => {
    const app = new App();
    const stack = new Stack(app, 'Bad');
    new iam.Role(stack, 'Wide', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }).addToPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:*'], resources: ['*'] }),
    );
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/[Vv]alidation/);
  });

  it('builds the table from the shared definition; prod retains it with PITR and deletion protection', () => {
    for (const [stage, t] of Object.entries(templates)) {
      const [, table] = resources(t, 'AWS::DynamoDB::Table')[0]!;
      const p = table.Properties;
      expect(p.KeySchema).toEqual([
        { AttributeName: TABLE_DEFINITION.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_DEFINITION.sortKey, KeyType: 'RANGE' },
      ]);
      expect(p.GlobalSecondaryIndexes.map((g: any) => [g.IndexName, g.KeySchema.map((k: any) => k.AttributeName), g.Projection.ProjectionType])).toEqual(
        GSIS.map((g) => [g.indexName, [g.partitionKey, g.sortKey], 'ALL']),
      );
      expect(p.TimeToLiveSpecification).toEqual({ AttributeName: TABLE_DEFINITION.ttlAttribute, Enabled: true });
      expect(p.BillingMode).toBe('PAY_PER_REQUEST');
      if (stage === 'prod') {
        expect(table.DeletionPolicy).toBe('Retain');
        expect(p.DeletionProtectionEnabled).toBe(true);
        expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      } else expect(table.DeletionPolicy).toBe('Delete');
    }
  });

  it('has every route of the route table, with the authorizer and a Lambda proxy integration; converse streams', () => {
    const t = templates.dev!;
    const methods = resources(t, 'AWS::ApiGateway::Method').filter(([, m]) => m.Properties.HttpMethod !== 'OPTIONS');
    expect(methods).toHaveLength(ROUTES.length);
    for (const route of ROUTES) {
      const found = methods.find(([, m]) => m.Properties.OperationName === route.id);
      expect(found, route.id).toBeDefined();
      const p = found![1].Properties;
      expect(p.HttpMethod).toBe(route.method);
      expect(p.AuthorizationType).toBe('CUSTOM');
      expect(p.AuthorizerId).toBeDefined();
      expect(p.Integration.Type).toBe('AWS_PROXY');
      const uri = JSON.stringify(p.Integration.Uri);
      if (route.id === 'converse') {
        expect(p.Integration.ResponseTransferMode).toBe('STREAM');
        expect(uri).toContain('response-streaming-invocations');
        expect(p.Integration.TimeoutInMillis).toBe(stageConfig('dev').converseTimeoutSeconds * 1000);
      } else {
        expect(p.Integration.ResponseTransferMode ?? 'BUFFERED').toBe('BUFFERED');
        expect(uri).not.toContain('response-streaming');
      }
    }
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'REQUEST', IdentitySource: 'method.request.header.Authorization', AuthorizerResultTtlInSeconds: 300 });
    t.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true, AccessLogSetting: Match.anyValue() });
  });

  it('one Lambda per route group plus the authorizer: Node.js 22, arm64, tracing on', () => {
    const fns = resources(templates.dev!, 'AWS::Lambda::Function');
    expect(fns).toHaveLength(ROUTE_GROUPS.length + 1);
    for (const [, fn] of fns) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
      expect(fn.Properties.Environment.Variables).toHaveProperty('TABLE_NAME');
      expect(JSON.stringify(fn.Properties.Environment.Variables)).not.toMatch(/JWT_SECRET"|CURSOR_SECRET"/);
    }
  });

  it('grants each function only its table actions and indexes, Bedrock only on configured ARNs, "*" only for X-Ray', () => {
    const t = templates.dev!;
    const config = stageConfig('dev');
    const policies = resources(t, 'AWS::IAM::Policy');
    const fnLogicalIds = resources(t, 'AWS::Lambda::Function').map(([id, fn]) => [id, fn.Properties.Role['Fn::GetAtt'][0]] as const);
    for (const [, policy] of policies) {
      for (const st of policy.Properties.PolicyDocument.Statement) {
        const actions: string[] = [st.Action].flat();
        const res: unknown[] = [st.Resource].flat();
        if (res.includes('*')) expect(actions.every((a) => a.startsWith('xray:'))).toBe(true);
        if (actions.some((a) => a.startsWith('bedrock:InvokeAgent'))) expect(res).toEqual(config.bedrock.agentAliasArns);
        if (actions.some((a) => a.startsWith('bedrock:InvokeModel') || a === 'bedrock:InvokeInlineAgent')) expect(res).toEqual(config.bedrock.modelArns);
      }
    }
    for (const group of [...ROUTE_GROUPS, 'authorizer'] as const) {
      const roleId = fnLogicalIds.find(([id]) => id.startsWith(`Functions${group}`))?.[1];
      expect(roleId, group).toBeDefined();
      const statements = policies.filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId)).flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
      const ddbActions = new Set(statements.flatMap((s: any) => [s.Action].flat()).filter((a: string) => a.startsWith('dynamodb:')));
      expect([...ddbActions].sort(), group).toEqual([...TABLE_ACCESS[group].actions].sort());
      const indexes = JSON.stringify(statements).match(/\/index\/(gsi\d)/g)?.map((m) => m.slice(7)) ?? [];
      expect([...new Set(indexes)].sort(), group).toEqual([...TABLE_ACCESS[group].indexes].sort());
      const bedrock = statements.some((s: any) => JSON.stringify(s.Action).includes('bedrock:'));
      expect(bedrock, group).toBe(group === 'converse');
    }
  });

  it('alarms on 5xx rate, p99 latency, DynamoDB throttles and each function\u2019s errors and throttles', () => {
    const alarms = resources(templates.prod!, 'AWS::CloudWatch::Alarm').map(([id]) => id);
    for (const name of ['Api5xxRate', 'ApiLatencyP99', 'DynamoDbThrottles', 'converseErrors', 'converseThrottles']) {
      expect(alarms.some((id) => id.includes(name)), name).toBe(true);
    }
    templates.prod!.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: stageConfig('prod').alarmEmail });
    templates.prod!.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('a bad stage configuration fails with a message naming the field', () => {
    expect(() => stageConfig('dev', { throttling: { rateLimit: -1, burstLimit: 10 } })).toThrow(/throttling\.rateLimit/);
    expect(() => stageConfig('dev', { bedrock: { agentAliasArns: ['not-an-arn'], modelArns: [] } })).toThrow(/bedrock\.agentAliasArns\.0: must be an bedrock ARN/);
    expect(() => stageConfig('nope')).toThrow(/Unknown stage "nope"/);
  });
});
