/**
 * A local Bedrock Agent Runtime (and Bedrock Runtime Converse) over HTTP/2 cleartext, and the Bedrock
 * AgentCore data plane over HTTP/1.1 — the protocols the real SDK clients speak — on one port: the first
 * bytes of a connection tell HTTP/2 (its preface) from HTTP/1.1. Point `endpoint` at it. Every request is
 * recorded for tests.
 */
import http, { type ServerResponse } from 'node:http';
import http2, { type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import net, { type AddressInfo, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { AGENTS, echoAnswer, titleFor, turnsOfConversationHistory, type AgentRequest, type Step } from './agents';
import { handleAgentCore, sendJsonError, type AgentCoreOptions } from './agentcore';
import { chunkFrame, eventFrame, exceptionFrame } from './frames';
import { answerToolCall } from './model-tools';
import './insights-answerer';
import { SessionStore, type Turn } from './sessions';
import { classicFiles } from './files';
import './verification';
import { handleMemory, MemoryStore, type MemoryOperation } from './memory';
import { parseUserMemoryBlock } from 'pika-shared/util/agentcore';

export interface RecordedRequest {
  operation: 'InvokeAgent' | 'InvokeInlineAgent' | 'Converse' | 'InvokeHarness' | 'InvokeAgentRuntime' | 'StopRuntimeSession' | MemoryOperation;
  path: string;
  params: Record<string, string>;
  body: any;
  headers: Record<string, string>;
  at: string;
}

export interface EmulatorOptions {
  /** Delay between frames / writes (`slow` agents wait ten times as long). Default 5 ms. */
  chunkDelayMs: number;
  /** How long `silent` agents wait before answering. Default 20 s. */
  silentMs: number;
  /** Provider sessions unused for longer than this are gone (every kind). Default 15 min. */
  sessionIdleMs: number;
}

export interface AgentEmulator {
  endpoint: string;
  /** The Bedrock Runtime (Converse) endpoint: the same server. */
  runtimeEndpoint: string;
  /** The Bedrock AgentCore endpoint (InvokeHarness, InvokeAgentRuntime, StopRuntimeSession): the same server. */
  agentCoreEndpoint: string;
  port: number;
  lastRequest(): RecordedRequest | undefined;
  requests(): RecordedRequest[];
  reset(): void;
  /** Changes options of a running emulator (the next requests use them). */
  configure(options: Partial<EmulatorOptions>): void;
  /** The live provider sessions: key (`agent:<agentId>:<sessionId>`, `inline:<sessionId>`,
   * `harness:<agent>:<runtimeSessionId>`, `runtime:<agent>:<runtimeSessionId>`) and the turns remembered. */
  providerSessions(): { key: string; turns: Turn[]; lastUsedAt: number }[];
  /** Forgets provider sessions (all, or those whose key starts with `prefix`) as if they had idled out. */
  expireSessions(prefix?: string): void;
  /** Answers being written right now (AgentCore operations). */
  activeStreams(): number;
  /** The emulated AgentCore memories (memory.ts): their events and records. */
  memory: MemoryStore;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readJson(stream: ServerHttp2Stream): Promise<any> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch (err) {
        reject(err);
      }
    });
    stream.on('error', reject);
  });
}

function sendError(stream: ServerHttp2Stream, status: number, type: string, message: string) {
  if (stream.closed || stream.headersSent) return;
  stream.respond({ ':status': status, 'content-type': 'application/json', 'x-amzn-errortype': type });
  stream.end(JSON.stringify({ message }));
}

const ROUTES: [RegExp, RecordedRequest['operation'], string[]][] = [
  [/^\/agents\/([^/]+)\/agentAliases\/([^/]+)\/sessions\/([^/]+)\/text$/, 'InvokeAgent', ['agentId', 'agentAliasId', 'sessionId']],
  [/^\/agents\/([^/]+)$/, 'InvokeInlineAgent', ['sessionId']],
  [/^\/model\/([^/]+)\/converse$/, 'Converse', ['modelId']],
];

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0');

/** A duplex over `socket` whose readable side starts with `head` (the bytes already read to sniff the protocol). */
function replaying(socket: Socket, head: Buffer): Duplex {
  const d = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, encoding, cb) {
      socket.write(chunk, encoding, cb);
    },
    final(cb) {
      socket.end();
      cb();
    },
    destroy(err, cb) {
      socket.destroy();
      cb(err);
    },
  });
  d.push(head);
  socket.on('data', (c: Buffer) => {
    if (!d.push(c)) socket.pause();
  });
  socket.on('end', () => d.push(null));
  socket.on('close', () => d.destroy());
  return d;
}

export async function startAgentEmulator(opts: { port?: number; host?: string; now?: () => number } & Partial<EmulatorOptions> = {}): Promise<AgentEmulator> {
  const recorded: RecordedRequest[] = [];
  const sessions = new Set<ServerHttp2Session>();
  const sockets = new Set<Socket>();
  const options: EmulatorOptions = {
    chunkDelayMs: opts.chunkDelayMs ?? 5,
    silentMs: opts.silentMs ?? 20_000,
    sessionIdleMs: opts.sessionIdleMs ?? 15 * 60_000,
  };
  const providerSessions = new SessionStore(() => options.sessionIdleMs, opts.now ?? Date.now);
  const streams = new Set<ServerResponse>();
  const memory = new MemoryStore(opts.now ?? Date.now);
  let closing = false;
  const safe = (headers: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(headers)
        .filter(([k]) => k !== 'authorization' && !k.startsWith(':'))
        .map(([k, v]) => [k, String(v)]),
    );

  /** Plays a classic agent's steps as event-stream frames; returns the answer text written (a return of control: its invocation id). */
  async function play(
    stream: ServerHttp2Stream,
    steps: Step[],
    sessionId: string,
    agentId: string,
    slow: boolean,
    paused: { invocationId?: string } = {},
  ): Promise<string> {
    const delay = options.chunkDelayMs;
    const decoder = new TextDecoder();
    let text = '';
    stream.respond({
      ':status': 200,
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-bedrock-agent-content-type': 'application/json',
      'x-amz-bedrock-agent-session-id': sessionId,
    });
    for (const step of steps) {
      if (stream.closed || closing) return text;
      if (step.kind === 'hang' || step.kind === 'sleep') {
        const closed = await new Promise<boolean>((resolve) => {
          const done = (value: boolean) => {
            clearTimeout(timer);
            stream.off('close', onClose);
            resolve(value);
          };
          const onClose = () => done(true);
          stream.once('close', onClose);
          const timer = setTimeout(() => done(false), step.kind === 'sleep' ? step.ms : 10 * 60_000);
          timer.unref();
        });
        if (closed || step.kind === 'hang') return text;
        continue;
      }
      if (step.kind === 'chunk') text += step.text;
      if (step.kind === 'bytes') text += decoder.decode(step.bytes, { stream: true });
      if (step.kind === 'returnControl') paused.invocationId = step.payload.invocationId;
      const frame =
        step.kind === 'returnControl'
          ? eventFrame('returnControl', step.payload)
          : step.kind === 'chunk'
            ? chunkFrame(step.text)
            : step.kind === 'bytes'
              ? eventFrame('chunk', { bytes: Buffer.from(step.bytes).toString('base64') })
              : step.kind === 'trace'
                ? eventFrame('trace', {
                    agentId,
                    agentAliasId: 'TSTALIASID',
                    agentVersion: 'DRAFT',
                    sessionId,
                    eventTime: new Date().toISOString(),
                    trace: step.trace,
                  })
                : exceptionFrame(step.type, step.message);
      stream.write(frame);
      if (step.kind === 'exception') break;
      await sleep(slow ? delay * 10 : delay);
    }
    if (!stream.closed) stream.end();
    return text + decoder.decode();
  }

  async function handle(stream: ServerHttp2Stream, headers: http2.IncomingHttpHeaders) {
    const path = decodeURI(String(headers[':path'] ?? '/').split('?')[0]!);
    if (headers[':method'] === 'GET' && path === '/_emulator/requests') {
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      return void stream.end(JSON.stringify(recorded));
    }
    const route = ROUTES.map(([re, op, names]) => ({ m: re.exec(path), op, names })).find((r) => r.m);
    if (!route || headers[':method'] !== 'POST') return sendError(stream, 404, 'ResourceNotFoundException', `No route ${path}`);
    const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(route.m![i + 1]!)]));
    const body = await readJson(stream).catch(() => undefined);
    if (body === undefined) return sendError(stream, 400, 'ValidationException', 'Malformed JSON body');
    recorded.push({ operation: route.op, path, params, body, headers: safe(headers), at: new Date().toISOString() });

    if (route.op === 'Converse') {
      if (params.modelId === 'fail-title') return sendError(stream, 500, 'InternalServerException', 'The title model failed on purpose');
      if (params.modelId === 'hang-title') return; // never answers: the caller's deadline must end the call
      // Answers after the agent has (a title not ready in time); a tool call (insights) that a turn overtakes.
      if (params.modelId === 'slow-title' || params.modelId === 'slow-tool') await sleep(1_500);
      if (body.toolConfig) {
        const answer = answerToolCall(params.modelId!, body);
        if ('error' in answer) return sendError(stream, answer.status, answer.error.type, answer.error.message);
        stream.respond({ ':status': 200, 'content-type': 'application/json' });
        return void stream.end(JSON.stringify(answer.json));
      }
      const texts: string[] = (body.messages ?? []).flatMap((m: any) => (m.content ?? []).map((c: any) => c.text ?? ''));
      const title = titleFor(texts.join(' '));
      const inputTokens = 10 + Math.ceil(texts.join(' ').length / 4);
      const outputTokens = Math.ceil(title.length / 4);
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      return void stream.end(
        JSON.stringify({
          output: { message: { role: 'assistant', content: [{ text: title }] } },
          stopReason: 'end_turn',
          usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
          metrics: { latencyMs: 1 },
        }),
      );
    }

    // Inline agents are `echo` unless their agentName names a built-in agent.
    const inline = route.op === 'InvokeInlineAgent';
    const agentId = inline ? (typeof body.agentName === 'string' && AGENTS[body.agentName] ? body.agentName : 'echo') : params.agentId!;
    const script = AGENTS[agentId];
    if (!script) return sendError(stream, 404, 'ResourceNotFoundException', `Agent ${agentId} not found`);
    const state = inline ? body.inlineSessionState : body.sessionState;
    const session = providerSessions.open(inline ? `inline:${params.sessionId}` : `agent:${agentId}:${params.sessionId}`);
    const req: AgentRequest = {
      agentId,
      inputText: String(body.inputText ?? ''),
      sessionAttributes: state?.sessionAttributes ?? {},
      streamFinalResponse: Boolean(body.streamingConfigurations?.streamFinalResponse),
      enableTrace: Boolean(body.enableTrace),
      history: turnsOfConversationHistory(state?.conversationHistory),
      remembered: [...session.turns],
      silentMs: options.silentMs,
      memory: parseUserMemoryBlock(String(state?.promptSessionAttributes?.userMemory ?? '')),
      files: classicFiles(state),
      ...(Array.isArray(state?.returnControlInvocationResults) ? { returnControlResults: state.returnControlInvocationResults } : {}),
    };
    // Results resume only the paused invocation (its id); a paused session takes nothing else.
    if (req.returnControlResults && (!session.pendingInvocationId || state?.invocationId !== session.pendingInvocationId))
      return sendError(stream, 400, 'ValidationException', 'The invocationId does not match a pending return of control');
    if (!req.returnControlResults && session.pendingInvocationId)
      return sendError(stream, 400, 'ValidationException', 'The session awaits the results of a return of control');
    const paused: { invocationId?: string } = {};
    const running = () => undefined; // a running session never idles out
    session.running.add(running);
    let answer: string;
    try {
      answer = await play(stream, script(req), params.sessionId!, agentId, agentId === 'slow', paused);
    } finally {
      session.running.delete(running);
    }
    session.pendingInvocationId = paused.invocationId;
    session.turns.push({ role: 'user', content: req.inputText }, { role: 'assistant', content: answer });
    providerSessions.touch(session);
    if (body.endSession === true) providerSessions.stop(session.key);
  }

  /** HTTP/1.1: the AgentCore operations (and the request log). */
  async function handleHttp1(req: http.IncomingMessage, res: ServerResponse) {
    res.on('error', () => undefined);
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === '/_emulator/requests') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(recorded));
    }
    if (await handleMemory({ record: (r) => recorded.push({ ...r, at: new Date().toISOString() }), store: memory }, req, res)) return;
    const handled = await handleAgentCore(
      {
        record: (r) => recorded.push({ ...r, at: new Date().toISOString() }),
        sessions: providerSessions,
        options: (): AgentCoreOptions => ({ chunkDelayMs: options.chunkDelayMs, silentMs: options.silentMs }),
        closing: () => closing,
        streams,
      },
      req,
      res,
    );
    if (!handled) sendJsonError(res, 404, 'ResourceNotFoundException', `No route ${req.method} ${req.url}`);
  }

  const h2 = http2.createServer();
  h2.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  h2.on('stream', (stream, headers) => {
    stream.on('error', () => undefined); // a client that goes away mid-answer is normal
    handle(stream, headers).catch((err) => sendError(stream, 500, 'InternalServerException', String(err)));
  });
  const h1 = http.createServer((req, res) => {
    handleHttp1(req, res).catch((err) => sendJsonError(res, 500, 'InternalServerException', String(err)));
  });
  // One port for both: an HTTP/2 connection starts with its preface ("PRI * HTTP/2.0…"), HTTP/1.1 with a method.
  // TCP_NODELAY: node:http servers set it, a plain net.Server does not; without it the small event-stream
  // frames wait for the client's delayed ACK (~40 ms), a latency no AWS endpoint has.
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      if (head.length < HTTP2_PREFACE.length && HTTP2_PREFACE.subarray(0, head.length).equals(head)) return; // not sure yet
      socket.off('data', onData);
      const isH2 = head.subarray(0, HTTP2_PREFACE.length).equals(HTTP2_PREFACE);
      if (isH2) {
        // http2 reads the socket's native handle, past any unshifted bytes: give it a stream that replays them.
        h2.emit('connection', replaying(socket, head));
      } else {
        socket.pause();
        socket.unshift(head);
        h1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  return {
    endpoint,
    runtimeEndpoint: endpoint,
    agentCoreEndpoint: endpoint,
    port,
    lastRequest: () => recorded[recorded.length - 1],
    requests: () => [...recorded],
    reset: () => void (recorded.length = 0),
    configure: (changes) => {
      for (const [k, v] of Object.entries(changes)) if (typeof v === 'number') options[k as keyof EmulatorOptions] = v;
    },
    providerSessions: () => providerSessions.list(),
    expireSessions: (prefix) => providerSessions.expire(prefix),
    activeStreams: () => streams.size,
    memory,
    close: async () => {
      closing = true;
      for (const s of sessions) s.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export { echoAnswer };
