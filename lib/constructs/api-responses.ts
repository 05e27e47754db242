/**
 * Answers API Gateway gives by itself, in the API's JSON error shape `{ "error": { "code", "message" } }`
 * (functions/http/errors.ts), so clients see the same errors deployed as locally: unknown route 404,
 * wrong method 405 with Allow, missing or refused token 401, throttled 429, and so on.
 */
import { CORS_EXPOSE_HEADERS } from '../../functions/http/cors';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { ERROR_STATUS } from '../../functions/http/errors';
import type { ErrorCode } from '../../functions/platform/errors';
import { acknowledgeNag } from '../nag';

/**
 * [type, code]; the status is the code's (ERROR_STATUS), as the Lambda answers have it. DEFAULT_4XX/DEFAULT_5XX
 * have none: they shape the body of every type not listed here, which keeps its own status (a 403 stays a 403).
 */
const GATEWAY_ERRORS: [apigw.ResponseType, ErrorCode][] = [
  [apigw.ResponseType.UNAUTHORIZED, 'UNAUTHORIZED'],
  [apigw.ResponseType.ACCESS_DENIED, 'FORBIDDEN'],
  // API Gateway answers "Missing Authentication Token" for a path no resource matches.
  [apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, 'NOT_FOUND'],
  [apigw.ResponseType.RESOURCE_NOT_FOUND, 'NOT_FOUND'],
  [apigw.ResponseType.THROTTLED, 'RATE_LIMITED'],
  [apigw.ResponseType.QUOTA_EXCEEDED, 'RATE_LIMITED'],
  [apigw.ResponseType.REQUEST_TOO_LARGE, 'PAYLOAD_TOO_LARGE'],
  [apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE, 'UNSUPPORTED_MEDIA_TYPE'],
  [apigw.ResponseType.BAD_REQUEST_PARAMETERS, 'VALIDATION_FAILED'],
  [apigw.ResponseType.BAD_REQUEST_BODY, 'VALIDATION_FAILED'],
  [apigw.ResponseType.WAF_FILTERED, 'FORBIDDEN'],
  // The authorizer could not decide (the issuer's JWKS or Secrets Manager down): a retryable dependency failure,
  // not a bad token. A Lambda authorizer that throws anything but 'Unauthorized' ends in
  // AUTHORIZER_CONFIGURATION_ERROR; AUTHORIZER_FAILURE is its sibling (an unusable answer).
  [apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR, 'DEPENDENCY_UNAVAILABLE'],
  [apigw.ResponseType.AUTHORIZER_FAILURE, 'DEPENDENCY_UNAVAILABLE'],
  [apigw.ResponseType.INTEGRATION_TIMEOUT, 'DEPENDENCY_TIMEOUT'],
  // The function could not be invoked (Lambda throttled it at its reserved concurrency): nothing ran, retry.
  [apigw.ResponseType.INTEGRATION_FAILURE, 'DEPENDENCY_UNAVAILABLE'],
  [apigw.ResponseType.DEFAULT_4XX, 'BAD_REQUEST'],
  [apigw.ResponseType.DEFAULT_5XX, 'INTERNAL'],
];
const DEFAULTS = new Set([apigw.ResponseType.DEFAULT_4XX, apigw.ResponseType.DEFAULT_5XX]);

/**
 * Gateway responses carry CORS headers too, or browsers could not read a 401. A single origin (or `*`) is
 * sent as is; with several, the request's Origin is echoed: these bodies hold no data, and the Lambda
 * answers (which do) apply the exact origin list.
 */
function corsHeaders(origins: readonly string[]): Record<string, string> {
  const allowOrigin = origins.length === 1 ? `'${origins[0]}'` : 'method.request.header.origin';
  return { 'Access-Control-Allow-Origin': allowOrigin, 'Access-Control-Expose-Headers': `'${CORS_EXPOSE_HEADERS.join(', ')}'`, Vary: "'Origin'" };
}

/**
 * The stage throttle is a token bucket refilled every second: a throttled client may retry after 1 s, as the
 * OpenAPI document declares for every 429 (the per-user limits say their own window's end). A function Lambda
 * throttled (INTEGRATION_FAILURE's 503) says the same.
 */
export const THROTTLED_RETRY_AFTER_SECONDS = 1;

export function addGatewayResponses(api: apigw.RestApi, corsOrigins: readonly string[]): void {
  for (const [type, code] of GATEWAY_ERRORS) {
    const retryable = type === apigw.ResponseType.THROTTLED || type === apigw.ResponseType.INTEGRATION_FAILURE;
    const retry: Record<string, string> = retryable ? { 'Retry-After': `'${THROTTLED_RETRY_AFTER_SECONDS}'` } : {};
    api.addGatewayResponse(`Gw${type.responseType}`, {
      type,
      statusCode: DEFAULTS.has(type) ? undefined : String(ERROR_STATUS[code]),
      responseHeaders: { ...corsHeaders(corsOrigins), ...retry },
      templates: { 'application/json': `{"error":{"code":"${code}","message":$context.error.messageString}}` },
    });
  }
}

/**
 * `ANY` on a resource answers 405 for the methods the route table does not define there (API Gateway would
 * otherwise say 403 "Missing Authentication Token"). A mock integration: it reaches no function and no data.
 */
export function addMethodNotAllowed(resource: apigw.IResource, allowed: readonly string[]): apigw.Method {
  const allow = [...allowed].sort().join(', ');
  const method = resource.addMethod(
    'ANY',
    new apigw.MockIntegration({
      requestTemplates: { 'application/json': '{ "statusCode": 405 }' },
      integrationResponses: [
        {
          statusCode: '405',
          responseParameters: { 'method.response.header.Allow': `'${allow}'` },
          responseTemplates: {
            'application/json': `{"error":{"code":"METHOD_NOT_ALLOWED","message":"Method $context.httpMethod is not allowed here","details":{"allow":"${allow}"}}}`,
          },
        },
      ],
    }),
    {
      authorizationType: apigw.AuthorizationType.NONE,
      operationName: `methodNotAllowed:${resource.path}`,
      methodResponses: [{ statusCode: '405', responseParameters: { 'method.response.header.Allow': true } }],
    },
  );
  const reason =
    'Mock integration answering 405 for undefined methods, as the local server does: it invokes nothing and returns no data, so there is nothing to authorize.';
  acknowledgeNag(method, 'AwsSolutions-APIG4', reason);
  acknowledgeNag(method, 'AwsSolutions-COG4', reason);
  return method;
}
