/**
 * The deployed tier's harness (./deployed.test.ts): the staging stage deployed once per file — its real bundles
 * behind the API Gateway emulation, with the agent emulator and a local S3 — and the calls, tokens and checks
 * its cases share.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { readServerSentEvents } from 'pika-shared/client';
import { startAgentEmulator, type AgentEmulator } from '../../scripts/agent-emulator';
import { uniqueId } from '../../scripts/local/ids';
import { startLocalS3, type LocalS3 } from '../../scripts/local/s3-server';
import { mintDevToken } from '../../scripts/local/tokens';
import { stageConfig } from '../../lib/config/stages';
import type { GatewayResponse } from './gateway';
import { deployStage, type DeployedStack } from './stack';

export const STAGE = 'staging';
export const config = stageConfig(STAGE);
const ORIGIN = config.corsOrigins[0]!;
/** The deployed stage (set by useDeployedStage's beforeAll). */
export let stack: DeployedStack;
let emulator: AgentEmulator;
let s3: LocalS3;

/** Deploys the stage before the file's cases and tears it down after them. */
export function useDeployedStage(): void {
  beforeAll(async () => {
    emulator = await startAgentEmulator({ chunkDelayMs: 2 });
    s3 = await startLocalS3({ bucket: 'pika-files-deployed' });
    stack = await deployStage(STAGE, {
      tableName: process.env.TABLE_NAME!,
      dynamoEndpoint: process.env.DYNAMODB_ENDPOINT!,
      agentEndpoint: emulator.endpoint,
      runtimeEndpoint: emulator.runtimeEndpoint,
      s3,
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await emulator?.close();
    await s3?.stop();
  });
}

export const uid = (prefix: string) => uniqueId(prefix);
export const token = (userId: string, roles: string[] = [], userType?: 'internal-user' | 'external-user') => {
  const env = stack.envOf('authorizer');
  if (config.jwt.kind !== 'hs256') throw new Error('this tier mints HS256 tokens');
  return mintDevToken({
    userId,
    roles,
    secret: stack.secretValues[env.JWT_SECRET_ARN!]!,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    ...(userType ? { userType } : {}),
  });
};

export interface Call {
  status: number;
  body: any;
  res: GatewayResponse;
}
export async function call(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Call> {
  const headers: Record<string, string> = { Origin: ORIGIN, 'User-Agent': 'deployed-tier', ...(opts.headers ?? {}) };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await stack.gateway.request({ method, path, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
  const json = (res.headers['content-type'] ?? '').startsWith('application/json') && res.body ? JSON.parse(res.body) : res.body;
  return { status: res.status, body: json, res };
}
export const expectCors = (r: GatewayResponse) => {
  expect(r.headers['access-control-allow-origin']).toBe(ORIGIN);
  expect(r.headers.vary ?? '').toMatch(/Origin/);
};
export const expectError = (c: Call, status: number, code: string) => {
  expect(c.status, JSON.stringify(c.body)).toBe(status);
  expect(c.body).toMatchObject({ error: { code, message: expect.any(String) } });
};
/** The typed client's reader (pika-shared/client) over the whole body; it skips heartbeat comments. */
export const sse = async (body: string) => {
  const events: { event: string; data: any }[] = [];
  for await (const e of readServerSentEvents(new Response(body).body!)) events.push(e);
  return events;
};
