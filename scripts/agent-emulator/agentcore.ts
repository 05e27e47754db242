/**
 * Amazon Bedrock AgentCore data plane, as `@aws-sdk/client-bedrock-agentcore` speaks it (REST-JSON over
 * HTTP/1.1 — the client's default request handler is NodeHttpHandler):
 *
 * - InvokeHarness        POST /harnesses/invoke?harnessArn=…[&qualifier=…]          → AWS event stream
 * - InvokeAgentRuntime   POST /runtimes/{agentRuntimeArn}/invocations[?qualifier=…] → the agent's own body
 * - StopRuntimeSession   POST /runtimes/{agentRuntimeArn}/stopruntimesession        → {} (ends running answers)
 *
 * The session id travels in `X-Amzn-Bedrock-AgentCore-Runtime-Session-Id` (at least 33 characters, as the
 * service requires), the end user in `X-Amzn-Bedrock-AgentCore-Runtime-User-Id`. The scripted agents are in
 * agentcore-harness.ts and agentcore-runtime.ts; this module serves them over HTTP.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseAgentRuntimePayload, type ParsedAgentRuntimePayload } from 'pika-shared/util/agentcore';
import { eventFrame, exceptionFrame } from './frames';
import type { ProviderSession, SessionStore } from './sessions';
import { HARNESS_AGENTS, harnessRequestOf } from './agentcore-harness';
import { RUNTIME_AGENTS } from './agentcore-runtime';

export const EMULATOR_REGION = 'us-east-1';
export const EMULATOR_ACCOUNT = '123456789012';
/** The 10-character id suffix the service appends to a name; the emulator's ids all end with it. */
export const EMULATOR_ID_SUFFIX = 'emulator01';

/**
 * The ARN of an emulated harness: `arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/<name>-emulator01`,
 * the agent's name with '-' written '_' (AgentCore names allow letters, digits and '_'), e.g.
 * `harness/echo_attributes-emulator01` is the `echo-attributes` agent.
 */
export const emulatorHarnessArn = (agent: string) =>
  `arn:aws:bedrock-agentcore:${EMULATOR_REGION}:${EMULATOR_ACCOUNT}:harness/${agent.replace(/-/g, '_')}-${EMULATOR_ID_SUFFIX}`;

/** The ARN of an emulated runtime agent: `…:runtime/<name>-emulator01` (same naming as harnesses). */
export const emulatorRuntimeArn = (agent: string) =>
  `arn:aws:bedrock-agentcore:${EMULATOR_REGION}:${EMULATOR_ACCOUNT}:runtime/${agent.replace(/-/g, '_')}-${EMULATOR_ID_SUFFIX}`;

/**
 * The built-in agent an ARN names: the resource id with '_' read as '-', either whole (`harness/echo`) or
 * without a trailing `-<10 letters or digits>` suffix (`harness/echo-emulator01`, `runtime/recall-AbCdE12345`).
 */
export function agentOfArn(arn: string, kind: 'harness' | 'runtime', known: readonly string[]): string | undefined {
  const m = /^arn:[^:]*:bedrock-agentcore:[^:]*:[^:]*:(harness|runtime)\/([^/:]+)$/.exec(arn);
  if (!m || m[1] !== kind) return undefined;
  const whole = m[2]!.replace(/_/g, '-');
  if (known.includes(whole)) return whole;
  const stripped = /^(.+)-[A-Za-z0-9]{10}$/.exec(m[2]!)?.[1]?.replace(/_/g, '-');
  return stripped && known.includes(stripped) ? stripped : undefined;
}

export interface AgentCoreOptions {
  chunkDelayMs: number;
  silentMs: number;
}

// ---------------------------------------------------------------------------------------------- HTTP

export interface AgentCoreRecord {
  operation: 'InvokeHarness' | 'InvokeAgentRuntime' | 'StopRuntimeSession';
  path: string;
  params: Record<string, string>;
  body: any;
  headers: Record<string, string>;
}

export interface AgentCoreContext {
  record(r: AgentCoreRecord): void;
  sessions: SessionStore;
  options(): AgentCoreOptions;
  closing(): boolean;
  /** Counts open answers (tests see a client's abort release the stream). */
  streams: Set<ServerResponse>;
}

const SESSION_HEADER = 'x-amzn-bedrock-agentcore-runtime-session-id';
const MIN_SESSION_ID = 33;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJsonError(res: ServerResponse, status: number, type: string, message: string, extra: Record<string, unknown> = {}) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ message, ...extra }));
}

const validation = (res: ServerResponse, message: string) => sendJsonError(res, 400, 'ValidationException', message, { reason: 'FieldValidationFailed' });

/**
 * Writes steps as they are produced until the client goes away or the session is stopped; returns the text
 * the written steps carried.
 */
async function play<S extends { kind: string }>(
  ctx: AgentCoreContext,
  res: ServerResponse,
  session: ProviderSession,
  steps: S[],
  write: (step: S) => { data?: string | Uint8Array; text?: string; last?: boolean },
  delayMs: number,
): Promise<string> {
  let stopped = false;
  let wake: () => void = () => undefined;
  const stop = () => {
    stopped = true;
    wake();
  };
  const woken = new Promise<void>((resolve) => (wake = resolve));
  res.once('close', stop);
  session.running.add(stop);
  ctx.streams.add(res);
  let text = '';
  try {
    for (const step of steps) {
      if (stopped || res.destroyed || ctx.closing()) break;
      if (step.kind === 'sleep' || step.kind === 'hang') {
        const ms = step.kind === 'sleep' ? (step as unknown as { ms: number }).ms : 10 * 60_000;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([woken, new Promise((r) => (timer = setTimeout(r, ms)))]);
        clearTimeout(timer);
        continue;
      }
      const out = write(step);
      if (out.data !== undefined) res.write(out.data);
      text += out.text ?? '';
      if (out.last) break;
      await Promise.race([woken, sleep(delayMs)]);
    }
  } finally {
    session.running.delete(stop);
    ctx.streams.delete(res);
    res.off('close', stop);
    if (!res.destroyed && !res.writableEnded) res.end();
  }
  return text;
}

function safeHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([k]) => k !== 'authorization')
      .map(([k, v]) => [k, String(v)]),
  );
}

/** Handles an AgentCore request; false when the path is not an AgentCore operation. */
export async function handleAgentCore(ctx: AgentCoreContext, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const rawPath = url.pathname;
  const harness = rawPath === '/harnesses/invoke';
  const runtime = /^\/runtimes\/([^/]+)\/(invocations|stopruntimesession)$/.exec(rawPath);
  if (!harness && !runtime) return false;
  if (req.method !== 'POST') {
    sendJsonError(res, 404, 'ResourceNotFoundException', `No route ${req.method} ${rawPath}`);
    return true;
  }
  const raw = await readBody(req);
  const headers = safeHeaders(req.headers);
  const sessionId = String(req.headers[SESSION_HEADER] ?? '');
  const qualifier = url.searchParams.get('qualifier') ?? undefined;
  const opts = ctx.options();

  if (harness) {
    const harnessArn = url.searchParams.get('harnessArn') ?? '';
    let body: any;
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      validation(res, 'Malformed JSON body');
      return true;
    }
    ctx.record({
      operation: 'InvokeHarness',
      path: rawPath,
      params: { harnessArn, ...(qualifier ? { qualifier } : {}), runtimeSessionId: sessionId },
      body,
      headers,
    });
    const agent = agentOfArn(harnessArn, 'harness', Object.keys(HARNESS_AGENTS));
    if (!agent) return (sendJsonError(res, 404, 'ResourceNotFoundException', `Harness ${harnessArn} not found`), true);
    if (sessionId.length < MIN_SESSION_ID) return (validation(res, `runtimeSessionId must be at least ${MIN_SESSION_ID} characters`), true);
    if (!Array.isArray(body.messages) || body.messages.length === 0) return (validation(res, 'messages must not be empty'), true);
    const session = ctx.sessions.open(`harness:${agent}:${sessionId}`);
    const hreq = harnessRequestOf(agent, body, [...session.turns], opts.silentMs);
    if (hreq.resumeError) return (validation(res, hreq.resumeError), true);
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', [SESSION_HEADER]: sessionId });
    res.flushHeaders();
    const text = await play(
      ctx,
      res,
      session,
      HARNESS_AGENTS[agent]!(hreq),
      (step) =>
        step.kind === 'event'
          ? { data: eventFrame(step.type, step.payload), ...(step.text ? { text: step.text } : {}) }
          : step.kind === 'exception'
            ? { data: exceptionFrame(step.type, step.message), last: true }
            : {},
      agent === 'slow' ? opts.chunkDelayMs * 10 : opts.chunkDelayMs,
    );
    if (ctx.sessions.isCurrent(session)) {
      session.turns.push({ role: 'user', content: hreq.input }, { role: 'assistant', content: text });
      ctx.sessions.touch(session);
    }
    return true;
  }

  const agentRuntimeArn = decodeURIComponent(runtime![1]!);
  const agent = agentOfArn(agentRuntimeArn, 'runtime', Object.keys(RUNTIME_AGENTS));

  if (runtime![2] === 'stopruntimesession') {
    let body: any = {};
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      /* the body only carries a client token */
    }
    ctx.record({
      operation: 'StopRuntimeSession',
      path: rawPath,
      params: { agentRuntimeArn, runtimeSessionId: sessionId, ...(qualifier ? { qualifier } : {}) },
      body,
      headers,
    });
    if (!agent) return (sendJsonError(res, 404, 'ResourceNotFoundException', `Runtime ${agentRuntimeArn} not found`), true);
    if (!ctx.sessions.stop(`runtime:${agent}:${sessionId}`))
      return (sendJsonError(res, 404, 'ResourceNotFoundException', `No running session ${sessionId}`), true);
    res.writeHead(200, { 'content-type': 'application/json', [SESSION_HEADER]: sessionId });
    res.end('{}');
    return true;
  }

  const text = raw.toString('utf8');
  let recorded: unknown = text;
  try {
    recorded = JSON.parse(text);
  } catch {
    /* recorded as the raw text */
  }
  ctx.record({
    operation: 'InvokeAgentRuntime',
    path: rawPath,
    params: { agentRuntimeArn, runtimeSessionId: sessionId, ...(qualifier ? { qualifier } : {}) },
    body: recorded,
    headers,
  });
  if (!agent) return (sendJsonError(res, 404, 'ResourceNotFoundException', `Runtime ${agentRuntimeArn} not found`), true);
  if (sessionId.length < MIN_SESSION_ID) return (validation(res, `runtimeSessionId must be at least ${MIN_SESSION_ID} characters`), true);
  let payload: ParsedAgentRuntimePayload;
  try {
    payload = parseAgentRuntimePayload(text);
  } catch (err) {
    // What the agent's own code would answer to a payload it cannot read; the service relays it as an error.
    return (sendJsonError(res, 424, 'RuntimeClientError', `The agent could not read its payload: ${(err as Error).message}`), true);
  }
  const session = ctx.sessions.open(`runtime:${agent}:${sessionId}`);
  const script = RUNTIME_AGENTS[agent]!({ agent, payload, body: recorded, remembered: [...session.turns], silentMs: opts.silentMs });
  res.writeHead(200, { 'content-type': script.contentType, [SESSION_HEADER]: sessionId });
  res.flushHeaders();
  const answer = await play(
    ctx,
    res,
    session,
    script.steps,
    (step) => (step.kind === 'write' ? { data: step.data, ...(step.text ? { text: step.text } : {}) } : {}),
    agent === 'slow' ? opts.chunkDelayMs * 10 : opts.chunkDelayMs,
  );
  if (ctx.sessions.isCurrent(session)) {
    session.turns.push({ role: 'user', content: payload.prompt }, { role: 'assistant', content: answer });
    ctx.sessions.touch(session);
  }
  return true;
}

export * from './agentcore-harness';
export * from './agentcore-runtime';
export * from './agentcore-agui';
