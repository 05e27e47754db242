/**
 * Secrets of the deployed stack: JWT_SECRET_ARN / CURSOR_SECRET_ARN name Secrets Manager secrets that are
 * read once per container into this module (never into the function's configuration or process.env).
 * Locally and in tests the plain JWT_SECRET / CURSOR_SECRET are set and nothing is fetched.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { config } from './config';
import { DomainError } from './errors';

export type SecretName = 'jwt' | 'cursor';

const SOURCES = {
  jwt: { arn: 'JWT_SECRET_ARN', plain: 'JWT_SECRET' },
  cursor: { arn: 'CURSOR_SECRET_ARN', plain: 'CURSOR_SECRET' },
} as const;

/** Values fetched from Secrets Manager, by secret ARN. */
const fetched = new Map<string, string>();

/** The secret's value: the plain one (local, tests) or the one fetched for its ARN; undefined until loaded. */
export function secretValue(name: SecretName): string | undefined {
  const c = config();
  const { arn, plain } = SOURCES[name];
  return c[plain] ?? (c[arn] ? fetched.get(c[arn]) : undefined);
}

/**
 * A hung Secrets Manager call must fail well inside the shortest function timeout (the authorizer's 10 s):
 * at most 2 attempts of 1 s to connect + 2 s without an answer each.
 */
export const SECRETS_CLIENT_TIMEOUTS = { connectionTimeout: 1_000, requestTimeout: 2_000, maxAttempts: 2 } as const;

let loading: Promise<void> | undefined;

export function loadSecrets(): Promise<void> {
  const c = config();
  const missing = Object.values(SOURCES).flatMap(({ arn, plain }) => (c[arn] && !c[plain] && !fetched.has(c[arn]) ? [c[arn]] : []));
  if (missing.length === 0) return Promise.resolve();
  loading ??= (async () => {
    const { connectionTimeout, requestTimeout, maxAttempts } = SECRETS_CLIENT_TIMEOUTS;
    // throwOnRequestTimeout: without it the SDK only logs a warning and keeps waiting.
    const client = new SecretsManagerClient({ maxAttempts, requestHandler: { connectionTimeout, requestTimeout, throwOnRequestTimeout: true } });
    try {
      for (const arn of missing) {
        const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
        if (!out.SecretString) throw new Error('a secret has no string value');
        fetched.set(arn, out.SecretString);
      }
    } finally {
      client.destroy();
    }
  })().then(
    () => {
      loading = undefined; // the values are in `fetched` now
    },
    (err: unknown) => {
      loading = undefined; // dropped: the next request tries again
      throw new DomainError('DEPENDENCY_UNAVAILABLE', 'Configuration secrets could not be loaded', { name: (err as Error).name });
    },
  );
  return loading;
}
