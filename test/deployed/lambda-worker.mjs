/**
 * One Lambda execution environment ("container") in a worker thread, doing what the Node.js 22 runtime
 * does: the `awslambda` global (streamifyResponse, HttpResponseStream.from with the 8-NUL-byte prelude
 * framing), an ESM import of the handler file from the asset directory at cold start, then one invocation
 * at a time. Plain JavaScript: it runs without the test's TypeScript loader. process.env is the worker's
 * own (the function's environment), stdout/stderr are piped to the parent. Not the runtime's, observation only:
 * each file of the asset directory the container loads (index.mjs, then chunks) is reported as it is resolved.
 */
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { join, sep } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

class ResponseStream extends Writable {
  constructor(id) {
    super();
    this.id = id;
    this.contentType = 'application/octet-stream';
    this.beforeFirstWrite = undefined;
  }
  setContentType(type) {
    this.contentType = type;
  }
  _write(chunk, _enc, done) {
    this.flushPrelude();
    parentPort.postMessage({ id: this.id, kind: 'chunk', contentType: this.contentType, chunk: new Uint8Array(chunk) });
    done();
  }
  _final(done) {
    this.flushPrelude();
    done();
  }
  flushPrelude() {
    const before = this.beforeFirstWrite;
    this.beforeFirstWrite = undefined;
    if (before) before((bytes) => parentPort.postMessage({ id: this.id, kind: 'chunk', contentType: this.contentType, chunk: typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes }));
  }
}

globalThis.awslambda = {
  ...(globalThis.awslambda ?? {}),
  streamifyResponse(handler) {
    handler[STREAMING] = 'response';
    return handler;
  },
  HttpResponseStream: {
    from(stream, prelude) {
      stream.setContentType(PRELUDE_CONTENT_TYPE);
      stream.beforeFirstWrite = (write) => {
        write(JSON.stringify(prelude));
        write(new Uint8Array(8));
      };
      return stream;
    },
  },
};

const { dir, handler: handlerSpec, functionName, memoryMb } = workerData;
const assetUrl = pathToFileURL(dir + sep).href;
const loaded = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    if (resolved.url.startsWith(assetUrl) && !loaded.has(resolved.url)) {
      loaded.add(resolved.url);
      parentPort.postMessage({ kind: 'module', file: resolved.url.slice(assetUrl.length) });
    }
    return resolved;
  },
});
if ((process.env.NODE_OPTIONS ?? '').includes('--enable-source-maps')) process.setSourceMapsEnabled(true);
const [file, exportName] = handlerSpec.split('.');
const path = ['.js', '.mjs', '.cjs'].map((ext) => join(dir, file + ext)).find((p) => existsSync(p));
if (!path) throw new Error(`no ${file}.js/.mjs/.cjs in ${dir}`);
const module = await import(pathToFileURL(path).href);
const handler = module[exportName];
if (typeof handler !== 'function') throw new Error(`${path} exports no function ${exportName}`);

const context = (requestId, deadline) => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:111122223333:function:${functionName}`,
  memoryLimitInMB: String(memoryMb),
  awsRequestId: requestId,
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'deployed-tier',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done() {},
  fail() {},
  succeed() {},
});

const errorOf = (err) => ({ errorType: err?.name ?? 'Error', errorMessage: err?.message ?? String(err) });

parentPort.on('message', async ({ id, event, deadline }) => {
  const ctx = context(id, deadline);
  try {
    if (handler[STREAMING] === 'response') {
      const stream = new ResponseStream(id);
      await handler(event, stream, ctx);
      if (!stream.writableEnded) stream.end();
      await new Promise((resolve) => (stream.writableFinished ? resolve() : stream.once('finish', resolve)));
      parentPort.postMessage({ id, kind: 'end' });
    } else {
      const result = await handler(event, ctx);
      parentPort.postMessage({ id, kind: 'result', result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
    }
  } catch (err) {
    parentPort.postMessage({ id, kind: 'error', error: errorOf(err) });
  }
});
parentPort.postMessage({ kind: 'ready' });
