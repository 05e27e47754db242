/**
 * In the chat backend's repository only (skipped in a copy of this example): the backend's own relay
 * (`invokeAgentRuntime`, the real @aws-sdk/client-bedrock-agentcore client) invokes this agent and reads its answer.
 * A loopback stand-in for the AgentCore data plane passes `POST /runtimes/{arn}/invocations` to the agent's
 * `POST /invocations` (body, session id header) and streams the agent's response back as the service does.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { encodeSessionAttributes } from 'pika-shared/util/bedrock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../src/model.js';
import { createAgentServer } from '../src/server.js';

const RELAY = join(resolve(import.meta.dirname, '../../..'), 'functions/converse/providers/agentcore-runtime.ts');
const IN_BACKEND = existsSync(RELAY);
const ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/greeter-AbCdE12345';
const SESSION_HEADER = 'x-amzn-bedrock-agentcore-runtime-session-id';

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
const close = async (server: Server) => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
};

/** The AgentCore data plane, as far as InvokeAgentRuntime goes: forwards to the agent at `agentUrl()`. */
function dataPlane(agentUrl: () => string, seen: { path?: string; sessionId?: string }[]): Server {
  return createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const sessionId = String(req.headers[SESSION_HEADER] ?? '');
    seen.push({ path: req.url ?? '', sessionId });
    const answer = await fetch(`${agentUrl()}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SESSION_HEADER]: sessionId },
      body: Buffer.concat(chunks),
    });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream', [SESSION_HEADER]: sessionId });
    Readable.fromWeb(answer.body as never).pipe(res);
  });
}

describe.skipIf(!IN_BACKEND)("the chat backend's relay invokes the agent (InvokeAgentRuntime through the real SDK client)", () => {
  let relay: any;
  let agent: Server;
  let agentUrl = '';
  let plane: Server;
  const seen: { path?: string; sessionId?: string }[] = [];
  const ENV_KEYS = ['BEDROCK_AGENTCORE_ENDPOINT', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
  const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

  beforeAll(async () => {
    relay = await import(RELAY);
    agent = createAgentServer({ log: () => {} });
    agentUrl = await listen(agent);
    plane = dataPlane(() => agentUrl, seen);
    Object.assign(process.env, {
      BEDROCK_AGENTCORE_ENDPOINT: await listen(plane),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
  });

  afterAll(async () => {
    for (const k of ENV_KEYS) {
      if (savedEnv[k] === undefined) delete process.env[k];
      else process.env[k] = savedEnv[k];
    }
    await Promise.all([agent, plane].filter(Boolean).map(close));
  });

  const input = (history: { role: 'user' | 'assistant'; content: string }[] = []) => ({
    sessionId: '01JCHATSESSION000000000001',
    userId: 'user-123',
    inputText: 'Where is my order?',
    sessionAttributes: encodeSessionAttributes({
      userId: 'user-123',
      sessionId: '01JCHATSESSION000000000001',
      chatAppId: 'support',
      agentId: 'greeter',
      firstName: 'Ada',
      accountType: 'premium',
    }),
    history,
    signal: new AbortController().signal,
  });

  it('chunks that concatenate to the greeting, then the usage', async () => {
    const events: any[] = [];
    for await (const e of relay.invokeAgentRuntime(
      { kind: 'agentcore-runtime', agentRuntimeArn: ARN },
      input([
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
      ]),
    ))
      events.push(e);
    const text = events
      .filter((e) => e.type === 'chunk')
      .map((e) => e.text)
      .join('');
    expect(text).toBe(
      'Hello Ada! You asked: "Where is my order?". Your account is premium. This is chat app support, agent greeter; you asked 1 question before.',
    );
    expect(events.filter((e) => e.type === 'chunk').length).toBeGreaterThan(3);
    expect(events.at(-1)).toEqual({ type: 'usage', inputTokens: 6, outputTokens: 24 });
    expect(seen.at(-1)!.path).toBe(`/runtimes/${encodeURIComponent(ARN)}/invocations`);
    expect(seen.at(-1)!.sessionId).toMatch(/^pika-01JCHATSESSION000000000001-[0-9a-f]{32}$/);
  });

  it("a model failure reaches the relay as AgentRuntimeError with the agent's message, after the text before it", async () => {
    await close(agent);
    const failing: Model = async function* () {
      yield { type: 'text', text: 'Let me check' };
      throw new Error('ThrottlingException: slow down');
    };
    agent = createAgentServer({ model: failing, log: () => {} });
    agentUrl = await listen(agent);
    const events: any[] = [];
    let error: unknown;
    try {
      for await (const e of relay.invokeAgentRuntime({ kind: 'agentcore-runtime', agentRuntimeArn: ARN }, input())) events.push(e);
    } catch (err) {
      error = err;
    }
    expect(events).toEqual([{ type: 'chunk', text: 'Let me check' }]);
    expect(error).toBeInstanceOf(relay.AgentRuntimeError);
    expect((error as Error).message).toBe('The agent failed: ThrottlingException: slow down');
  });
});
