/**
 * Secrets of the deployed stack: JWT_SECRET_ARN / CURSOR_SECRET_ARN name Secrets Manager secrets that are
 * read once per container into JWT_SECRET / CURSOR_SECRET (never put in the function's configuration).
 * Locally and in tests the plain variables are set and nothing is fetched.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DomainError } from './errors';

const PAIRS = [
  ['JWT_SECRET_ARN', 'JWT_SECRET'],
  ['CURSOR_SECRET_ARN', 'CURSOR_SECRET'],
] as const;

/**
 * A hung Secrets Manager call must fail well inside the shortest function timeout (the authorizer's 10 s):
 * at most 2 attempts of 1 s to connect + 2 s without an answer each.
 */
export const SECRETS_CLIENT_TIMEOUTS = { connectionTimeout: 1_000, requestTimeout: 2_000, maxAttempts: 2 } as const;

let loading: Promise<void> | undefined;

export function loadSecrets(): Promise<void> {
  const missing = PAIRS.filter(([arn, value]) => process.env[arn] && !process.env[value]);
  if (missing.length === 0) return Promise.resolve();
  loading ??= (async () => {
    const { connectionTimeout, requestTimeout, maxAttempts } = SECRETS_CLIENT_TIMEOUTS;
    // throwOnRequestTimeout: without it the SDK only logs a warning and keeps waiting.
    const client = new SecretsManagerClient({ maxAttempts, requestHandler: { connectionTimeout, requestTimeout, throwOnRequestTimeout: true } });
    try {
      for (const [arn, value] of missing) {
        const out = await client.send(new GetSecretValueCommand({ SecretId: process.env[arn] }));
        if (!out.SecretString) throw new Error(`secret ${arn} has no string value`);
        process.env[value] = out.SecretString;
      }
    } finally {
      client.destroy();
    }
  })().then(
    () => {
      loading = undefined; // the values are in the environment now
    },
    (err: unknown) => {
      loading = undefined; // dropped: the next request tries again
      throw new DomainError('DEPENDENCY_UNAVAILABLE', 'Configuration secrets could not be loaded', { name: (err as Error).name });
    },
  );
  return loading;
}
