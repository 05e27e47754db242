/**
 * CORS, in one place: the Lambda answers (JSON and streaming), the local server's preflight and the CDK API's
 * preflight and gateway responses all use these lists. Only the stage's origins may read answers; a web app
 * may read `Retry-After` (when to retry a 429/409/503) and `Allow` (a 405's methods).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { config } from '../platform/config';
import { header } from './request';

export const CORS_ALLOW_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key'] as const;
export const CORS_ALLOW_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export const CORS_EXPOSE_HEADERS = ['Retry-After', 'Allow'] as const;
export const CORS_MAX_AGE_SECONDS = 600;

/** The headers an answer to this request carries: none unless its Origin is one of the stage's. */
export function corsHeadersFor(event: Pick<APIGatewayProxyEvent, 'headers'>, origins: readonly string[] = config().CORS_ORIGINS): Record<string, string> {
  const origin = header(event, 'origin');
  if (!origin || !(origins.includes(origin) || origins.includes('*'))) return {};
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': CORS_EXPOSE_HEADERS.join(', '), vary: 'Origin' };
}

/** A preflight's answer (API Gateway answers them in AWS; the local server with this). */
export function preflightHeadersFor(event: Pick<APIGatewayProxyEvent, 'headers'>, origins: readonly string[] = config().CORS_ORIGINS): Record<string, string> {
  const cors = corsHeadersFor(event, origins);
  if (!cors['access-control-allow-origin']) return { vary: 'Origin' };
  return {
    ...cors,
    'access-control-allow-headers': CORS_ALLOW_HEADERS.join(', '),
    'access-control-allow-methods': CORS_ALLOW_METHODS.join(', '),
    'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
  };
}
