/**
 * API Gateway REQUEST authorizer: the same jose verification as the handlers, at the edge, so requests
 * without a valid token never reach a route function. Results are cached per Authorization header, so the
 * policy allows the whole API for that identity; roles and ownership are still checked in the handlers.
 *
 * A refused token throws exactly 'Unauthorized' (API Gateway's 401). When the authorizer cannot decide (the
 * issuer's JWKS or Secrets Manager unreachable, a bug) it counts AuthorizerFailures and throws another error:
 * API Gateway then answers AUTHORIZER_CONFIGURATION_ERROR, a retryable 503 (lib/constructs/api-responses.ts).
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { verifyAuthorizationHeader } from '../http/auth';
import { logger } from '../platform/logger';
import { DomainError } from '../platform/errors';
import { AUTHORIZER_FAILURES, countMetric } from '../platform/metrics';
import { loadSecrets } from '../platform/secrets';

/** arn:aws:execute-api:region:account:apiId/stage/METHOD/path -> arn:...:apiId/stage/* */
export const wholeApiArn = (methodArn: string) => `${methodArn.split('/').slice(0, 2).join('/')}/*`;

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const headerValue = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  try {
    await loadSecrets();
    const identity = await verifyAuthorizationHeader(headerValue ?? undefined);
    return {
      principalId: identity.userId,
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: wholeApiArn(event.methodArn) }] },
      context: { userId: identity.userId },
    };
  } catch (err) {
    if (err instanceof DomainError && err.code === 'UNAUTHORIZED') {
      logger.info('token refused at the edge', { reason: err.message });
      throw new Error('Unauthorized'); // API Gateway answers 401 (its gateway response is JSON, see lib/constructs/api-responses.ts)
    }
    countMetric(AUTHORIZER_FAILURES);
    logger.error('authorizer could not decide', {
      error: { name: (err as Error)?.name, code: (err as DomainError)?.code, message: err instanceof DomainError ? err.message : undefined },
    });
    throw new Error('Authorizer unavailable'); // anything but 'Unauthorized': API Gateway's 503 gateway response
  }
}
