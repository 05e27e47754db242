/**
 * Production hardening of the template (issue 11): InvokeInlineAgent on "*" apart from model access, the
 * authorizer alarmed on its own failure metric (not on the Lambda errors every refused token makes), the
 * JWKS/authorizer outage answered 503 with CORS, gateway fallbacks keeping their status, the latency alarm
 * without the streamed route, IAM without unused actions, ARNs in the stage's account and region, source
 * maps only on request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_GROUPS } from '../../functions/http/routes';
import { AUTHORIZER_FAILURES, METRICS_NAMESPACE } from '../../functions/platform/metrics';
import { stageConfig } from '../../lib/config/stages';
import { flat, logicalIdOf, resourcesOf, statementsByRole, synthStage, type Synthesized } from './helpers';

let dev: Synthesized;
let staging: Synthesized;
let prod: Synthesized;
let pinned: Synthesized;
let devMaps: Synthesized;

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

beforeAll(() => {
  dev = synthStage('dev', { overrides: { corsOrigins: ['https://a.example.com', 'https://b.example.com'] } });
  staging = synthStage('staging');
  prod = synthStage('prod');
  pinned = synthStage('staging', { overrides: { env: { account: ACCOUNT, region: REGION } } });
  devMaps = synthStage('dev', { overrides: { sourceMaps: true, writeRateLimit: { limit: 7, windowSeconds: 30 }, heartbeatSeconds: 5, historyMaxChars: 1234 } });
}, 120_000);
afterAll(() => {
  for (const s of [dev, staging, prod, pinned, devMaps]) s?.cleanup();
});

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
const roleStatements = (s: Synthesized, name: string): Statement[] => {
  const fn = name === 'authorizer' ? s.stack.functions.authorizer : s.stack.functions.byGroup.get(name as never)!;
  return statementsByRole(s).get(logicalIdOf(s, fn.role!)) ?? [];
};
const alarms = (s: Synthesized) => resourcesOf(s, 'AWS::CloudWatch::Alarm').map(([id, a]) => [id, a.Properties] as const);
const gatewayResponses = (s: Synthesized) =>
  new Map(resourcesOf(s, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => [r.Properties.ResponseType as string, r.Properties]));

describe('Bedrock inline agents (item 1)', () => {
  it('grants bedrock:InvokeInlineAgent alone on "*", and model access as a separate InvokeModel* statement on the model ARNs', () => {
    const statements = roleStatements(staging, 'converse'); // staging has an inline agent
    const inline = statements.filter((st) => [st.Action].flat().includes('bedrock:InvokeInlineAgent'));
    expect(inline).toHaveLength(1);
    expect([inline[0]!.Action].flat()).toEqual(['bedrock:InvokeInlineAgent']);
    expect([inline[0]!.Resource].flat()).toEqual(['*']);
    const models = statements.filter((st) => [st.Action].flat().some((a) => a.startsWith('bedrock:InvokeModel')));
    expect(models.length).toBeGreaterThan(0);
    for (const st of models) {
      for (const r of [st.Resource].flat().map(flat))
        expect(r).toMatch(/^arn:<AWS::Partition>:bedrock:(<AWS::Region>|\*)?:(<AWS::AccountId>)?:(foundation-model|inference-profile)\//);
    }
    const inlineModel = stageConfig('staging').bedrock.agents.faq!.agent;
    expect(inlineModel.kind).toBe('inline');
    const streaming = models.find((st) => [st.Action].flat().includes('bedrock:InvokeModelWithResponseStream'))!;
    expect(
      [streaming.Resource]
        .flat()
        .map(flat)
        .some((r) => r.endsWith(`/${(inlineModel as { foundationModel: string }).foundationModel}`)),
    ).toBe(true);
    // Stages without inline agents get no InvokeInlineAgent at all.
    for (const s of [dev, prod]) expect(roleStatements(s, 'converse').some((st) => [st.Action].flat().includes('bedrock:InvokeInlineAgent'))).toBe(false);
  });
});

describe('gateway responses (items 3, 6, 8)', () => {
  it('answers an authorizer that cannot decide with 503 DEPENDENCY_UNAVAILABLE (both authorizer failure types), with CORS', () => {
    for (const type of ['AUTHORIZER_CONFIGURATION_ERROR', 'AUTHORIZER_FAILURE']) {
      const r = gatewayResponses(prod).get(type);
      expect(r, type).toBeDefined();
      expect(r!.StatusCode).toBe('503');
      const body = JSON.parse(r!.ResponseTemplates['application/json'].replace('$context.error.messageString', '"x"'));
      expect(body.error.code).toBe('DEPENDENCY_UNAVAILABLE');
      expect(r!.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://chat.example.com'",
        'gatewayresponse.header.Vary': "'Origin'",
      });
    }
    expect(gatewayResponses(prod).get('UNAUTHORIZED')!.StatusCode).toBe('401');
  });

  it('DEFAULT_4XX/DEFAULT_5XX only shape the body: no status, so every other type keeps its own; listed types all set theirs', () => {
    for (const s of [dev, prod]) {
      for (const [type, r] of gatewayResponses(s)) {
        if (type.startsWith('DEFAULT_')) expect(r.StatusCode, type).toBeUndefined();
        else expect(r.StatusCode, type).toMatch(/^[45]\d\d$/);
      }
    }
  });

  it('every gateway response carries Vary: Origin and the stage\u2019s origin (one origin: as is; several: the request\u2019s Origin echoed)', () => {
    const single = `'${stageConfig('prod').corsOrigins[0]}'`;
    for (const [type, r] of gatewayResponses(prod)) {
      expect(r.ResponseParameters, type).toEqual({
        'gatewayresponse.header.Access-Control-Allow-Origin': single,
        'gatewayresponse.header.Access-Control-Expose-Headers': "'Retry-After, Allow'",
        'gatewayresponse.header.Vary': "'Origin'",
        // API Gateway's own 429 says when to retry, as every 429 of the API does (docs/api.md); so does the 503 of a
        // function Lambda throttled.
        ...(type === 'THROTTLED' || type === 'INTEGRATION_FAILURE' ? { 'gatewayresponse.header.Retry-After': "'1'" } : {}),
      });
    }
    for (const [type, r] of gatewayResponses(dev)) {
      expect(r.ResponseParameters, type).toEqual({
        'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.origin',
        'gatewayresponse.header.Access-Control-Expose-Headers': "'Retry-After, Allow'",
        'gatewayresponse.header.Vary': "'Origin'",
        // API Gateway's own 429 says when to retry, as every 429 of the API does (docs/api.md); so does the 503 of a
        // function Lambda throttled.
        ...(type === 'THROTTLED' || type === 'INTEGRATION_FAILURE' ? { 'gatewayresponse.header.Retry-After': "'1'" } : {}),
      });
    }
  });
});

describe('alarms (items 4, 7)', () => {
  it('alarms on the authorizer\u2019s own AuthorizerFailures metric (EMF, by service), never on its Lambda Errors', () => {
    for (const [s, stage] of [
      [dev, 'dev'],
      [prod, 'prod'],
    ] as const) {
      const authorizerFn = logicalIdOf(s, s.stack.functions.authorizer);
      const service = s.json.Resources[authorizerFn]!.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME;
      expect(service).toBe(`pika-chat-${stage}`);
      const failures = alarms(s).filter(([, a]) => a.MetricName === AUTHORIZER_FAILURES);
      expect(failures).toHaveLength(1);
      expect(failures[0]![1]).toMatchObject({
        Namespace: METRICS_NAMESPACE,
        Dimensions: [{ Name: 'service', Value: service }],
        Statistic: 'Sum',
        Threshold: 1,
      });
      const lambdaErrorsOfAuthorizer = alarms(s).filter(
        ([, a]) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Errors' && a.Dimensions?.some((d: any) => d.Value?.Ref === authorizerFn),
      );
      expect(lambdaErrorsOfAuthorizer).toEqual([]);
      // The route functions (and the generated-insights sweep and worker, the usage stream, the answer redrive, the retention sweep, the lifecycle worker) keep their Errors alarms.
      const routeErrorAlarms = alarms(s).filter(([, a]) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Errors');
      expect(routeErrorAlarms).toHaveLength(ROUTE_GROUPS.length + s.stack.functions.background.size + 4);
    }
  });

  it('no latency alarm at the latencyP99Ms threshold includes /converse or the converse function (streamed answers are excluded)', () => {
    for (const [s, stage] of [
      [dev, 'dev'],
      [prod, 'prod'],
    ] as const) {
      const threshold = stageConfig(stage).alarms.latencyP99Ms;
      const converseFn = logicalIdOf(s, s.stack.functions.byGroup.get('converse')!);
      const latency = alarms(s).filter(([, a]) => a.Threshold === threshold);
      expect(latency.length).toBeGreaterThan(0);
      for (const [id, a] of latency) {
        const text = JSON.stringify(a);
        expect(text, id).not.toContain('/converse');
        expect(text, id).not.toContain(converseFn);
        expect(a.AlarmDescription, id).not.toMatch(/converse/);
      }
    }
  });
});

describe('IAM and configuration (item 10)', () => {
  it('grants no action the code never calls: no DescribeSecret, no TransactWriteItems, no Scan', () => {
    for (const s of [dev, staging, prod]) {
      for (const [role, statements] of statementsByRole(s)) {
        for (const st of statements as Statement[]) {
          for (const a of [st.Action].flat()) expect(['secretsmanager:DescribeSecret', 'dynamodb:TransactWriteItems', 'dynamodb:Scan'], role).not.toContain(a);
        }
      }
    }
  });

  it('takes the partition, account and region of every ARN from the stage\u2019s environment (pinned or pseudo parameters)', () => {
    // CDK derives the authorizer URI's partition and region from the function's own ARN (same stack, same env).
    const fromOwnArn = /\{"Fn::Select":\[(\d),\{"Fn::Split":\[":",\{"Fn::GetAtt":\["\w+","Arn"\]\}\]\}\]\}/g;
    const arnsOf = (value: unknown, out: string[] = []): string[] => {
      if (typeof value === 'string')
        out.push(...(value.replace(fromOwnArn, (_m, i: string) => (i === '1' ? '<AWS::Partition>' : '{own-region}')).match(/arn:[^"\s,]+/g) ?? []));
      else if (Array.isArray(value)) for (const v of value) arnsOf(v, out);
      else if (value && typeof value === 'object') {
        const v = value as Record<string, unknown>;
        if (v['Fn::Join']) arnsOf(flat(v), out);
        else for (const x of Object.values(v)) arnsOf(x, out);
      }
      return out;
    };
    const check = (s: Synthesized, region: string, account: string) => {
      const arns = arnsOf(s.json.Resources);
      expect(arns.length).toBeGreaterThan(10);
      const pseudo = (x: string) => x.replace('<AWS::Partition>', '{partition}').replace('<AWS::Region>', '{region}').replace('<AWS::AccountId>', '{account}');
      // ARNs the stage configures whole (AgentCore harnesses and runtimes) are the user's, as written.
      const configured = new Set(
        Object.values(s.stack.config.bedrock.agents).flatMap((x) =>
          x.agent.kind === 'agentcore-harness' ? [x.agent.harnessArn] : x.agent.kind === 'agentcore-runtime' ? [x.agent.agentRuntimeArn] : [],
        ),
      );
      for (const arn of arns) {
        if ([...configured].some((c) => arn.startsWith(c))) continue;
        const [, partition, service, r, a] = pseudo(arn).split(':');
        if (r === '{own-region}') continue;
        if (service === 'iam' && r === '' && a === 'aws') continue; // AWS-managed policies: arn:<partition>:iam::aws:policy/...
        if (service === 'apigateway' && a === 'lambda') {
          // integration URIs: arn:<partition>:apigateway:<region>:lambda:path/...
          expect(r, arn).toBe(pseudo(region));
          continue;
        }
        // With a pinned region CDK writes the partition it implies (aws for eu-west-1).
        expect(['{partition}', ...(region.startsWith('<') ? [] : ['aws'])], arn).toContain(partition);
        expect(['', '*', pseudo(region)], arn).toContain(r);
        expect(['', pseudo(account)], arn).toContain(a);
      }
    };
    check(staging, '<AWS::Region>', '<AWS::AccountId>');
    check(prod, '<AWS::Region>', '<AWS::AccountId>');
    check(pinned, REGION, ACCOUNT);
  });

  it('runs without source maps unless the stage enables them (sourceMaps)', () => {
    expect(stageConfig('prod').sourceMaps).toBe(false);
    for (const [s, on] of [
      [prod, false],
      [devMaps, true],
    ] as const) {
      for (const fn of s.stack.functions.all) {
        const env = s.json.Resources[logicalIdOf(s, fn)]!.Properties.Environment.Variables;
        if (on) expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
        else expect(env).not.toHaveProperty('NODE_OPTIONS');
      }
    }
  });

  it('turns the stage’s runtime knobs into the functions’ environment (write rate limit, heartbeat, history budget)', () => {
    const env = (st: Synthesized) => st.json.Resources[logicalIdOf(st, st.stack.functions.byGroup.get('converse')!)]!.Properties.Environment.Variables;
    expect(env(devMaps)).toMatchObject({ WRITE_RATE_LIMIT: '7', WRITE_RATE_WINDOW_SECONDS: '30', HEARTBEAT_MS: '5000', HISTORY_MAX_CHARS: '1234' });
    // Unset: the functions' defaults apply.
    for (const name of ['WRITE_RATE_LIMIT', 'HEARTBEAT_MS', 'HISTORY_MAX_CHARS']) expect(env(prod)).not.toHaveProperty(name);
  });
});
