/**
 * The Lambda Runtime API (version 2018-06-01) of one execution environment, on loopback: what the Lambda
 * service answers the runtime interface client in the sandbox (aws-lambda-ric, ./lambda.ts). Documented
 * protocol, nothing more: GET /runtime/invocation/next holds until an invocation is handed over (event as the
 * body; request id, deadline, function ARN and trace id as headers); POST /runtime/invocation/{id}/response
 * (buffered, at most 6 MB, or `Lambda-Runtime-Function-Response-Mode: streaming` with chunked transfer and
 * the error trailers); POST /runtime/invocation/{id}/error; POST /runtime/init/error. One invocation at a time.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FunctionError {
  errorType: string;
  errorMessage: string;
}

/** What the runtime posted for an invocation. */
export type RuntimeOutcome =
  | { kind: 'result'; body: Buffer }
  | { kind: 'stream'; contentType: string; chunks: Uint8Array[]; error?: FunctionError }
  | { kind: 'error'; error: FunctionError };

export interface PendingInvocation {
  requestId: string;
  event: unknown;
  functionArn: string;
  timeoutMs: number;
  /** Called when the runtime takes the invocation (its /next answered): the function's timeout runs from there. */
  onDelivered(deadlineMs: number): void;
}

/** Lambda's limit on a buffered (synchronous) response. */
export const MAX_BUFFERED_RESPONSE_BYTES = 6 * 1024 * 1024;
const PREFIX = '/2018-06-01/runtime';

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const readAll = async (req: IncomingMessage, limit = Number.POSITIVE_INFINITY): Promise<Buffer | undefined> => {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req as AsyncIterable<Buffer>) {
    size += part.length;
    if (size <= limit) parts.push(part);
  }
  return size <= limit ? Buffer.concat(parts) : undefined;
};
const errorOf = (body: Buffer | undefined, typeHeader: string | string[] | undefined): FunctionError => {
  let parsed: Partial<FunctionError> = {};
  try {
    parsed = JSON.parse(body?.toString('utf8') || '{}');
  } catch {
    // A body that is not JSON: the header still names the error.
  }
  return {
    errorType: String(parsed.errorType ?? typeHeader ?? 'Unknown'),
    errorMessage: String(parsed.errorMessage ?? ''),
  };
};
/** An X-Ray trace header, not sampled (nothing here collects traces). */
const traceId = () =>
  `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;

export class RuntimeApi {
  private readonly server: Server;
  private waiting: ServerResponse | undefined;
  private queued: PendingInvocation | undefined;
  private current: { inv: PendingInvocation; settle(o: RuntimeOutcome): void } | undefined;
  private settleQueued: ((o: RuntimeOutcome) => void) | undefined;
  /** The init error the runtime reported (then it exits). */
  initError: FunctionError | undefined;

  private constructor() {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((err) => {
        if (!res.headersSent) json(res, 500, { errorType: 'ServiceException', errorMessage: String(err) });
        else res.destroy();
      });
    });
  }

  static async start(): Promise<RuntimeApi> {
    const api = new RuntimeApi();
    await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  /** The value of AWS_LAMBDA_RUNTIME_API. */
  get endpoint(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Hands an invocation to the runtime on its next /next; resolves with what the runtime posts for it. */
  invoke(inv: PendingInvocation): Promise<RuntimeOutcome> {
    if (this.queued || this.current) throw new Error('one invocation at a time per execution environment');
    return new Promise((resolve) => {
      this.queued = inv;
      this.settleQueued = resolve;
      if (this.waiting) this.deliver(this.waiting);
    });
  }

  /** Ends the invocation in flight (if any) with `error`: the environment died under it. */
  abandon(error: FunctionError): void {
    const settle = this.current?.settle ?? this.settleQueued;
    this.queued = undefined;
    this.settleQueued = undefined;
    settle?.({ kind: 'error', error }); // the current invocation's settle clears `current`
  }

  async close(): Promise<void> {
    this.waiting?.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private deliver(res: ServerResponse) {
    const inv = this.queued!;
    const settle = this.settleQueued!;
    this.queued = undefined;
    this.settleQueued = undefined;
    this.waiting = undefined;
    const deadlineMs = Date.now() + inv.timeoutMs;
    this.current = {
      inv,
      settle: (o) => {
        if (this.current?.inv !== inv) return;
        this.current = undefined;
        settle(o);
      },
    };
    res.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': inv.requestId,
      'lambda-runtime-deadline-ms': String(deadlineMs),
      'lambda-runtime-invoked-function-arn': inv.functionArn,
      'lambda-runtime-trace-id': traceId(),
    });
    res.end(JSON.stringify(inv.event));
    inv.onDelivered(deadlineMs);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0]!;
    if (req.method === 'GET' && path === `${PREFIX}/invocation/next`) {
      if (this.waiting) return json(res, 400, { errorType: 'InvalidStateTransition', errorMessage: 'a /next is already waiting' });
      this.waiting = res;
      res.on('close', () => {
        if (this.waiting === res) this.waiting = undefined;
      });
      if (this.queued) this.deliver(res);
      return;
    }
    if (req.method === 'POST' && path === `${PREFIX}/init/error`) {
      this.initError = errorOf(await readAll(req), req.headers['lambda-runtime-function-error-type']);
      json(res, 202, { status: 'OK' });
      return;
    }
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    if (req.method !== 'POST' || !m) return json(res, 404, { errorType: 'NotFound', errorMessage: `${req.method} ${path}` });
    const current = this.current;
    if (!current || decodeURIComponent(m[1]!) !== current.inv.requestId) {
      await readAll(req);
      return json(res, 400, { errorType: 'InvalidRequestID', errorMessage: 'Invalid request ID' });
    }
    if (m[2] === 'error') {
      const error = errorOf(await readAll(req), req.headers['lambda-runtime-function-error-type']);
      json(res, 202, { status: 'OK' });
      current.settle({ kind: 'error', error });
      return;
    }
    if (req.headers['lambda-runtime-function-response-mode'] === 'streaming') {
      const contentType = req.headers['content-type'] ?? 'application/octet-stream';
      // Flowing mode, one 'data' per piece the HTTP parser pushes: a chunk of the chunked body (one runtime
      // write) unless it straddles two socket reads. (An async iterator would merge what is buffered.)
      const chunks: Uint8Array[] = [];
      req.on('data', (part: Buffer) => chunks.push(new Uint8Array(part)));
      await new Promise<void>((resolve, reject) => req.once('end', resolve).once('error', reject));
      const type = req.trailers['lambda-runtime-function-error-type'];
      const body = req.trailers['lambda-runtime-function-error-body'];
      json(res, 202, { status: 'OK' });
      const error = type ? errorOf(body ? Buffer.from(body, 'base64') : undefined, type) : undefined;
      current.settle({ kind: 'stream', contentType, chunks, ...(error ? { error } : {}) });
      return;
    }
    const body = await readAll(req, MAX_BUFFERED_RESPONSE_BYTES);
    if (!body) {
      json(res, 413, { errorType: 'RequestEntityTooLarge', errorMessage: 'Response payload size exceeded maximum allowed payload size' });
      current.settle({
        kind: 'error',
        error: {
          errorType: 'Function.ResponseSizeTooLarge',
          errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_BUFFERED_RESPONSE_BYTES} bytes).`,
        },
      });
      return;
    }
    json(res, 202, { status: 'OK' });
    current.settle({ kind: 'result', body });
  }
}
