import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE_SECONDS } from '../../functions/http/cors';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as z from 'zod';
import { ROUTES, type RouteDef, type RouteGroup } from '../../functions/http/routes';
import { acknowledgeNag } from '../nag';
import { addGatewayResponses, addMethodNotAllowed } from './api-responses';

export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface ChatApiProps {
  readonly stage: string;
  /** The Lambda of each route group. */
  readonly functions: ReadonlyMap<RouteGroup, lambda.IFunction>;
  /** The REQUEST authorizer's function (functions/handlers/authorizer.ts). */
  readonly authorizer: lambda.IFunction;
  /** How long API Gateway caches the authorizer's answer per Authorization header (0 = never). */
  readonly authorizerCacheSeconds: number;
  readonly corsOrigins: readonly string[];
  readonly throttling: Throttle;
  /** A tighter throttle for the streaming routes (converse). */
  readonly streamingThrottling?: Throttle;
  readonly logRetentionDays: number;
  /** How long a streamed answer may take (integration timeout, up to 15 minutes). */
  readonly streamingTimeoutSeconds: number;
  /** Per-method CloudWatch metrics. */
  readonly detailedMetrics: boolean;
  /** Default: the route table (functions/http/routes.ts). */
  readonly routes?: readonly RouteDef[];
}

/** Query parameters a route requires: those its zod query schema does not accept as absent. */
export function requiredQueryParams(route: RouteDef): string[] {
  if (!(route.query instanceof z.ZodObject)) return [];
  return Object.entries(route.query.shape as Record<string, z.ZodType>)
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([name]) => name);
}

export const pathParams = (path: string): string[] => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

/**
 * The REST API, generated from the route table: one resource per path, one method per route, each behind the
 * REQUEST authorizer and a Lambda proxy integration of its group's function; streaming routes (converse) use
 * the response-streaming invocation. Nothing here lists a route by hand.
 */
export class ChatApi extends Construct {
  readonly api: apigw.RestApi;
  readonly requestAuthorizer: apigw.RequestAuthorizer;
  /** By route id. */
  readonly methods = new Map<string, apigw.Method>();
  readonly accessLogs: logs.LogGroup;
  /** API Gateway's execution log group (`API-Gateway-Execution-Logs_{restApiId}/{stage}`), created here to set its retention. */
  readonly executionLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ChatApiProps) {
    super(scope, id);
    const routes = props.routes ?? (ROUTES as readonly RouteDef[]);
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetentionDays as logs.RetentionDays });
    const streamingPaths = routes.filter((r) => r.streaming).map((r) => `${r.path}/${r.method}`);

    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `pika-chat-${props.stage}`,
      description: 'Pika chat backend (generated from the route table)',
      // Regional: a streamed answer may idle up to 5 minutes between chunks (edge-optimized: 30 seconds).
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stage,
        throttlingRateLimit: props.throttling.rateLimit,
        throttlingBurstLimit: props.throttling.burstLimit,
        methodOptions: Object.fromEntries(
          props.streamingThrottling
            ? streamingPaths.map((p) => [
                p,
                { throttlingRateLimit: props.streamingThrottling!.rateLimit, throttlingBurstLimit: props.streamingThrottling!.burstLimit },
              ])
            : [],
        ),
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: accessLogFormat(),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false, // would log bodies and bearer tokens
        tracingEnabled: true,
        metricsEnabled: props.detailedMetrics,
      },
      defaultCorsPreflightOptions: {
        allowOrigins: [...props.corsOrigins],
        allowHeaders: [...CORS_ALLOW_HEADERS],
        allowMethods: [...CORS_ALLOW_METHODS],
        exposeHeaders: [...CORS_EXPOSE_HEADERS],
        maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
      },
    });
    addGatewayResponses(this.api, props.corsOrigins);
    this.api.node.tryRemoveChild('Endpoint'); // the stack outputs ApiUrl under a stable name instead

    this.requestAuthorizer = new apigw.RequestAuthorizer(this, 'Authorizer', {
      handler: props.authorizer,
      identitySources: [apigw.IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.seconds(props.authorizerCacheSeconds),
    });
    const validator = new apigw.RequestValidator(this, 'ParamsValidator', { restApi: this.api, validateRequestParameters: true });

    const methodsByPath = new Map<string, string[]>();
    for (const route of routes) {
      const fn = props.functions.get(route.group);
      if (!fn) throw new Error(`ChatApi: no function for route group "${route.group}" (route ${route.id})`);
      const integration = new apigw.LambdaIntegration(fn, {
        proxy: true,
        scopePermissionToMethod: false, // one invoke permission per function, not one per method
        ...(route.streaming ? { responseTransferMode: apigw.ResponseTransferMode.STREAM, timeout: Duration.seconds(props.streamingTimeoutSeconds) } : {}),
      });
      const method = this.api.root.resourceForPath(route.path).addMethod(route.method, integration, {
        authorizer: this.requestAuthorizer,
        authorizationType: apigw.AuthorizationType.CUSTOM,
        operationName: route.id,
        requestValidator: validator,
        requestParameters: Object.fromEntries([
          ...pathParams(route.path).map((p) => [`method.request.path.${p}`, true]),
          ...requiredQueryParams(route).map((q) => [`method.request.querystring.${q}`, true]),
        ]),
      });
      this.methods.set(route.id, method);
      methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), route.method]);
    }
    for (const [path, methods] of methodsByPath) addMethodNotAllowed(this.api.root.resourceForPath(path), methods);

    // API Gateway would create this group itself, without retention, on its first execution log line: the stage
    // (which turns logging on) waits for it.
    this.executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${props.stage}`,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogs);

    acknowledgeNag(
      this,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'The AWS-managed role API Gateway needs to write execution logs (account-wide setting).',
    );
    acknowledgeNag(
      this,
      'AwsSolutions-APIG2',
      'API Gateway validates path and required query parameters; bodies are validated by the handlers with the route table\u2019s zod schemas, which answer 400 naming each bad field (a JSON Schema model would be a second, drifting copy).',
    );
    acknowledgeNag(
      this,
      'AwsSolutions-APIG3',
      'WAF is account-specific: associate your web ACL with the stage (docs/deploy.md). Stage and per-route throttling and per-user converse rate limits bound load.',
    );
    acknowledgeNag(
      this,
      'AwsSolutions-COG4',
      'Every route uses the Lambda REQUEST authorizer, which verifies the JWTs of any OIDC issuer (or the HS256 key), not only Cognito user pools.',
    );
  }
}

/** JSON access logs: who called what and how it went; no bodies, no headers, no tokens. */
function accessLogFormat(): apigw.AccessLogFormat {
  const f = apigw.AccessLogField;
  return apigw.AccessLogFormat.custom(
    JSON.stringify({
      requestId: f.contextRequestId(),
      requestTime: f.contextRequestTime(),
      ip: f.contextIdentitySourceIp(),
      userAgent: f.contextIdentityUserAgent(),
      method: f.contextHttpMethod(),
      resource: f.contextResourcePath(),
      path: f.contextPath(),
      status: f.contextStatus(),
      responseLength: f.contextResponseLength(),
      latencyMs: f.contextResponseLatency(),
      integrationLatencyMs: f.contextIntegrationLatency(),
      integrationStatus: f.contextIntegrationStatus(),
      userId: f.contextAuthorizerPrincipalId(),
      errorType: f.contextErrorResponseType(),
      error: f.contextErrorMessage(),
      authorizerError: f.contextAuthorizerError(),
    }),
  );
}
