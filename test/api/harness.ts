/** Starts the local API in this test worker (real HTTP, real DynamoDB Local) and mints tokens for it. */
import { SignJWT } from 'jose';
import { uniqueId } from '../../scripts/local/ids';
import type { LocalApi } from '../../scripts/local/server';
import { mintDevToken } from '../../scripts/local/tokens';
import { expectOpenApi } from '../support/openapi-check';
import { useLocalStack } from '../support/stack';

export const JWT_SECRET = 'test-jwt-secret-that-is-long-enough-0123456789';
export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'pika-test';
export const ROLES = { contentAdmin: 'pika:content-admin', siteAdmin: 'pika:site-admin', service: 'pika:service' };

Object.assign(process.env, { JWT_SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, CORS_ORIGINS: 'https://app.example.com' });

export const uid = uniqueId;

export const token = (userId: string, roles: string[] = [], extra: { userType?: 'internal-user' | 'external-user'; ttlSeconds?: number } = {}) =>
  mintDevToken({ userId, roles, secret: JWT_SECRET, issuer: ISSUER, audience: AUDIENCE, ...extra });

/** Tokens that must be refused: expired, signed with another key, for another audience, without exp. */
export const badTokens = async (userId: string) => ({
  expired: await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
    .sign(new TextEncoder().encode(JWT_SECRET)),
  forged: await mintDevToken({ userId, secret: 'another-secret-of-sufficient-length-xx', issuer: ISSUER, audience: AUDIENCE }),
  wrongAudience: await mintDevToken({ userId, secret: JWT_SECRET, issuer: ISSUER, audience: 'someone-else' }),
  noExpiry: await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .sign(new TextEncoder().encode(JWT_SECRET)),
  algNone: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: userId, aud: AUDIENCE, iss: ISSUER, exp: 9999999999 })).toString('base64url')}.`,
});

export interface CallResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface Api {
  url: string;
  call<T = any>(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; raw?: string | Buffer; headers?: Record<string, string> },
  ): Promise<CallResult<T>>;
}

/** One local API per test file, started before its tests. */
export function useApi(): Api {
  return apiClient(useLocalStack({ emulator: false }).api);
}

/** Calls to a local API started by useLocalStack. */
export function apiClient(local: () => LocalApi): Api {
  return {
    get url() {
      return local().url;
    },
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | Buffer | undefined;
      if (opts.raw !== undefined) body = opts.raw;
      else if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${local().url}${path}`, { method, headers, ...(body !== undefined ? { body: body as RequestInit['body'] } : {}) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* left as text: tests assert JSON where they expect it */
      }
      // Every answer the suites see is held to docs/openapi.json (test/support/openapi-check.ts).
      expectOpenApi({ method, path, status: res.status, headers: res.headers, body: parsed });
      return { status: res.status, body: parsed as any, headers: res.headers };
    },
  };
}

/** Every error answer has the same JSON shape. */
export function expectErrorShape(r: CallResult, status: number, code?: string) {
  if (r.status !== status || typeof r.body !== 'object' || !r.body?.error?.code || typeof r.body.error.message !== 'string') {
    throw new Error(`expected ${status}${code ? ` ${code}` : ''} JSON error, got ${r.status} ${JSON.stringify(r.body)}`);
  }
  if (code && r.body.error.code !== code) throw new Error(`expected code ${code}, got ${r.body.error.code}`);
}
