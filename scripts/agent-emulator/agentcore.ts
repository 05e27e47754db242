/**
 * Amazon Bedrock AgentCore data plane, as `@aws-sdk/client-bedrock-agentcore` speaks it (REST-JSON over
 * HTTP/1.1 — the client's default request handler is NodeHttpHandler):
 *
 * - InvokeHarness        POST /harnesses/invoke?harnessArn=…[&qualifier=…]          → AWS event stream
 * - InvokeAgentRuntime   POST /runtimes/{agentRuntimeArn}/invocations[?qualifier=…] → the agent's own body
 * - StopRuntimeSession   POST /runtimes/{agentRuntimeArn}/stopruntimesession        → {} (ends running answers)
 *
 * The session id travels in `X-Amzn-Bedrock-AgentCore-Runtime-Session-Id` (at least 33 characters, as the
 * service requires), the end user in `X-Amzn-Bedrock-AgentCore-Runtime-User-Id`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  isSessionContextBlock,
  isUserMemoryBlock,
  parseAgentRuntimePayload,
  parseUserMemoryBlock,
  parseSessionContextBlock,
  sseText,
  sseUsage,
  type ParsedAgentRuntimePayload,
  isAttachedFilesBlock,
  parseAttachedFilesBlock,
  type AgentRuntimeFile,
} from 'pika-shared/util/agentcore';
import { filesAnswer } from './files';
import { echoAnswer, inputTokensFor, outputTokensFor, split } from './agents';
import { eventFrame, exceptionFrame } from './frames';
import { recallAnswer, type ProviderSession, type SessionStore, type Turn } from './sessions';

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

// ---------------------------------------------------------------------------------------------- harness

export interface HarnessRequest {
  agent: string;
  /** The user's words: the text blocks of the last user message, session context blocks left out. */
  input: string;
  /** Earlier messages of this call (everything before the last user message), as turns. */
  history: Turn[];
  remembered: Turn[];
  /** The session context block found in the system prompt or the messages, decoded. */
  context: Record<string, unknown> | undefined;
  systemPrompt: string[];
  silentMs: number;
  /** The user memory block's records, if one was sent. */
  memory: string[];
  /** The attached-files block of the last user message (pika-shared/util/agentcore `attachedFilesBlock`). */
  files: AgentRuntimeFile[];
}

type HarnessStep =
  | { kind: 'event'; type: string; payload: unknown; text?: string }
  | { kind: 'exception'; type: string; message: string }
  | { kind: 'sleep'; ms: number }
  | { kind: 'hang' };

const usageEvent = (input: string, answer: string): HarnessStep => {
  const inputTokens = inputTokensFor(input);
  const outputTokens = outputTokensFor(answer);
  return {
    kind: 'event',
    type: 'metadata',
    payload: { usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens }, metrics: { latencyMs: 1 } },
  };
};

const pieces = (answer: string) => split(answer, Math.min(4, Math.max(3, Math.ceil(answer.length / 40))));

function textMessage(answer: string, index = 0, parts = pieces(answer)): HarnessStep[] {
  return [
    { kind: 'event', type: 'messageStart', payload: { role: 'assistant' } },
    ...parts.map((text): HarnessStep => ({ kind: 'event', type: 'contentBlockDelta', payload: { contentBlockIndex: index, delta: { text } }, text })),
    { kind: 'event', type: 'contentBlockStop', payload: { contentBlockIndex: index } },
    { kind: 'event', type: 'messageStop', payload: { stopReason: 'end_turn' } },
  ];
}

const harnessAnswer = (req: HarnessRequest, answer: string): HarnessStep[] => [...textMessage(answer), usageEvent(req.input, answer)];

/** The tool the `tools` harness calls before answering. */
export const HARNESS_TOOL = { toolUseId: 'tooluse-emulator-1', name: 'lookup_order', result: 'Order 42 shipped yesterday' };

export const HARNESS_AGENTS: Record<string, (req: HarnessRequest) => HarnessStep[]> = {
  echo: (req) => harnessAnswer(req, echoAnswer(req.input, req.memory)),
  'echo-files': (req) =>
    harnessAnswer(
      req,
      filesAnswer(
        req.input,
        req.files.map((f) => f.fileName),
      ),
    ),
  slow: (req) => harnessAnswer(req, echoAnswer(req.input)),
  recall: (req) => harnessAnswer(req, recallAnswer(req.history, req.remembered)),
  silent: (req) => [{ kind: 'sleep', ms: req.silentMs }, ...harnessAnswer(req, echoAnswer(req.input))],
  'echo-attributes': (req) => harnessAnswer(req, JSON.stringify(req.context ?? null)),
  'echo-system-prompt': (req) => harnessAnswer(req, JSON.stringify(req.systemPrompt)),
  faulty: (_req) => [
    { kind: 'event', type: 'messageStart', payload: { role: 'assistant' } },
    { kind: 'event', type: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { text: 'Partial answer' } }, text: 'Partial answer' },
    { kind: 'exception', type: 'internalServerException', message: 'The faulty harness failed on purpose' },
  ],
  hang: () => [
    { kind: 'event', type: 'messageStart', payload: { role: 'assistant' } },
    { kind: 'event', type: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { text: 'Thinking' } }, text: 'Thinking' },
    { kind: 'hang' },
  ],
  /** Calls a tool (use, input in two deltas, result), then answers like echo. */
  tools: (req) => {
    const input = JSON.stringify({ orderId: '42', question: req.input });
    const half = Math.ceil(input.length / 2);
    const answer = echoAnswer(req.input);
    return [
      { kind: 'event', type: 'messageStart', payload: { role: 'assistant' } },
      {
        kind: 'event',
        type: 'contentBlockStart',
        payload: { contentBlockIndex: 0, start: { toolUse: { toolUseId: HARNESS_TOOL.toolUseId, name: HARNESS_TOOL.name, type: 'tool_use' } } },
      },
      { kind: 'event', type: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { toolUse: { input: input.slice(0, half) } } } },
      { kind: 'event', type: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { toolUse: { input: input.slice(half) } } } },
      { kind: 'event', type: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
      { kind: 'event', type: 'messageStop', payload: { stopReason: 'tool_use' } },
      { kind: 'event', type: 'messageStart', payload: { role: 'user' } },
      {
        kind: 'event',
        type: 'contentBlockStart',
        payload: { contentBlockIndex: 0, start: { toolResult: { toolUseId: HARNESS_TOOL.toolUseId, status: 'success' } } },
      },
      { kind: 'event', type: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { toolResult: [{ text: HARNESS_TOOL.result }] } } },
      { kind: 'event', type: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
      { kind: 'event', type: 'messageStop', payload: { stopReason: 'tool_result' } },
      ...textMessage(answer),
      usageEvent(req.input, answer),
    ];
  },
};

const textsOf = (content: unknown): string[] =>
  (Array.isArray(content) ? content : []).flatMap((c: any) => (typeof c?.text === 'string' ? [c.text as string] : []));

function harnessRequestOf(agent: string, body: any, remembered: Turn[], silentMs: number): HarnessRequest {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  // The user's words: blocks the backend adds (session context, user memory, attached files) left out.
  const words = (t: string) => !isSessionContextBlock(t) && !isUserMemoryBlock(t) && !isAttachedFilesBlock(t);
  let last = -1;
  messages.forEach((m, i) => {
    if (m?.role === 'user' && textsOf(m.content).some(words)) last = i;
  });
  const systemPrompt = textsOf(body?.systemPrompt);
  const allTexts = [...systemPrompt, ...messages.flatMap((m) => textsOf(m?.content))];
  const contextText = allTexts.find(isSessionContextBlock);
  return {
    agent,
    input: last >= 0 ? textsOf(messages[last].content).filter(words).join('') : '',
    history: messages.slice(0, Math.max(0, last)).flatMap((m) => {
      const text = textsOf(m?.content).filter(words).join('');
      return (m?.role === 'user' || m?.role === 'assistant') && text ? [{ role: m.role, content: text } as Turn] : [];
    }),
    remembered,
    context: contextText ? parseSessionContextBlock(contextText) : undefined,
    systemPrompt,
    silentMs,
    memory: parseUserMemoryBlock(allTexts.find(isUserMemoryBlock) ?? ''),
    files: last >= 0 ? textsOf(messages[last].content).filter(isAttachedFilesBlock).flatMap(parseAttachedFilesBlock) : [],
  };
}

// ---------------------------------------------------------------------------------------------- runtime

export interface RuntimeRequest {
  agent: string;
  payload: ParsedAgentRuntimePayload;
  remembered: Turn[];
  silentMs: number;
}

type RuntimeStep = { kind: 'write'; data: string | Uint8Array; text?: string } | { kind: 'sleep'; ms: number } | { kind: 'hang' };
interface RuntimeScript {
  contentType: string;
  steps: RuntimeStep[];
}

const SSE = 'text/event-stream; charset=utf-8';

/** SSE deltas of `answer`, each event written in two halves split at its middle byte, then a usage event. */
function sseAnswer(req: RuntimeRequest, answer: string, opts: { usage?: boolean } = {}): RuntimeScript {
  const steps: RuntimeStep[] = [];
  for (const text of pieces(answer)) {
    const bytes = new TextEncoder().encode(sseText(text));
    const mid = Math.floor(bytes.length / 2);
    steps.push({ kind: 'write', data: bytes.slice(0, mid), text }, { kind: 'write', data: bytes.slice(mid) });
  }
  if (opts.usage !== false)
    steps.push({ kind: 'write', data: sseUsage({ inputTokens: inputTokensFor(req.payload.prompt), outputTokens: outputTokensFor(answer) }) });
  return { contentType: SSE, steps };
}

export const RUNTIME_AGENTS: Record<string, (req: RuntimeRequest) => RuntimeScript> = {
  echo: (req) => sseAnswer(req, echoAnswer(req.payload.prompt, req.payload.memory)),
  'echo-files': (req) =>
    sseAnswer(
      req,
      filesAnswer(
        req.payload.prompt,
        req.payload.files.map((f) => f.fileName),
      ),
    ),
  slow: (req) => sseAnswer(req, echoAnswer(req.payload.prompt)),
  recall: (req) => sseAnswer(req, recallAnswer(req.payload.history, req.remembered)),
  silent: (req) => {
    const s = sseAnswer(req, echoAnswer(req.payload.prompt));
    return { ...s, steps: [{ kind: 'sleep', ms: req.silentMs }, ...s.steps] };
  },
  /** Answers with the session data it decoded from the payload (parseAgentRuntimePayload), as JSON. */
  'echo-attributes': (req) => sseAnswer(req, JSON.stringify(req.payload.session)),
  /** The whole SSE stream in 5-byte writes: multi-byte characters are split across chunks. */
  'split-bytes': (req) => {
    const answer = echoAnswer(req.payload.prompt);
    const all = new TextEncoder().encode(
      pieces(answer).map(sseText).join('') + sseUsage({ inputTokens: inputTokensFor(req.payload.prompt), outputTokens: outputTokensFor(answer) }),
    );
    const steps: RuntimeStep[] = [];
    for (let i = 0; i < all.length; i += 5) steps.push({ kind: 'write', data: all.slice(i, i + 5) });
    steps[0] = { ...(steps[0] as RuntimeStep & { kind: 'write' }), text: answer };
    return { contentType: SSE, steps };
  },
  /** One `application/json` answer: { text, usage }. */
  json: (req) => {
    const text = echoAnswer(req.payload.prompt);
    const usage = { inputTokens: inputTokensFor(req.payload.prompt), outputTokens: outputTokensFor(text) };
    return { contentType: 'application/json', steps: [{ kind: 'write', data: JSON.stringify({ text, usage }), text }] };
  },
  /** Plain-text deltas (`text/plain`), no usage. */
  plain: (req) => ({
    contentType: 'text/plain; charset=utf-8',
    steps: pieces(echoAnswer(req.payload.prompt)).map((text): RuntimeStep => ({ kind: 'write', data: text, text })),
  }),
  /**
   * A Strands agent served by BedrockAgentCoreApp (`yield event` of `stream_async`): lifecycle and raw model
   * events, text deltas as `{"data": …}`, a JSON-string delta, a final `{"result": …}`; no usage.
   */
  strands: (req) => {
    const [first = '', ...rest] = pieces(echoAnswer(req.payload.prompt));
    const ev = (value: unknown, text?: string): RuntimeStep => ({ kind: 'write', data: `data: ${JSON.stringify(value)}\n\n`, ...(text ? { text } : {}) });
    return {
      contentType: SSE,
      steps: [
        ev({ init_event_loop: true }),
        ev({ event: { messageStart: { role: 'assistant' } } }),
        ev(first, first),
        ...rest.flatMap((text) => [ev({ event: { contentBlockDelta: { delta: { text } } } }), ev({ data: text, delta: { text } }, text)]),
        ev({ result: 'AgentResult(…)' }),
      ],
    };
  },
  /** One delta, then BedrockAgentCoreApp's error event ({"error","error_type"}). */
  faulty: () => ({
    contentType: SSE,
    steps: [
      { kind: 'write', data: sseText('Partial answer'), text: 'Partial answer' },
      {
        kind: 'write',
        data: `data: ${JSON.stringify({ error: 'The faulty runtime agent failed on purpose', error_type: 'RuntimeError', message: 'An error occurred during streaming' })}\n\n`,
      },
    ],
  }),
  /** One delta, then nothing until the client goes away or StopRuntimeSession ends the session. */
  hang: () => ({ contentType: SSE, steps: [{ kind: 'write', data: sseText('Thinking'), text: 'Thinking' }, { kind: 'hang' }] }),
};

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
  const script = RUNTIME_AGENTS[agent]!({ agent, payload, remembered: [...session.turns], silentMs: opts.silentMs });
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
