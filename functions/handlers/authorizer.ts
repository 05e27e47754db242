/**
 * API Gateway REQUEST authorizer: the same jose verification as the handlers, at the edge, so requests
 * without a valid token never reach a route function. Results are cached per Authorization header, so the
 * policy allows the whole API for that identity; roles and ownership are still checked in the handlers.
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { verifyAuthorizationHeader } from '../http/auth';
import { logger } from '../http/logger';
import { loadSecrets } from '../lib/secrets';

/** arn:aws:execute-api:region:account:apiId/stage/METHOD/path -> arn:...:apiId/stage/* */
export const wholeApiArn = (methodArn: string) => methodArn.split('/').slice(0, 2).join('/') + '/*';

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  await loadSecrets();
  const headerValue = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  try {
    const identity = await verifyAuthorizationHeader(headerValue ?? undefined);
    return {
      principalId: identity.userId,
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: wholeApiArn(event.methodArn) }] },
      context: { userId: identity.userId },
    };
  } catch (err) {
    logger.info('token refused at the edge', { reason: (err as Error).message });
    throw new Error('Unauthorized'); // API Gateway answers 401 (its gateway response is JSON, see lib/constructs/chat-api.ts)
  }
}
