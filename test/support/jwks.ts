/** A local OIDC key-set endpoint for JWKS tests: serves a key set, fails with a status, or hangs. */
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type JwksMode = 'serve' | 'hang' | { status: number };

export interface JwksServer {
  url: string;
  mode: JwksMode;
  hits: number;
  close(): Promise<void>;
}

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function signingKey(kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export const signRs256 = (key: SigningKey, claims: { sub: string; iss: string; aud: string; roles?: string[] }, ttlSeconds = 600) =>
  new SignJWT({ ...(claims.roles ? { roles: claims.roles } : {}) })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setSubject(claims.sub)
    .setIssuer(claims.iss)
    .setAudience(claims.aud)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key.privateKey);

export async function startJwksServer(keys: SigningKey[]): Promise<JwksServer> {
  const sockets = new Set<Socket>();
  const state: JwksServer = { url: '', mode: 'serve', hits: 0, close: async () => undefined };
  const server = createServer((_req, res) => {
    state.hits++;
    if (state.mode === 'hang') return;
    if (typeof state.mode === 'object') {
      res.writeHead(state.mode.status, { 'content-type': 'text/plain' });
      return res.end('unavailable');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}
