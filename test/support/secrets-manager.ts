/**
 * A local stand-in for Secrets Manager's GetSecretValue (JSON 1.1 protocol: POST / with
 * `x-amz-target: secretsmanager.GetSecretValue`), for SDK clients pointed at it with `endpoint` or
 * AWS_ENDPOINT_URL_SECRETS_MANAGER. `mode` makes it answer, hang (never answer) or fail with a 500.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type SecretsMode = 'answer' | 'hang' | 'fail';

export interface SecretsStandIn {
  endpoint: string;
  mode: SecretsMode;
  /** SecretId (ARN or name) -> SecretString. */
  secrets: Map<string, string>;
  /** SecretIds asked for, in order (hung ones included). */
  requests: string[];
  close(): Promise<void>;
}

export async function startSecretsStandIn(secrets: Record<string, string> = {}): Promise<SecretsStandIn> {
  const sockets = new Set<Socket>();
  const state: SecretsStandIn = { endpoint: '', mode: 'answer', secrets: new Map(Object.entries(secrets)), requests: [], close: async () => undefined };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
      return reply(400, { __type: 'UnknownOperationException', message: `not supported: ${String(req.headers['x-amz-target'])}` });
    }
    const { SecretId } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string };
    state.requests.push(String(SecretId));
    if (state.mode === 'hang') return; // never answers; the socket is destroyed at close()
    if (state.mode === 'fail') return reply(500, { __type: 'InternalServiceError', message: 'stand-in failure' });
    const value = SecretId === undefined ? undefined : state.secrets.get(SecretId);
    if (value === undefined) return reply(400, { __type: 'ResourceNotFoundException', message: 'Secrets Manager can\u2019t find the specified secret.' });
    reply(200, { ARN: SecretId, Name: SecretId, SecretString: value, VersionId: 'v1', VersionStages: ['AWSCURRENT'], CreatedDate: 1_700_000_000 });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}
