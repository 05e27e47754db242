import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES, type RouteDef, type RouteGroup } from '../../functions/http/routes';

export interface ChatApiProps {
  stage: string;
  functions: ReadonlyMap<RouteGroup, lambda.IFunction>;
  authorizer: lambda.IFunction;
  corsOrigins: string[];
  throttling: { rateLimit: number; burstLimit: number };
  logRetentionDays: number;
  /** How long a streamed converse answer may take. */
  streamingTimeoutSeconds: number;
}

/** Error answers API Gateway makes itself, in the API's JSON error shape. */
const GATEWAY_ERRORS: [apigw.ResponseType, number, string][] = [
  [apigw.ResponseType.UNAUTHORIZED, 401, 'UNAUTHORIZED'],
  [apigw.ResponseType.ACCESS_DENIED, 401, 'UNAUTHORIZED'],
  [apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, 404, 'NOT_FOUND'], // what API Gateway says for unknown routes
  [apigw.ResponseType.THROTTLED, 429, 'RATE_LIMITED'],
  [apigw.ResponseType.REQUEST_TOO_LARGE, 413, 'PAYLOAD_TOO_LARGE'],
  [apigw.ResponseType.BAD_REQUEST_PARAMETERS, 400, 'VALIDATION_FAILED'],
  [apigw.ResponseType.DEFAULT_4XX, 400, 'BAD_REQUEST'],
  [apigw.ResponseType.DEFAULT_5XX, 502, 'DEPENDENCY_UNAVAILABLE'],
];

/** The REST API, resource by resource from the route table (functions/http/routes.ts): nothing listed by hand. */
export class ChatApi extends Construct {
  readonly api: apigw.RestApi;
  readonly methods = new Map<string, apigw.Method>();

  constructor(scope: Construct, id: string, props: ChatApiProps) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetentionDays as logs.RetentionDays });
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `pika-chat-${props.stage}`,
      description: 'Pika chat backend (generated from the route table)',
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stage,
        throttlingRateLimit: props.throttling.rateLimit,
        throttlingBurstLimit: props.throttling.burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false, // would log bodies and tokens
        tracingEnabled: true,
        metricsEnabled: true,
      },
      defaultCorsPreflightOptions: {
        allowOrigins: props.corsOrigins,
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        maxAge: Duration.minutes(10),
      },
    });
    for (const [type, statusCode, code] of GATEWAY_ERRORS) {
      this.api.addGatewayResponse(`Gw${type.responseType}`, {
        type,
        statusCode: String(statusCode),
        templates: { 'application/json': `{"error":{"code":"${code}","message":$context.error.messageString}}` },
      });
    }

    const authorizer = new apigw.RequestAuthorizer(this, 'Authorizer', {
      handler: props.authorizer,
      identitySources: [apigw.IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.minutes(5),
    });
    const validator = new apigw.RequestValidator(this, 'ParamsValidator', { restApi: this.api, validateRequestParameters: true });

    for (const route of ROUTES as readonly RouteDef[]) {
      const fn = props.functions.get(route.group);
      if (!fn) throw new Error(`No function for route group ${route.group}`);
      const resource = this.api.root.resourceForPath(route.path);
      const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const integration = new apigw.LambdaIntegration(fn, {
        proxy: true,
        scopePermissionToMethod: false, // one permission per function, not one per method
        ...(route.streaming ? { responseTransferMode: apigw.ResponseTransferMode.STREAM, timeout: Duration.seconds(props.streamingTimeoutSeconds) } : {}),
      });
      const method = resource.addMethod(route.method, integration, {
        authorizer,
        authorizationType: apigw.AuthorizationType.CUSTOM,
        operationName: route.id,
        requestValidator: validator,
        requestParameters: Object.fromEntries(pathParams.map((p) => [`method.request.path.${p}`, true])),
      });
      this.methods.set(route.id, method);
    }

    const plan = this.api.addUsagePlan('UsagePlan', { name: `pika-chat-${props.stage}`, throttle: props.throttling });
    plan.addApiStage({ stage: this.api.deploymentStage });
  }
}
