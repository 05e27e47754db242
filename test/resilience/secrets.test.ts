/**
 * Secrets loaded at cold start (functions/platform/secrets.ts) against a local Secrets Manager stand-in: a hung
 * or failing call ends with a clear 503 instead of holding every later request, and the next request
 * fetches again.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpErrorOf } from '../../functions/http/errors';
import { DomainError } from '../../functions/platform/errors';
import { loadSecrets, secretValue } from '../../functions/platform/secrets';
import { startSecretsStandIn, type SecretsStandIn } from '../support/secrets-manager';

const ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:pika/jwt-AbCdEf';
// A second secret: a container keeps what it fetched, so the second case reads another one.
const ARN_2 = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:pika/jwt2-GhIjKl';
const KEY = 'the-jwt-key-from-secrets-manager-0123456789';
let sm: SecretsStandIn;
const saved = { ...process.env };

beforeAll(async () => {
  sm = await startSecretsStandIn({ [ARN]: KEY, [ARN_2]: KEY });
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = sm.endpoint;
  process.env.JWT_SECRET_ARN = ARN;
});
afterAll(async () => {
  process.env = saved;
  await sm.close();
});
beforeEach(() => {
  delete process.env.JWT_SECRET;
  sm.requests.length = 0;
});

const failure = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return Object.assign(err as DomainError, { status: httpErrorOf(err).status });
};

describe('loadSecrets', () => {
  it('fails a hung fetch with DEPENDENCY_UNAVAILABLE (every waiting request), then fetches again once Secrets Manager answers', async () => {
    sm.mode = 'hang';
    const [a, b] = await Promise.all([failure(loadSecrets()), failure(loadSecrets())]);
    for (const e of [a, b]) expect([e.status, e.code]).toEqual([503, 'DEPENDENCY_UNAVAILABLE']);
    expect(sm.requests.length).toBeGreaterThanOrEqual(1);
    expect(secretValue('jwt')).toBeUndefined();

    sm.mode = 'answer';
    await loadSecrets();
    expect(secretValue('jwt')).toBe(KEY);
    expect(process.env.JWT_SECRET).toBeUndefined(); // never written into the environment
  }, 20_000);

  it('drops a failed load (5xx from Secrets Manager): the next call retries and succeeds', async () => {
    process.env.JWT_SECRET_ARN = ARN_2;
    sm.mode = 'fail';
    const e = await failure(loadSecrets());
    expect(e.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(httpErrorOf(e).body.error).not.toHaveProperty('details.message'); // the error's name only, never its payload
    const asked = sm.requests.length;
    sm.mode = 'answer';
    await loadSecrets();
    expect(sm.requests.length).toBeGreaterThan(asked);
    expect(secretValue('jwt')).toBe(KEY);
  }, 20_000);
});
