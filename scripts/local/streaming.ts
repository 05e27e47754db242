/**
 * Lambda response streaming on the local server: a stand-in for the runtime's `awslambda` global
 * (streamifyResponse, HttpResponseStream.from) whose response stream writes straight to the HTTP response,
 * so tests see the same bytes, as early, as through API Gateway's streaming integration.
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { RouteDef } from '../../functions/http/routes';
import { lambdaContext } from './lambda-context';

type StreamingHandler = (event: APIGatewayProxyEvent, stream: LocalResponseStream, context: Context) => Promise<void>;

export class LocalResponseStream extends Writable {
  constructor(private readonly res: ServerResponse) {
    super();
    res.on('close', () => {
      if (!res.writableFinished) this.destroy();
    });
  }

  setPrelude(prelude: { statusCode: number; headers?: Record<string, string> }) {
    if (!this.res.headersSent) this.res.writeHead(prelude.statusCode, prelude.headers ?? {});
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void) {
    if (!this.res.headersSent) this.res.writeHead(200, { 'content-type': 'application/octet-stream' });
    this.res.write(chunk, () => done());
  }

  override _final(done: (err?: Error | null) => void) {
    this.res.end(() => done());
  }
}

// Other libraries (Powertools' invoke store) may have created `awslambda` already: add to it.
const g = globalThis as { awslambda?: Record<string, unknown> };
const runtime = (g.awslambda ??= {});
runtime.streamifyResponse ??= (fn: StreamingHandler) => fn;
runtime.HttpResponseStream ??= {
  from(stream: LocalResponseStream, prelude: { statusCode: number; headers?: Record<string, string> }) {
    stream.setPrelude(prelude);
    return stream;
  },
};

const handlers = new Map<string, Promise<StreamingHandler>>();
const MODULES: Record<string, () => Promise<{ handler: unknown }>> = {
  converse: () => import('../../functions/handlers/converse'),
};

export const streamingHandlers = {
  async serve(route: RouteDef, event: APIGatewayProxyEvent, res: ServerResponse): Promise<void> {
    if (!handlers.has(route.group))
      handlers.set(
        route.group,
        MODULES[route.group]!().then((m) => m.handler as StreamingHandler),
      );
    const handler = await handlers.get(route.group)!;
    const stream = new LocalResponseStream(res);
    // The function's timeout, as deployed (stage converseTimeoutSeconds); CONVERSE_TIMEOUT_SECONDS locally.
    await handler(event, stream, lambdaContext(`pika-${route.group}`, Number(process.env.CONVERSE_TIMEOUT_SECONDS ?? 300) * 1000));
    // Like the runtime: the response ends when the handler has ended its stream and every write is flushed.
    if (!stream.writableEnded) stream.end();
    await finished(stream).catch(() => undefined);
    if (!res.writableEnded) res.end();
  },
};
