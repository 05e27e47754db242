/**
 * The deployed tier's Lambda runtime itself (./lambda.ts, ./runtime-api.ts): small handlers, written as the
 * bundles are (ESM index.mjs), run under aws-lambda-ric behind the API Gateway emulation. What the home-made
 * `awslambda` emulation this replaced let through: a streaming handler that ends its stream with `end(chunk)`
 * or `end()` and no write sends no prelude in Lambda (the client writes it before the first `write` only), so
 * API Gateway cannot read status and headers — a 502. Also what Lambda does with errors, crashes, timeouts
 * and oversized answers.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './gateway';
import { type FunctionDef, LambdaService } from './lambda';

const STREAMER = `
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const mode = event.queryStringParameters.mode;
  const out = awslambda.HttpResponseStream.from(responseStream, { statusCode: 201, headers: { 'content-type': 'text/plain', 'x-mode': mode } });
  if (mode === 'write-end') { out.write('a'); out.write('b'); out.end(); }
  else if (mode === 'write-end-chunk') { out.write('a'); out.end('b'); }
  else if (mode === 'end-chunk') out.end('ab');
  else if (mode === 'end-empty') out.end();
  else if (mode === 'fail-mid') { out.write('a'); await new Promise((r) => setTimeout(r, 10)); throw new Error('broke mid-stream'); }
});
`;
const BUFFERED = `
export const handler = async (event) => {
  const mode = event.queryStringParameters.mode;
  if (mode === 'throw') throw new TypeError('bad input here');
  if (mode === 'crash') { setImmediate(() => { throw new Error('crashed'); }); return new Promise(() => {}); }
  if (mode === 'sleep') return new Promise((resolve) => setTimeout(resolve, 60_000));
  if (mode === 'big') return { statusCode: 200, body: 'x'.repeat(7 * 1024 * 1024) };
  console.log('answering', mode);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pid: process.pid, node: process.version, env: process.env.AWS_EXECUTION_ENV }) };
};
`;

const uri = (fn: string, streaming: boolean) => ({
  'Fn::Join': [
    '',
    [
      `arn:aws:apigateway:us-east-1:lambda:path/${streaming ? '2021-11-15' : '2015-03-31'}/functions/`,
      { 'Fn::GetAtt': [fn, 'Arn'] },
      streaming ? '/response-streaming-invocations' : '/invocations',
    ],
  ],
});
const TEMPLATE = {
  Resources: {
    Stage: { Type: 'AWS::ApiGateway::Stage', Properties: { StageName: 'test' } },
    StreamRes: { Type: 'AWS::ApiGateway::Resource', Properties: { PathPart: 'stream' } },
    BufferedRes: { Type: 'AWS::ApiGateway::Resource', Properties: { PathPart: 'buffered' } },
    StreamGet: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'GET',
        ResourceId: { Ref: 'StreamRes' },
        AuthorizationType: 'NONE',
        Integration: { Type: 'AWS_PROXY', Uri: uri('Streamer', true), ResponseTransferMode: 'STREAM' },
      },
    },
    BufferedGet: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'GET',
        ResourceId: { Ref: 'BufferedRes' },
        AuthorizationType: 'NONE',
        Integration: { Type: 'AWS_PROXY', Uri: uri('Buffered', false) },
      },
    },
  },
};

let dir: string;
let lambda: LambdaService;
let gateway: Gateway;
const get = (path: string) => gateway.request({ method: 'GET', path });
const last = () => lambda.invocations.at(-1)!;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pika-runtime-'));
  const fn = (logicalId: string, code: string, timeoutSeconds: number): [string, FunctionDef] => {
    mkdirSync(join(dir, logicalId));
    writeFileSync(join(dir, logicalId, 'index.mjs'), code);
    return [logicalId, { logicalId, dir: join(dir, logicalId), handler: 'index.handler', timeoutSeconds, memoryMb: 256, environment: {} }];
  };
  // Buffered's timeout is what 'sleep' waits for; the handlers answer at once otherwise.
  lambda = new LambdaService(new Map([fn('Streamer', STREAMER, 10), fn('Buffered', BUFFERED, 2)]), { AWS_REGION: 'us-east-1' });
  gateway = new Gateway(TEMPLATE, lambda);
});
afterAll(async () => {
  await lambda?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('response streaming under aws-lambda-ric', () => {
  it('writes then end(), or end(chunk) after a write: the prelude goes before the first write — status, headers, body', async () => {
    for (const mode of ['write-end', 'write-end-chunk']) {
      const r = await get(`/stream?mode=${mode}`);
      expect(r.integrationError, mode).toBeUndefined();
      expect(r).toMatchObject({ status: 201, headers: { 'content-type': 'text/plain', 'x-mode': mode }, body: 'ab' });
    }
  });

  it('end(chunk) or end() without a write: no prelude reaches API Gateway, a 502 (the old emulation answered 201)', async () => {
    for (const mode of ['end-chunk', 'end-empty']) {
      const r = await get(`/stream?mode=${mode}`);
      expect(r.status, mode).toBe(502);
      expect(r.integrationError).toMatch(/no prelude delimiter/);
      expect(r.headers['x-mode']).toBeUndefined();
    }
  });

  it('a handler that throws after its first write: the error trailers end the invocation as an error, the client has the bytes before it', async () => {
    const r = await get('/stream?mode=fail-mid');
    expect(r).toMatchObject({ status: 201, body: 'a', integrationError: 'function error mid-stream: Error' });
    expect(last()).toMatchObject({ functionId: 'Streamer', outcome: 'error', error: { errorType: 'Error', errorMessage: 'broke mid-stream' } });
  });
});

describe('buffered invocations under aws-lambda-ric', () => {
  it('runs the handler on the runtime’s Node.js with the runtime’s console format, warm across invocations', async () => {
    const a = await get('/buffered?mode=ok');
    expect(a.status).toBe(200);
    const body = JSON.parse(a.body);
    expect(body.node).toMatch(/^v24\./);
    expect(body.env).toBe('AWS_Lambda_nodejs24.x');
    expect(JSON.parse((await get('/buffered?mode=ok')).body).pid).toBe(body.pid);
    // console.log as the managed runtime writes it: timestamp, request id, level, message.
    expect(lambda.output.get('Buffered')).toContainEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\tINFO\tanswering ok$/));
  });

  it('a thrown error is an invocation error with its type and message (API Gateway: 502); the environment stays warm', async () => {
    const pid = JSON.parse((await get('/buffered?mode=ok')).body).pid;
    expect((await get('/buffered?mode=throw')).status).toBe(502);
    expect(last()).toMatchObject({ outcome: 'error', error: { errorType: 'TypeError', errorMessage: 'bad input here' } });
    expect(JSON.parse((await get('/buffered?mode=ok')).body).pid).toBe(pid);
  });

  it('a crash (uncaught exception) is Runtime.ExitError and the next invocation is a cold start', async () => {
    const pid = JSON.parse((await get('/buffered?mode=ok')).body).pid;
    expect((await get('/buffered?mode=crash')).status).toBe(502);
    expect(last()).toMatchObject({ outcome: 'error', error: { errorType: 'Runtime.ExitError', errorMessage: expect.stringMatching(/exit status 1$/) } });
    expect(JSON.parse((await get('/buffered?mode=ok')).body).pid).not.toBe(pid);
  });

  it('a timeout is the gateway’s 504 and a new environment; an answer over 6 MB is Function.ResponseSizeTooLarge', async () => {
    const pid = JSON.parse((await get('/buffered?mode=ok')).body).pid;
    expect(await get('/buffered?mode=sleep')).toMatchObject({ status: 504, gatewayResponse: 'INTEGRATION_TIMEOUT' });
    expect(last().outcome).toBe('timeout');
    expect(JSON.parse((await get('/buffered?mode=ok')).body).pid).not.toBe(pid);
    expect((await get('/buffered?mode=big')).status).toBe(502);
    expect(last()).toMatchObject({ outcome: 'error', error: { errorType: 'Function.ResponseSizeTooLarge' } });
  });
});
