/**
 * The synthesized stack: table = shared definition, every route with its method, authorizer and integration, Lambda
 * settings and bundles, stage settings, alarms, outputs. dev is bundled (esbuild) and CloudFormation-validated; prod is not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableInput } from '../../functions/data/table-definition';
import { keys } from '../../functions/data/keys';
import { ROUTES, ROUTE_GROUPS, type RouteDef } from '../../functions/http/routes';
import { stageConfig } from '../../lib/config/stages';
import { LAMBDA_BANNER } from '../../lib/constructs/bundling';
import { pathParams, requiredQueryParams } from '../../lib/constructs/chat-api';
import { flat, logicalIdOf, resourcePaths, resourcesOf, synthStage, type Synthesized } from './helpers';

let dev: Synthesized;
let prod: Synthesized;
const routes = ROUTES as readonly RouteDef[];

beforeAll(() => {
  dev = synthStage('dev', { bundle: true, cfnValidation: true });
  prod = synthStage('prod');
}, 120_000);
afterAll(() => {
  dev?.cleanup();
  prod?.cleanup();
});

const assetDir = (s: Synthesized, name: string) => join(s.outdir, s.json.Resources[fnLogicalId(s, name)]!.Metadata!['aws:asset:path']);
const assetFiles = (s: Synthesized, name: string) => readdirSync(assetDir(s, name)).sort();

const fnLogicalId = (s: Synthesized, name: string) => {
  const fn = name === 'authorizer' ? s.stack.functions.authorizer : s.stack.functions.byGroup.get(name as never);
  if (!fn) throw new Error(`no function ${name}`);
  return logicalIdOf(s, fn);
};

describe('table', () => {
  it('has exactly the keys, GSIs (projection ALL), billing and TTL of the shared definition used locally', () => {
    const local = createTableInput('x');
    for (const s of [dev, prod]) {
      const tables = resourcesOf(s, 'AWS::DynamoDB::Table');
      expect(tables).toHaveLength(1);
      const p = tables[0]![1].Properties;
      expect(p.KeySchema).toEqual(local.KeySchema);
      expect(p.GlobalSecondaryIndexes).toEqual(local.GlobalSecondaryIndexes);
      expect([...p.AttributeDefinitions].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName))).toEqual(
        [...local.AttributeDefinitions].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName)),
      );
      expect(p.BillingMode).toBe(local.BillingMode);
      expect(p.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
      expect(p.TableName).toBeUndefined(); // generated: stages live side by side
    }
  });

  it('prod retains its data with PITR, deletion and termination protection; dev is disposable', () => {
    const [, prodTable] = resourcesOf(prod, 'AWS::DynamoDB::Table')[0]!;
    expect(prodTable.DeletionPolicy).toBe('Retain');
    expect(prodTable.UpdateReplacePolicy).toBe('Retain');
    expect(prodTable.Properties.DeletionProtectionEnabled).toBe(true);
    expect(prodTable.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(prod.stack.terminationProtection).toBe(true);
    const [, devTable] = resourcesOf(dev, 'AWS::DynamoDB::Table')[0]!;
    expect(devTable.DeletionPolicy).toBe('Delete');
    expect(devTable.Properties.DeletionProtectionEnabled).toBe(false);
    expect(devTable.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: false });
    expect(dev.stack.terminationProtection).toBe(false);
  });
});

describe('REST API generated from the route table', () => {
  it('has one method per route at its path, behind the REQUEST authorizer, proxied to its group\u2019s function', () => {
    for (const s of [dev, prod]) {
      const paths = resourcePaths(s);
      const authorizerId = logicalIdOf(s, s.stack.api.requestAuthorizer as never);
      const methods = resourcesOf(s, 'AWS::ApiGateway::Method').filter(([, m]) => !['OPTIONS', 'ANY'].includes(m.Properties.HttpMethod));
      expect(methods).toHaveLength(routes.length);
      for (const route of routes) {
        const found = methods.filter(([, m]) => paths.get(m.Properties.ResourceId.Ref) === route.path && m.Properties.HttpMethod === route.method);
        expect(found, `${route.method} ${route.path}`).toHaveLength(1);
        const p = found[0]![1].Properties;
        expect(p.OperationName).toBe(route.id);
        expect(p.AuthorizationType).toBe('CUSTOM');
        expect(p.AuthorizerId).toEqual({ Ref: authorizerId });
        expect(p.Integration.Type).toBe('AWS_PROXY');
        expect(p.Integration.IntegrationHttpMethod).toBe('POST');
        const uri = flat(p.Integration.Uri);
        expect(uri).toContain(`<${fnLogicalId(s, route.group)}.Arn>`);
        const expectedParams = Object.fromEntries([
          ...pathParams(route.path).map((n) => [`method.request.path.${n}`, true]),
          ...requiredQueryParams(route).map((n) => [`method.request.querystring.${n}`, true]),
        ]);
        expect(p.RequestParameters ?? {}).toEqual(expectedParams);
        if (route.streaming) {
          expect(p.Integration.ResponseTransferMode).toBe('STREAM');
          expect(uri).toMatch(/\/functions\/.*\/response-streaming-invocations$/);
          expect(p.Integration.TimeoutInMillis).toBe(stageConfig(s === dev ? 'dev' : 'prod').converseTimeoutSeconds * 1000);
        } else {
          expect(p.Integration.ResponseTransferMode ?? 'BUFFERED').toBe('BUFFERED');
          expect(uri).toMatch(/\/functions\/.*\/invocations$/);
          expect(uri).not.toContain('response-streaming');
        }
      }
    }
  });

  it('streams exactly the streaming routes: converse and its client-protocol modes', () => {
    const ids = ['converse', 'converseAiSdk', 'converseAgUi'];
    expect(routes.filter((r) => r.streaming).map((r) => r.id)).toEqual(ids);
    const streamed = resourcesOf(dev, 'AWS::ApiGateway::Method').filter(([, m]) => m.Properties.Integration?.ResponseTransferMode === 'STREAM');
    expect(streamed.map(([, m]) => m.Properties.OperationName).sort()).toEqual([...ids].sort());
  });

  it('answers 405 with Allow for undefined methods on each route path (mock, no function reached)', () => {
    const paths = resourcePaths(dev);
    const any = resourcesOf(dev, 'AWS::ApiGateway::Method').filter(([, m]) => m.Properties.HttpMethod === 'ANY');
    const routePaths = [...new Set(routes.map((r) => r.path))];
    expect(any.map(([, m]) => paths.get(m.Properties.ResourceId.Ref)).sort()).toEqual([...routePaths].sort());
    for (const [, m] of any) {
      const path = paths.get(m.Properties.ResourceId.Ref)!;
      const allow = routes
        .filter((r) => r.path === path)
        .map((r) => r.method)
        .sort()
        .join(', ');
      expect(m.Properties.Integration.Type).toBe('MOCK');
      const response = m.Properties.Integration.IntegrationResponses[0];
      expect(response.StatusCode).toBe('405');
      expect(response.ResponseParameters['method.response.header.Allow']).toBe(`'${allow}'`);
      const body = response.ResponseTemplates['application/json'].replace('$context.httpMethod', 'TRACE');
      expect(JSON.parse(body)).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: 'Method TRACE is not allowed here', details: { allow } } });
    }
  });

  it('caches the REQUEST authorizer by the Authorization header, for the configured time', () => {
    const authorizers = resourcesOf(dev, 'AWS::ApiGateway::Authorizer');
    expect(authorizers).toHaveLength(1);
    const authorizer = authorizers[0]![1];
    expect(authorizer!.Properties).toMatchObject({
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: stageConfig('dev').authorizerCacheSeconds,
    });
    expect(flat(authorizer!.Properties.AuthorizerUri)).toMatch(new RegExp(`/functions/<${fnLogicalId(dev, 'authorizer')}\\.Arn>/invocations$`));
  });

  it('answers API Gateway\u2019s own errors as JSON in the API\u2019s error shape, with CORS headers', () => {
    const responses = new Map(resourcesOf(dev, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => [r.Properties.ResponseType, r.Properties]));
    const expectations: [string, string | undefined, string][] = [
      ['UNAUTHORIZED', '401', 'UNAUTHORIZED'],
      ['MISSING_AUTHENTICATION_TOKEN', '404', 'NOT_FOUND'],
      ['THROTTLED', '429', 'RATE_LIMITED'],
      ['BAD_REQUEST_PARAMETERS', '400', 'VALIDATION_FAILED'],
      ['AUTHORIZER_FAILURE', '503', 'DEPENDENCY_UNAVAILABLE'],
      ['INTEGRATION_FAILURE', '503', 'DEPENDENCY_UNAVAILABLE'],
      ['DEFAULT_4XX', undefined, 'BAD_REQUEST'],
      ['DEFAULT_5XX', undefined, 'INTERNAL'],
    ];
    for (const [type, status, code] of expectations) {
      const r = responses.get(type);
      expect(r, type).toBeDefined();
      expect(r!.StatusCode).toBe(status);
      const body = r!.ResponseTemplates['application/json'].replace('$context.error.messageString', '"Unauthorized"');
      expect(JSON.parse(body)).toEqual({ error: { code, message: 'Unauthorized' } });
      expect(r!.ResponseParameters['gatewayresponse.header.Access-Control-Allow-Origin']).toBe("'http://localhost:5173'");
    }
    // The stage throttle's 429 tells when to retry, as the OpenAPI document declares for every 429.
    expect(responses.get('THROTTLED')!.ResponseParameters['gatewayresponse.header.Retry-After']).toBe("'1'");
  });

  it('sets the stage: regional endpoint, throttling, JSON access logs without bodies, tracing, execution logs with retention, no usage plan', () => {
    for (const [s, stage] of [
      [dev, 'dev'],
      [prod, 'prod'],
    ] as const) {
      const c = stageConfig(stage);
      s.template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
      const [, st] = resourcesOf(s, 'AWS::ApiGateway::Stage')[0]!;
      const p = st.Properties;
      expect(p.StageName).toBe(stage);
      expect(p.TracingEnabled).toBe(true);
      const all = p.MethodSettings.find((m: any) => m.HttpMethod === '*' && m.ResourcePath === '/*');
      expect(all).toMatchObject({
        ThrottlingRateLimit: c.throttling.rateLimit,
        ThrottlingBurstLimit: c.throttling.burstLimit,
        DataTraceEnabled: false,
        LoggingLevel: 'ERROR',
        MetricsEnabled: c.detailedMetrics,
      });
      const converse = p.MethodSettings.find((m: any) => m.ResourcePath === '/~1converse' && m.HttpMethod === 'POST');
      // The stage's converseThrottling, else the one derived from its stated load (test/cdk/capacity.test.ts).
      const throttle = c.converseThrottling ?? s.stack.capacity.converseThrottling;
      if (throttle) expect(converse).toMatchObject({ ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit });
      else expect(converse).toBeUndefined();
      if (stage === 'prod') expect(throttle).toEqual({ rateLimit: 200, burstLimit: 400 });
      const format = JSON.parse(p.AccessLogSetting.Format);
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        status: '$context.status',
        resource: '$context.resourcePath',
        userId: '$context.authorizer.principalId',
      });
      expect(p.AccessLogSetting.Format).not.toMatch(/requestBody|header|authorization/i);
      // No API keys are issued, so a usage plan would only repeat the stage throttle.
      s.template.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
      s.template.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
      // API Gateway's execution log group, created by the stack with the stage's retention, before the stage.
      const apiId = logicalIdOf(s, s.stack.api.api);
      const [execId, exec] = resourcesOf(s, 'AWS::Logs::LogGroup').find(([, g]) =>
        flat(g.Properties.LogGroupName ?? '').startsWith('API-Gateway-Execution-Logs_'),
      )!;
      expect(flat(exec.Properties.LogGroupName)).toBe(`API-Gateway-Execution-Logs_<${apiId}>/${stage}`);
      expect(exec.Properties.RetentionInDays).toBe(c.logRetentionDays);
      const [, stageResource] = resourcesOf(s, 'AWS::ApiGateway::Stage')[0]! as unknown as [string, { DependsOn?: string[] }];
      expect(stageResource.DependsOn).toContain(execId);
    }
  });

  it('answers CORS preflights for the configured origins on every route path', () => {
    const paths = resourcePaths(dev);
    const options = resourcesOf(dev, 'AWS::ApiGateway::Method').filter(([, m]) => m.Properties.HttpMethod === 'OPTIONS');
    const optionPaths = new Set(options.map(([, m]) => paths.get(m.Properties.ResourceId?.Ref) ?? '/'));
    for (const r of routes) expect(optionPaths.has(r.path), r.path).toBe(true);
    const origin = options[0]![1].Properties.Integration.IntegrationResponses[0].ResponseParameters['method.response.header.Access-Control-Allow-Origin'];
    expect(origin).toBe("'http://localhost:5173'");
    for (const [, m] of options) expect(m.Properties.AuthorizationType).toBe('NONE');
  });
});

describe('functions', () => {
  it('one bundled function per route group plus the authorizer: Node.js 24, arm64, X-Ray, sizes, environment', () => {
    const c = stageConfig('dev');
    for (const name of [...ROUTE_GROUPS, 'authorizer']) {
      const p = dev.json.Resources[fnLogicalId(dev, name)]!.Properties;
      expect(p).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, Handler: 'index.handler' });
      expect(p.Timeout).toBe(name === 'converse' ? c.converseTimeoutSeconds : name === 'authorizer' ? 10 : 29);
      expect(p.MemorySize).toBeGreaterThanOrEqual(256);
      const env = p.Environment.Variables;
      expect(env.TABLE_NAME).toEqual({ Ref: logicalIdOf(dev, dev.stack.table.table) });
      expect(env).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'pika-chat-dev', POWERTOOLS_LOG_LEVEL: c.logLevel, CORS_ORIGINS: c.corsOrigins.join(',') });
      expect(env).not.toHaveProperty('NODE_OPTIONS'); // source maps are off unless the stage asks (sourceMaps)
      // Secrets are referenced, never inlined.
      expect(env.JWT_SECRET_ARN).toBeDefined();
      expect(env).not.toHaveProperty('JWT_SECRET');
      expect(env).not.toHaveProperty('CURSOR_SECRET');
      if (name === 'authorizer') expect(env).not.toHaveProperty('CURSOR_SECRET_ARN');
      else expect(env.CURSOR_SECRET_ARN).toBeDefined();
    }
    const prodEnv = prod.json.Resources[fnLogicalId(prod, 'users')]!.Properties.Environment.Variables;
    expect(prodEnv).toMatchObject({
      JWT_JWKS_URL: 'https://auth.example.com/.well-known/jwks.json',
      JWT_ISSUER: 'https://auth.example.com/',
      JWT_AUDIENCE: 'pika-chat',
      CONVERSE_RATE_LIMIT: '30',
    });
    expect(prodEnv).not.toHaveProperty('JWT_SECRET_ARN');
  });

  it('bundles each entry with local esbuild into index.mjs and its chunks: minified ESM, the banner in every file, no source map by default, the AWS SDK inside', () => {
    for (const name of [...ROUTE_GROUPS, 'authorizer']) {
      const files = assetFiles(dev, name);
      expect(files, name).toContain('index.mjs');
      // Code splitting: chunks beside index.mjs (the lazily imported clients, the SDK's own lazy imports), nothing else.
      expect(files.filter((f) => f !== 'index.mjs').length, name).toBeGreaterThan(0);
      expect(
        files.filter((f) => f !== 'index.mjs' && !/^chunk-[A-Z0-9]+\.mjs$/.test(f)),
        name,
      ).toEqual([]); // no index.mjs.map, no chunk maps
      const imports: string[] = [];
      let all = '';
      for (const file of files) {
        const code = readFileSync(join(assetDir(dev, name), file), 'utf8');
        all += code;
        // Every file may hold a CommonJS dependency: each has its own require.
        expect(code.startsWith(LAMBDA_BANNER), `${name}/${file}`).toBe(true);
        // Chunks import each other by relative path: every one is in the asset.
        for (const m of code.matchAll(/(?:\bfrom|\bimport\()"\.\/([\w-]+\.mjs)"/g)) expect(files, `${name}/${file} imports ${m[1]}`).toContain(m[1]);
        // Minified module specifiers: from"x", import("x"), require("x"); not the SDK's error message quoting `[require("...")]`.
        imports.push(...[...code.matchAll(/(?<!\[)(?:\bfrom|\bimport\(|\brequire\()"((?:node:)?[@a-z][\w@/.-]*)"/g)].map((m) => m[1]!));
      }
      const index = readFileSync(join(assetDir(dev, name), 'index.mjs'), 'utf8');
      expect(index.length / index.split('\n').length).toBeGreaterThan(1000); // minified
      expect(imports).toContain('node:crypto');
      expect(
        imports.filter((i) => !i.startsWith('node:')),
        name,
      ).toEqual([]); // the AWS SDK and everything else bundled
      if (name !== 'authorizer') expect(all).toContain('DynamoDBDocumentClient');
    }
  });

  it('ships a source map beside every file of the bundle when the stage sets sourceMaps, and runs with them', () => {
    const mapped = synthStage('dev', { bundle: true, overrides: { sourceMaps: true } });
    try {
      for (const name of ['converse', 'authorizer']) {
        const files = assetFiles(mapped, name);
        const code = files.filter((f) => f.endsWith('.mjs'));
        expect(code.length, name).toBeGreaterThan(1);
        expect(files.filter((f) => f.endsWith('.map')).sort(), name).toEqual(code.map((f) => `${f}.map`).sort());
        expect(mapped.json.Resources[fnLogicalId(mapped, name)]!.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
      }
    } finally {
      mapped.cleanup();
    }
  }, 120_000);
});

describe('agents, alarms and outputs', () => {
  it('registers the configured agents in the table with the admin API\u2019s keys and shape', () => {
    const calls = resourcesOf(dev, 'Custom::AWS').map(([, r]) => JSON.parse(flat(r.Properties.Create)));
    const agents = stageConfig('dev').bedrock.agents;
    expect(calls).toHaveLength(Object.keys(agents).length);
    for (const [agentId, agent] of Object.entries(agents)) {
      const call = calls.find((c) => c.parameters.Item.agentId.S === agentId);
      expect(call, agentId).toMatchObject({ service: 'DynamoDB', action: 'PutItem' });
      const item = call.parameters.Item;
      expect(item.pk.S).toBe(keys.agent(agentId).pk);
      expect(item.sk.S).toBe(keys.agent(agentId).sk);
      expect(item.pricing.M.inputPer1kTokens.N).toBe(String(agent.pricing.inputPer1kTokens));
      expect(item.agent.M.kind.S).toBe(agent.agent.kind);
    }
  });

  it('alarms on 5xx rate, latency per route group, 4xx, DynamoDB throttles and each function\u2019s errors and throttles', () => {
    for (const s of [dev, prod]) {
      const alarms = resourcesOf(s, 'AWS::CloudWatch::Alarm').map(([id, a]) => [id, a.Properties] as const);
      const names = [
        'Api5xxRate',
        'Api4xxSpike',
        'DynamoDbThrottles',
        ...ROUTE_GROUPS.map((g) => `${g}LatencyP99`),
        ...ROUTE_GROUPS.map((g) => `${g}Errors`),
        'authorizerFailures',
        ...[...ROUTE_GROUPS, 'authorizer'].map((f) => `${f}Throttles`),
      ];
      for (const name of names)
        expect(
          alarms.some(([id]) => id.startsWith(`Observability${name}`)),
          name,
        ).toBe(true);
      for (const [, a] of alarms) expect(a.AlarmActions).toHaveLength(1);
      const throttles = alarms.find(([id]) => id.startsWith('ObservabilityDynamoDbThrottles'))![1];
      expect(
        throttles.Metrics.filter((m: any) => m.MetricStat)
          .map((m: any) => m.MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'GlobalSecondaryIndexName')?.Value ?? 'table')
          .sort(),
      ).toEqual(['gsi1', 'gsi1', 'gsi2', 'gsi2', 'gsi3', 'gsi3', 'gsi4', 'gsi4', 'table', 'table']);
    }
    // prod has per-method metrics: each group's alarm takes the worst of its routes' p99.
    const [, sessions] = resourcesOf(prod, 'AWS::CloudWatch::Alarm').find(([id]) => id.startsWith('ObservabilitysessionsLatencyP99'))!;
    expect(sessions.Properties.Metrics.filter((m: any) => m.MetricStat)).toHaveLength(routes.filter((r) => r.group === 'sessions').length);
    expect(sessions.Properties.Threshold).toBe(stageConfig('prod').alarms.latencyP99Ms);
    const [, converse] = resourcesOf(prod, 'AWS::CloudWatch::Alarm').find(([id]) => id.startsWith('ObservabilityconverseLatencyP99'))!;
    expect(converse.Properties.Threshold).toBe(stageConfig('prod').converseTimeoutSeconds * 900);
    // dev has none: the functions' p99 duration stands in.
    const [, devSessions] = resourcesOf(dev, 'AWS::CloudWatch::Alarm').find(([id]) => id.startsWith('ObservabilitysessionsLatencyP99'))!;
    expect(devSessions.Properties.Metrics).toMatchObject([{ MetricStat: { Metric: { MetricName: 'Duration', Namespace: 'AWS/Lambda' }, Stat: 'p99' } }]);
    prod.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: stageConfig('prod').alarmEmail });
    dev.template.resourceCountIs('AWS::SNS::Subscription', 0);
    prod.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('usage: an alarm per configured chat app on its daily cost, a dashboard row, no alarm over 10 metrics', () => {
    const warning = stageConfig('prod').dailyCostWarnings[0]!;
    const [, cost] = resourcesOf(prod, 'AWS::CloudWatch::Alarm').find(([id]) => id.startsWith('ObservabilityDailyCost0'))!;
    expect(cost.Properties.Threshold).toBe(warning.usd);
    const stat = cost.Properties.Metrics[0].MetricStat;
    expect(stat).toMatchObject({ Metric: { MetricName: 'CostUsd', Namespace: 'PikaChat' }, Stat: 'Sum', Period: 86_400 });
    expect(stat.Metric.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'chatAppId', Value: warning.chatAppId },
        { Name: 'service', Value: 'pika-chat-prod' },
      ]),
    );
    expect(resourcesOf(dev, 'AWS::CloudWatch::Alarm').some(([id]) => id.startsWith('ObservabilityDailyCost'))).toBe(false);
    const [, dashboard] = resourcesOf(prod, 'AWS::CloudWatch::Dashboard')[0]!;
    const body = flat(dashboard.Properties.DashboardBody);
    for (const metric of ['CostUsd', 'InputTokens', 'OutputTokens', 'Turns', 'TurnFailures', 'BudgetRefusals'])
      expect(body).toContain(`MetricName=\\"${metric}\\"`);
    // CloudWatch refuses an alarm on more than 10 metrics: a route group with more routes gets several.
    for (const s of [dev, prod])
      for (const [id, a] of resourcesOf(s, 'AWS::CloudWatch::Alarm'))
        expect((a.Properties.Metrics ?? []).filter((m: any) => m.MetricStat).length, id).toBeLessThanOrEqual(10);
    const adminAlarms = resourcesOf(prod, 'AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith('ObservabilityadminLatencyP99'));
    expect(adminAlarms.reduce((n, [, a]) => n + a.Properties.Metrics.filter((m: any) => m.MetricStat).length, 0)).toBe(
      routes.filter((r) => r.group === 'admin').length,
    );
  });

  it('outputs the API URL, the table name and every function name', () => {
    const outputs = dev.json.Outputs!;
    expect(flat(outputs.ApiUrl!.Value)).toMatch(/^https:\/\/<HttpApi\w+>\.execute-api\.<AWS::Region>\.<AWS::URLSuffix>\/<HttpApiDeploymentStagedev\w+>\/$/);
    expect(outputs.TableName!.Value).toEqual({ Ref: logicalIdOf(dev, dev.stack.table.table) });
    for (const name of [...ROUTE_GROUPS, 'authorizer']) {
      expect(outputs[`Fn${name[0]!.toUpperCase()}${name.slice(1)}`]!.Value).toEqual({ Ref: fnLogicalId(dev, name) });
    }
    expect(outputs.JwtSecretArn).toBeDefined(); // dev generates its HS256 key
    expect(prod.json.Outputs!.JwtSecretArn).toBeUndefined(); // prod uses a JWKS issuer
  });
});
