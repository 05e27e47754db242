/**
 * Tokens of an OIDC issuer (JWT_JWKS_URL) against a local key-set endpoint: an unreachable, failing or hung
 * key set is our dependency failure (503 DEPENDENCY_UNAVAILABLE, retryable), never a 401; a token signed by
 * a key the set does not hold, or with a bad signature, stays 401. The authorizer turns the first into a
 * non-'Unauthorized' error (API Gateway's 503 gateway response) and counts it as AuthorizerFailures.
 */
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as authorizer } from '../../functions/handlers/authorizer';
import { verifyAuthorizationHeader } from '../../functions/http/auth';
import { DomainError } from '../../functions/platform/errors';
import { httpErrorOf } from '../../functions/http/errors';
import { AUTHORIZER_FAILURES, METRICS_NAMESPACE } from '../../functions/platform/metrics';
import { signingKey, signRs256, startJwksServer, type JwksServer, type SigningKey } from '../support/jwks';

const ISS = 'https://issuer.jwks.test/';
const AUD = 'pika-jwks-test';
let key: SigningKey;
let stranger: SigningKey;
let jwks: JwksServer;
const saved = { ...process.env };

beforeAll(async () => {
  [key, stranger] = await Promise.all([signingKey('k1'), signingKey('k2')]);
  jwks = await startJwksServer([key]);
  delete process.env.JWT_SECRET;
  delete process.env.JWT_SECRET_ARN;
  Object.assign(process.env, { JWT_ISSUER: ISS, JWT_AUDIENCE: AUD, POWERTOOLS_SERVICE_NAME: 'pika-chat-jwks-test' });
});
afterAll(async () => {
  process.env = saved;
  await jwks.close();
});
afterEach(() => {
  jwks.mode = 'serve';
  vi.restoreAllMocks();
});

/** A fresh key set (jose caches the one it fetched): a new URL is a new configuration. */
let n = 0;
const freshJwksUrl = (base = jwks.url) => {
  process.env.JWT_JWKS_URL = `${base}?n=${++n}`;
};
const token = (k = key, sub = `u-${n}-${Math.random().toString(36).slice(2)}`) => signRs256(k, { sub, iss: ISS, aud: AUD });

const failureOf = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return [httpErrorOf(err).status, (err as DomainError).code];
};

describe('verifyAuthorizationHeader with a JWKS issuer', () => {
  it('accepts a token signed by a key of the set', async () => {
    freshJwksUrl();
    const id = await verifyAuthorizationHeader(`Bearer ${await token(key, 'alice')}`);
    expect(id.userId).toBe('alice');
  });

  it('refuses a token signed by a key the set does not hold, or with a bad signature: 401', async () => {
    freshJwksUrl();
    expect(await failureOf(verifyAuthorizationHeader(`Bearer ${await token(stranger)}`))).toEqual([401, 'UNAUTHORIZED']);
    const good = await token();
    const tampered = `${good.slice(0, good.lastIndexOf('.') + 1)}${Buffer.from('not the signature').toString('base64url')}`;
    expect(await failureOf(verifyAuthorizationHeader(`Bearer ${tampered}`))).toEqual([401, 'UNAUTHORIZED']);
  });

  it('answers 503 DEPENDENCY_UNAVAILABLE when the key set endpoint fails (500), is down, or hangs', async () => {
    freshJwksUrl();
    jwks.mode = { status: 500 };
    expect(await failureOf(verifyAuthorizationHeader(`Bearer ${await token()}`))).toEqual([503, 'DEPENDENCY_UNAVAILABLE']);

    freshJwksUrl('http://127.0.0.1:9/jwks.json'); // nothing listens on the discard port: fetch fails
    expect(await failureOf(verifyAuthorizationHeader(`Bearer ${await token()}`))).toEqual([503, 'DEPENDENCY_UNAVAILABLE']);

    freshJwksUrl();
    jwks.mode = 'hang'; // jose gives up after its 5 s timeout
    expect(await failureOf(verifyAuthorizationHeader(`Bearer ${await token()}`))).toEqual([503, 'DEPENDENCY_UNAVAILABLE']);

    jwks.mode = 'serve'; // nothing bad was remembered: the same key set answers now
    expect((await verifyAuthorizationHeader(`Bearer ${await token(key, 'bob')}`)).userId).toBe('bob');
  }, 20_000);
});

describe('the authorizer', () => {
  const event = (authorization: string): APIGatewayRequestAuthorizerEvent =>
    ({ type: 'REQUEST', methodArn: 'arn:aws:execute-api:us-east-1:111122223333:abc123/dev/GET/users/me', headers: { Authorization: authorization } }) as never;

  /** What the authorizer wrote (its log lines and EMF metrics), kept out of the test output. */
  const captureStdout = () => {
    const lines: string[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        return true;
      });
    }
    return () => lines.flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as Record<string, any>] : []));
  };
  const failureMetrics = (lines: Record<string, any>[]) =>
    lines.filter((l) => l._aws?.CloudWatchMetrics?.[0]?.Namespace === METRICS_NAMESPACE && l[AUTHORIZER_FAILURES] === 1 && l.service === 'pika-chat-jwks-test');

  it('refuses a bad token with exactly "Unauthorized" (API Gateway\u2019s 401) and counts no failure', async () => {
    freshJwksUrl();
    const out = captureStdout();
    await expect(authorizer(event(`Bearer ${await token(stranger)}`))).rejects.toThrow(/^Unauthorized$/);
    await expect(authorizer(event('Basic abc'))).rejects.toThrow(/^Unauthorized$/);
    expect(failureMetrics(out())).toEqual([]);
  });

  it('with the key set down: throws something other than "Unauthorized" and emits one AuthorizerFailures metric (EMF)', async () => {
    freshJwksUrl();
    jwks.mode = { status: 503 };
    const out = captureStdout();
    const err = await authorizer(event(`Bearer ${await token()}`)).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).not.toBe('Unauthorized');
    const metrics = failureMetrics(out());
    expect(metrics).toHaveLength(1);
    expect(metrics[0]!._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [['service']],
      Metrics: [{ Name: AUTHORIZER_FAILURES, Unit: 'Count' }],
    });
  });

  it('allows a good token on the whole API for that identity', async () => {
    freshJwksUrl();
    const out = captureStdout();
    const result = await authorizer(event(`Bearer ${await token(key, 'carol')}`));
    expect(result.principalId).toBe('carol');
    expect(result.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:us-east-1:111122223333:abc123/dev/*' },
    ]);
    expect(failureMetrics(out())).toEqual([]);
  });
});
