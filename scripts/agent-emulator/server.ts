/**
 * A local Bedrock Agent Runtime (and Bedrock Runtime Converse) over HTTP/2 cleartext, the protocol the
 * real SDK clients speak: point `endpoint` at it. Every request is recorded for tests.
 */
import http2, { type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { AGENTS, echoAnswer, titleFor, type AgentRequest, type Step } from './agents';
import { chunkFrame, eventFrame, exceptionFrame } from './frames';

export interface RecordedRequest {
  operation: 'InvokeAgent' | 'InvokeInlineAgent' | 'Converse';
  path: string;
  params: Record<string, string>;
  body: any;
  headers: Record<string, string>;
  at: string;
}

export interface AgentEmulator {
  endpoint: string;
  /** The Bedrock Runtime (Converse) endpoint: the same server. */
  runtimeEndpoint: string;
  port: number;
  lastRequest(): RecordedRequest | undefined;
  requests(): RecordedRequest[];
  reset(): void;
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

export async function startAgentEmulator(opts: { port?: number; host?: string; chunkDelayMs?: number } = {}): Promise<AgentEmulator> {
  const recorded: RecordedRequest[] = [];
  const sessions = new Set<ServerHttp2Session>();
  const delay = opts.chunkDelayMs ?? 5;
  let closing = false;

  async function play(stream: ServerHttp2Stream, steps: Step[], sessionId: string, agentId: string, slow: boolean) {
    stream.respond({
      ':status': 200,
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-bedrock-agent-content-type': 'application/json',
      'x-amz-bedrock-agent-session-id': sessionId,
    });
    for (const step of steps) {
      if (stream.closed || closing) return;
      if (step.kind === 'hang') {
        await new Promise<void>((resolve) => {
          stream.once('close', resolve);
          const timer = setTimeout(resolve, 10 * 60_000);
          timer.unref();
        });
        return;
      }
      const frame =
        step.kind === 'chunk'
          ? chunkFrame(step.text)
          : step.kind === 'trace'
            ? eventFrame('trace', { agentId, agentAliasId: 'TSTALIASID', agentVersion: 'DRAFT', sessionId, eventTime: new Date().toISOString(), trace: step.trace })
            : exceptionFrame(step.type, step.message);
      stream.write(frame);
      if (step.kind === 'exception') break;
      await sleep(slow ? delay * 10 : delay);
    }
    if (!stream.closed) stream.end();
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
    const safeHeaders = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'authorization' && !k.startsWith(':')).map(([k, v]) => [k, String(v)]));
    recorded.push({ operation: route.op, path, params, body, headers: safeHeaders, at: new Date().toISOString() });

    if (route.op === 'Converse') {
      if (params.modelId === 'fail-title') return sendError(stream, 500, 'InternalServerException', 'The title model failed on purpose');
      if (params.modelId === 'hang-title') return; // never answers: the caller's deadline must end the call
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

    const agentId = route.op === 'InvokeInlineAgent' ? 'echo' : params.agentId!;
    const script = AGENTS[agentId];
    if (!script) return sendError(stream, 404, 'ResourceNotFoundException', `Agent ${agentId} not found`);
    const req: AgentRequest = {
      agentId,
      inputText: String(body.inputText ?? ''),
      sessionAttributes: body.sessionState?.sessionAttributes ?? body.inlineSessionState?.sessionAttributes ?? {},
      streamFinalResponse: Boolean(body.streamingConfigurations?.streamFinalResponse),
      enableTrace: Boolean(body.enableTrace),
    };
    await play(stream, script(req), params.sessionId!, agentId, agentId === 'slow');
  }

  const server = http2.createServer();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined); // a client that goes away mid-answer is normal
    handle(stream, headers).catch((err) => sendError(stream, 500, 'InternalServerException', String(err)));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  return {
    endpoint,
    runtimeEndpoint: endpoint,
    port,
    lastRequest: () => recorded[recorded.length - 1],
    requests: () => [...recorded],
    reset: () => void (recorded.length = 0),
    close: async () => {
      closing = true;
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export { echoAnswer };
