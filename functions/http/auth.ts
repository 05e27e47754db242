/**
 * Bearer-token verification with jose: HS256 shared secret (JWT_SECRET) or an issuer's JWKS (JWT_JWKS_URL),
 * optional JWT_ISSUER / JWT_AUDIENCE. The userId is the `sub` claim (or JWT_USER_ID_CLAIM); roles and
 * userType come from claims (JWT_ROLES_CLAIM, JWT_USER_TYPE_CLAIM) and, lazily, from the stored user.
 * Also used by the deployed stack's API Gateway authorizer.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { USER_ID_PATTERN } from 'pika-shared/types/chatbot/chatbot-types';
import { DomainError, unauthorized } from '../platform/errors';
import { config, type RuntimeConfig } from '../platform/config';
import { secretValue } from '../platform/secrets';
import type { TokenIdentity } from '../policy/identity';

export interface AuthConfig {
  secret?: Uint8Array;
  jwks?: JWTVerifyGetKey;
  issuer?: string;
  audience?: string;
  userIdClaim: string;
  rolesClaim: string;
  userTypeClaim: string;
}

let cached: { runtime: RuntimeConfig; key: string | undefined; config: AuthConfig } | undefined;

/** Built once per configuration (the JWKS set caches the issuer's keys); the HS256 key from ../lib/secrets.ts. */
export function authConfig(): AuthConfig {
  const c = config();
  const key = secretValue('jwt');
  if (cached?.runtime === c && cached.key === key) return cached.config;
  if (!key && !c.JWT_JWKS_URL) throw new Error('Set JWT_SECRET or JWT_SECRET_ARN (HS256), or JWT_JWKS_URL');
  const auth: AuthConfig = {
    ...(key ? { secret: new TextEncoder().encode(key) } : {}),
    ...(c.JWT_JWKS_URL && !key ? { jwks: createRemoteJWKSet(new URL(c.JWT_JWKS_URL)) } : {}),
    ...(c.JWT_ISSUER ? { issuer: c.JWT_ISSUER } : {}),
    ...(c.JWT_AUDIENCE ? { audience: c.JWT_AUDIENCE } : {}),
    userIdClaim: c.JWT_USER_ID_CLAIM,
    rolesClaim: c.JWT_ROLES_CLAIM,
    userTypeClaim: c.JWT_USER_TYPE_CLAIM,
  };
  cached = { runtime: c, key, config: auth };
  return auth;
}

function identityOf(payload: JWTPayload, config: AuthConfig): TokenIdentity {
  const userId = payload[config.userIdClaim];
  if (typeof userId !== 'string' || !USER_ID_PATTERN.test(userId)) throw unauthorized('The token has no usable user id claim');
  // A claim of the wrong type is refused, never guessed at: roles are an array of strings (a string is not split).
  const rawRoles = payload[config.rolesClaim];
  if (rawRoles !== undefined && !(Array.isArray(rawRoles) && rawRoles.every((r) => typeof r === 'string'))) {
    throw unauthorized('The token has a roles claim that is not an array of strings');
  }
  const roles: string[] = rawRoles ?? [];
  const userType = payload[config.userTypeClaim];
  if (userType !== undefined && typeof userType !== 'string') throw unauthorized('The token has a user type claim that is not a string');
  return {
    userId,
    roles,
    ...(userType === 'internal-user' || userType === 'external-user' ? { userType } : {}),
    ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp } : {}),
  };
}

/**
 * Tokens verified recently, by their exact text: a web app sends the same token with every request, and the
 * signature check is most of the handler stack's CPU. An entry lives until the token's own expiry, at most
 * VERIFIED_TTL_MS, and only a token that passed verification is ever stored (like API Gateway's
 * authorizer cache).
 */
const VERIFIED_TTL_MS = 5 * 60_000;
const VERIFIED_MAX = 5_000;
const verified = new Map<string, { identity: TokenIdentity; until: number; config: AuthConfig }>();

/** Verifies `Authorization: Bearer <jwt>`; any failure is a 401 that says nothing about the token. */
export async function verifyAuthorizationHeader(header: string | undefined, config = authConfig()): Promise<TokenIdentity> {
  // The scheme is case-insensitive (RFC 9110 §11.1).
  const match = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i.exec(header?.trim() ?? '');
  if (!match) throw unauthorized();
  const now = Date.now();
  const hit = verified.get(match[1]!);
  if (hit && hit.until > now && hit.config === config) return hit.identity;
  const identity = await verifyToken(match[1]!, config);
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
  verified.set(match[1]!, { identity, config, until: Math.min(now + VERIFIED_TTL_MS, (identity.expiresAt ?? 0) * 1000) });
  return identity;
}

async function verifyToken(token: string, config: AuthConfig): Promise<TokenIdentity> {
  try {
    const options = {
      ...(config.issuer ? { issuer: config.issuer } : {}),
      ...(config.audience ? { audience: config.audience } : {}),
      requiredClaims: ['exp'],
      clockTolerance: 5,
    };
    const { payload } = config.secret
      ? await jwtVerify(token, config.secret, { ...options, algorithms: ['HS256'] })
      : await jwtVerify(token, config.jwks!, { ...options, algorithms: ['RS256', 'ES256', 'PS256'] });
    return identityOf(payload, config);
  } catch (err) {
    if (err instanceof DomainError) throw err;
    if (config.jwks && jwksUnavailable(err)) throw new DomainError('DEPENDENCY_UNAVAILABLE', 'The token issuer keys could not be fetched; retry later');
    const code = (err as { code?: string }).code ?? '';
    throw unauthorized(code === 'ERR_JWT_EXPIRED' ? 'The token has expired' : 'The token is invalid');
  }
}

/**
 * The issuer's key set could not be had: our failure (503, retryable), not the caller's. jose throws
 * ERR_JWKS_TIMEOUT, ERR_JOSE_GENERIC for a non-200 answer, ERR_JWKS_INVALID for a body that is no key set,
 * and lets fetch's own errors through (TypeError 'fetch failed', AbortError). A token whose key is not in
 * the set (ERR_JWKS_NO_MATCHING_KEY) or whose signature fails stays a 401.
 */
function jwksUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && code.startsWith('ERR_J')) return code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JOSE_GENERIC' || code === 'ERR_JWKS_INVALID';
  return true; // not a jose verdict on the token: fetching the key set failed
}
