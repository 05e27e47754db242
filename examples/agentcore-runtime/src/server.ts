/**
 * The HTTP contract of an AgentCore Runtime agent container: `POST /invocations` (the body is the payload the
 * caller sent to InvokeAgentRuntime; the runtime session id arrives in the
 * `X-Amzn-Bedrock-AgentCore-Runtime-Session-Id` header) and `GET /ping` (health). Plain `node:http`, no framework.
 *
 * The Pika chat backend sends `{ prompt, sessionAttributes, history?, files? }` (pika-shared's
 * `encodeAgentRuntimePayload`) and reads a `text/event-stream` answer: `sseText` deltas, one `sseUsage`, and
 * `sseError` when the agent fails (the chat turn then ends as failed, with that message).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AgentRuntimePayloadError, parseAgentRuntimePayload, sseError, sseText, sseUsage } from 'pika-shared/util/agentcore';
import { SessionMemory } from './memory.js';
import { toyModel, type Model } from './model.js';

export const SESSION_ID_HEADER = 'x-amzn-bedrock-agentcore-runtime-session-id';
/** Larger request bodies are refused (413); the chat backend's payloads are far smaller. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface AgentServerOptions {
  model?: Model;
  /** MAX_PAYLOAD_BYTES by default. */
  maxPayloadBytes?: number;
  /** One JSON line per event on stdout by default (the runtime sends stdout to CloudWatch Logs). */
  log?: (entry: Record<string, unknown>) => void;
}

const defaultLog = (entry: Record<string, unknown>) => console.log(JSON.stringify({ time: new Date().toISOString(), ...entry }));

class PayloadTooLarge extends Error {}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new PayloadTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

async function invocation(req: IncomingMessage, res: ServerResponse, options: Required<AgentServerOptions>, memory: SessionMemory) {
  const { model, log, maxPayloadBytes } = options;
  const header = req.headers[SESSION_ID_HEADER];
  const runtimeSessionId = typeof header === 'string' ? header : undefined;
  let body: Buffer;
  try {
    body = await readBody(req, maxPayloadBytes);
  } catch (err) {
    if (!(err instanceof PayloadTooLarge)) throw err;
    res.writeHead(413, { ...SSE_HEADERS, connection: 'close' }).end(sseError(`The payload is larger than ${maxPayloadBytes} bytes`));
    return;
  }
  let payload: ReturnType<typeof parseAgentRuntimePayload>;
  try {
    payload = parseAgentRuntimePayload(body);
  } catch (err) {
    if (!(err instanceof AgentRuntimePayloadError)) throw err;
    // A 400, with the reason as the error event the chat backend understands.
    log({ level: 'warn', msg: 'bad payload', runtimeSessionId, error: err.message });
    res.writeHead(400, SSE_HEADERS).end(sseError(err.message));
    return;
  }

  // The caller going away (the user stopped the answer; StopRuntimeSession) stops the model.
  const stop = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) stop.abort(new Error('The caller closed the connection'));
  });
  const { session } = payload;
  log({
    level: 'info',
    msg: 'invocation',
    runtimeSessionId,
    userId: session.userId,
    chatAppId: session.chatAppId,
    sessionId: session.sessionId,
    historyTurns: payload.history.length,
  });
  const history = memory.earlierTurns(runtimeSessionId, payload.history);

  res.writeHead(200, SSE_HEADERS);
  // Waits for a slow reader (the response buffer is full) instead of buffering the whole answer in memory.
  const send = async (event: string) => {
    if (!res.write(event)) await once(res, 'drain', { signal: stop.signal });
  };
  let answer = '';
  let failed = false;
  try {
    for await (const event of model({ ...payload, history, runtimeSessionId, signal: stop.signal })) {
      if (stop.signal.aborted) break;
      if (event.type === 'text' && event.text) {
        answer += event.text;
        await send(sseText(event.text));
      }
      // Several usage events (an agent loop calling its model more than once) are summed by the chat backend.
      else if (event.type === 'usage') await send(sseUsage(event.usage));
    }
  } catch (err) {
    failed = true;
    if (!stop.signal.aborted) {
      const message = err instanceof Error ? err.message : String(err);
      log({ level: 'error', msg: 'model failed', runtimeSessionId, error: message });
      // The text streamed so far stays; the chat turn ends as failed with this message (shown to the user).
      res.write(sseError(`The agent failed: ${message}`));
    }
  }
  if (stop.signal.aborted) log({ level: 'info', msg: 'stopped by the caller', runtimeSessionId });
  else if (!failed) memory.remember(runtimeSessionId, payload.prompt, answer);
  res.end();
}

/** The agent's HTTP server (not listening yet): `createAgentServer().listen(8080, '0.0.0.0')`. */
export function createAgentServer(options: AgentServerOptions = {}): Server {
  const resolved: Required<AgentServerOptions> = {
    model: options.model ?? toyModel,
    log: options.log ?? defaultLog,
    maxPayloadBytes: options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES,
  };
  const { log } = resolved;
  const memory = new SessionMemory();
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://agent').pathname;
    if (path === '/ping') {
      if (req.method !== 'GET') return json(res, 405, { error: 'Method not allowed' });
      // "HealthyBusy" (with `time_of_last_update`) would tell the runtime this session still works in the background.
      return json(res, 200, { status: 'Healthy' });
    }
    if (path === '/invocations') {
      if (req.method !== 'POST') return json(res, 405, { error: 'Method not allowed' });
      invocation(req, res, resolved, memory).catch((err: unknown) => {
        log({ level: 'error', msg: 'invocation failed', error: err instanceof Error ? err.message : String(err) });
        if (!res.headersSent) res.writeHead(500, SSE_HEADERS);
        res.end(sseError('The agent failed'));
      });
      return;
    }
    json(res, 404, { error: 'Not found' });
  });
}
