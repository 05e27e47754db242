/**
 * Streaming overhead per agent kind (Agents Classic `bedrock-agent`, `inline`; AgentCore `agentcore-harness`,
 * `agentcore-runtime`): time to first chunk (TTFC) through POST /converse (SSE) against, interleaved,
 *  - direct: the same emulator echo agent read with the same SDK client, called directly;
 *  - floor: the direct stream preceded by the raw DynamoDB requests a turn cannot skip before the provider
 *    call — the context read (BatchGetItem of the session and the user) and the durable user-message write
 *    (TransactWriteItems: message Put + session Update of the turn bookkeeping) — issued with the handlers'
 *    own document client. The turn's activity re-sort is not in it: converse makes it after the answer.
 *  - handler: the converse Lambda handler invoked in-process on a response stream with the API Gateway event
 *    (what a Lambda invocation runs), without the local HTTP server standing in for API Gateway.
 * Relay overhead = converse TTFC − floor TTFC, through local HTTP and in-process. Chunks in must equal chunks out.
 */
import { Writable } from 'node:stream';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { BedrockAgentRuntimeClient, InvokeAgentCommand, InvokeInlineAgentCommand } from '@aws-sdk/client-bedrock-agent-runtime';
import { BedrockAgentCoreClient, InvokeAgentRuntimeCommand, InvokeHarnessCommand } from '@aws-sdk/client-bedrock-agentcore';
import { BatchGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { readServerSentEvents } from 'pika-shared/client';
import { ddb, tableName } from '../functions/data/client';
import { keys } from '../functions/data/keys';
import { emulatorHarnessArn, emulatorRuntimeArn } from '../scripts/agent-emulator';
import { uniqueId } from '../scripts/local/ids';
import { lambdaContext } from '../scripts/local/lambda-context';
import type { BenchStack } from './stack';
import { percentile } from './stats';

export const KINDS = ['bedrock-agent', 'inline', 'agentcore-harness', 'agentcore-runtime'] as const;
export type Kind = (typeof KINDS)[number];

const AGENT: Record<Kind, Record<string, unknown>> = {
  'bedrock-agent': { kind: 'bedrock-agent', bedrockAgentId: 'echo', bedrockAgentAliasId: 'TSTALIASID' },
  inline: {
    kind: 'inline',
    foundationModel: 'anthropic.claude-3-haiku-20240307-v1:0',
    instruction: 'You are the local emulator echo agent; answer as it does.',
    agentName: 'echo',
  },
  'agentcore-harness': { kind: 'agentcore-harness', harnessArn: emulatorHarnessArn('echo') },
  'agentcore-runtime': { kind: 'agentcore-runtime', agentRuntimeArn: emulatorRuntimeArn('echo') },
};

interface Sample {
  firstChunkMs: number;
  /** API only: from the `session` event (pre-stream work done) to the first chunk. */
  relayFirstMs: number;
  totalMs: number;
  chunks: number;
}

export interface Clients {
  agents: BedrockAgentRuntimeClient;
  core: BedrockAgentCoreClient;
}

const providerSession = () => `pika-${uniqueId('bench-direct')}-0123456789abcdef`; // ≥ 33 characters, as AgentCore wants

/** The same emulator echo agent, called directly with the same SDK client the adapter uses; `t0` is when the turn started. */
export async function directStream(kind: Kind, c: Clients, message: string, t0: number): Promise<{ first: number; chunks: number }> {
  let first = NaN;
  let chunks = 0;
  const hit = () => {
    if (!chunks++) first = performance.now() - t0;
  };
  const attributes = { userId: 'bench', chatAppId: 'bench' };
  if (kind === 'bedrock-agent' || kind === 'inline') {
    const common = { sessionId: uniqueId('direct'), inputText: message, enableTrace: true, streamingConfigurations: { streamFinalResponse: true } };
    const out =
      kind === 'bedrock-agent'
        ? await c.agents.send(
            new InvokeAgentCommand({ ...common, agentId: 'echo', agentAliasId: 'TSTALIASID', sessionState: { sessionAttributes: attributes } }),
          )
        : await c.agents.send(
            new InvokeInlineAgentCommand({
              ...common,
              foundationModel: AGENT.inline.foundationModel as string,
              instruction: AGENT.inline.instruction as string,
              agentName: 'echo',
              inlineSessionState: { sessionAttributes: attributes },
            }),
          );
    for await (const e of out.completion!) if (e.chunk?.bytes) hit();
  } else if (kind === 'agentcore-harness') {
    const out = await c.core.send(
      new InvokeHarnessCommand({
        harnessArn: emulatorHarnessArn('echo'),
        runtimeSessionId: providerSession(),
        runtimeUserId: 'bench',
        messages: [{ role: 'user', content: [{ text: JSON.stringify(attributes) }, { text: message }] }],
      }),
    );
    for await (const e of out.stream!) if (typeof e.contentBlockDelta?.delta?.text === 'string' && e.contentBlockDelta.delta.text) hit();
  } else {
    const out = await c.core.send(
      new InvokeAgentRuntimeCommand({
        agentRuntimeArn: emulatorRuntimeArn('echo'),
        runtimeSessionId: providerSession(),
        runtimeUserId: 'bench',
        contentType: 'application/json',
        accept: 'text/event-stream, application/json;q=0.9, text/plain;q=0.8',
        payload: new TextEncoder().encode(JSON.stringify({ prompt: message, sessionAttributes: attributes })),
      }),
    );
    // A chunk is a complete SSE text event (the emulator writes each event in two halves).
    const decoder = new TextDecoder();
    let buf = '';
    for await (const bytes of out.response as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(bytes, { stream: true });
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        if (buf.slice(0, end).includes('"type":"text"')) hit();
        buf = buf.slice(end + 2);
      }
    }
  }
  return { first, chunks };
}

async function direct(kind: Kind, c: Clients, message: string): Promise<Sample> {
  const t0 = performance.now();
  const { first, chunks } = await directStream(kind, c, message, t0);
  return { firstChunkMs: first, relayFirstMs: first, totalMs: performance.now() - t0, chunks };
}

/** The floor: the raw requests a turn cannot skip before the provider call, then the direct stream. */
export async function floor(kind: Kind, c: Clients, message: string, ctx: { sessionId: string; userId: string }): Promise<Sample> {
  const t0 = performance.now();
  const table = tableName();
  await ddb().send(new BatchGetCommand({ RequestItems: { [table]: { Keys: [keys.session(ctx.sessionId), keys.user(ctx.userId)], ConsistentRead: true } } }));
  const now = new Date().toISOString();
  const messageId = uniqueId('m');
  await ddb().send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: table,
            Item: {
              ...keys.message(ctx.sessionId, messageId),
              messageId,
              sessionId: ctx.sessionId,
              userId: ctx.userId,
              role: 'user',
              content: message,
              createDate: now,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: table,
            Key: keys.session(ctx.sessionId),
            // The turn holds the session (turns.ts turnStarted, sessionFree); the activity re-sort comes after the answer.
            UpdateExpression: 'SET turnId = :turn, turnLeaseUntil = :until',
            ConditionExpression: 'attribute_exists(pk) AND userId = :user AND (attribute_not_exists(turnId) OR turnLeaseUntil < :now)',
            ExpressionAttributeValues: { ':turn': `floor-${now}`, ':until': new Date(Date.now() - 1).toISOString(), ':now': now, ':user': ctx.userId },
          },
        },
      ],
    }),
  );
  const { first, chunks } = await directStream(kind, c, message, t0);
  return { firstChunkMs: first, relayFirstMs: NaN, totalMs: performance.now() - t0, chunks };
}

/** A Lambda response stream stand-in that notes when the first `chunk` event is written. */
class TimingStream extends Writable {
  first = NaN;
  chunks = 0;
  failed = '';
  constructor(private readonly started: number) {
    super();
  }
  setPrelude(_prelude: unknown) {}
  override _write(data: Buffer, _enc: BufferEncoding, done: () => void) {
    const text = data.toString();
    const events = text.match(/^event: chunk$/gm)?.length ?? 0;
    if (events && !this.chunks) this.first = performance.now() - this.started;
    this.chunks += events;
    if (/^event: error$/m.test(text)) this.failed = text;
    done();
  }
}

type StreamingHandler = (event: APIGatewayProxyEvent, stream: Writable, context: Context) => Promise<void>;

/** The converse handler invoked in-process, as the Lambda runtime invokes it, on a response stream. */
export async function viaHandler(handler: StreamingHandler, context: () => Context, token: string, sessionId: string, message: string): Promise<Sample> {
  const started = performance.now();
  const stream = new TimingStream(started);
  const event = {
    resource: '/converse',
    path: '/converse',
    httpMethod: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: JSON.stringify({ sessionId, message }),
    isBase64Encoded: false,
    requestContext: { requestId: 'bench' } as APIGatewayProxyEvent['requestContext'],
  } as APIGatewayProxyEvent;
  await handler(event, stream, context());
  if (stream.failed) throw new Error(`converse error: ${stream.failed}`);
  return { relayFirstMs: NaN, firstChunkMs: stream.first, totalMs: performance.now() - started, chunks: stream.chunks };
}

export async function viaApi(url: string, token: string, sessionId: string, message: string): Promise<Sample> {
  const started = performance.now();
  const res = await fetch(`${url}/converse`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId, message }),
  });
  let first = NaN;
  let sessionAt = NaN;
  let chunks = 0;
  for await (const e of readServerSentEvents(res.body!)) {
    if (e.event === 'session') sessionAt = performance.now() - started;
    if (e.event === 'chunk' && !chunks++) first = performance.now() - started;
    if (e.event === 'error') throw new Error(`converse error: ${JSON.stringify(e.data)}`);
  }
  return { relayFirstMs: first - sessionAt, firstChunkMs: first, totalMs: performance.now() - started, chunks };
}

const jsonHeaders = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

export async function setupKind(stack: BenchStack, kind: Kind, admin: string, userId: string, token: string) {
  const agentId = `bench-${kind}`;
  const chatAppId = `bench-app-${kind}`;
  const put = await fetch(`${stack.api.url}/admin/agents/${agentId}`, {
    method: 'PUT',
    headers: jsonHeaders(admin),
    body: JSON.stringify({ agent: AGENT[kind], pricing: { inputPer1kTokens: 0.003, outputPer1kTokens: 0.015 } }),
  });
  if (put.status !== 200) throw new Error(`PUT agent ${kind}: ${put.status} ${await put.text()}`);
  const app = await fetch(`${stack.api.url}/admin/chat-apps/${chatAppId}`, {
    method: 'PUT',
    headers: jsonHeaders(admin),
    body: JSON.stringify({ title: kind, enabled: true, agentId }),
  });
  if (app.status !== 200) throw new Error(`PUT chat app ${kind}: ${app.status} ${await app.text()}`);
  // Sessions titled up front so no title generation runs during the measurement; the floor writes to its own.
  const session = async () => {
    const r = await fetch(`${stack.api.url}/sessions`, { method: 'POST', headers: jsonHeaders(token), body: JSON.stringify({ chatAppId, title: 'bench' }) });
    return ((await r.json()) as { sessionId: string }).sessionId;
  };
  return { apiSession: await session(), floorSession: { sessionId: await session(), userId } };
}

export interface KindResult {
  kind: Kind;
  api: number[];
  floor: number[];
  direct: number[];
  handler: number[];
  apiFirst: { p50: number; p99: number };
  handlerFirst: { p50: number; p99: number };
  directFirst: { p50: number; p99: number };
  floorFirst: { p50: number; p99: number };
  apiRelayFirst: { p50: number; p99: number };
  apiTotal: { p50: number; p99: number };
  directTotal: { p50: number; p99: number };
  chunksEqual: boolean;
  chunksPerAnswer: number;
}

export async function converseOverhead(stack: BenchStack, n: number) {
  const userId = 'bench-converse';
  const token = await stack.token(userId);
  const admin = await stack.token('bench-admin', ['pika:site-admin']);
  const creds = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  const c: Clients = {
    agents: new BedrockAgentRuntimeClient({ endpoint: stack.emulator.endpoint, ...creds }),
    core: new BedrockAgentCoreClient({ endpoint: stack.emulator.endpoint, ...creds }),
  };
  const message = 'How long will my order take to arrive in Lisbon?';
  const ctx = Object.fromEntries(await Promise.all(KINDS.map(async (k) => [k, await setupKind(stack, k, admin, userId, token)] as const))) as Record<
    Kind,
    Awaited<ReturnType<typeof setupKind>>
  >;
  type Samples = { api: Sample[]; floor: Sample[]; direct: Sample[]; handler: Sample[] };
  const fresh = (): Samples => ({ api: [], floor: [], direct: [], handler: [] });
  const samples = Object.fromEntries(KINDS.map((k) => [k, fresh()])) as Record<Kind, Samples>;
  // The local stack runs in this process and has installed the runtime's `awslambda` stand-in (scripts/local/streaming.ts).
  const converseHandler = (await import('../functions/handlers/converse')).handler as StreamingHandler;
  // A fresh context per invocation, as Lambda gives: its remaining time counts from the invocation's start.
  const context = () => lambdaContext('bench-converse');
  const runners = (k: Kind) => [
    async () => samples[k].handler.push(await viaHandler(converseHandler, context, token, ctx[k].apiSession, message)),
    async () => samples[k].direct.push(await direct(k, c, message)),
    async () => samples[k].floor.push(await floor(k, c, message, ctx[k].floorSession)),
    async () => samples[k].api.push(await viaApi(stack.api.url, token, ctx[k].apiSession, message)),
  ];
  const warmup = 8;
  for (let i = 0; i < warmup + n; i++) {
    // Interleaved: every round runs each kind's four measurements, the order rotated each round.
    const order = KINDS.flatMap((k) => runners(k));
    const shift = i % order.length;
    for (const run of [...order.slice(shift), ...order.slice(0, shift)]) await run();
    if (i === warmup - 1) for (const k of KINDS) samples[k] = fresh();
  }
  c.agents.destroy();
  c.core.destroy();
  const q = (xs: Sample[], key: keyof Sample) => ({
    p50: percentile(
      xs.map((x) => x[key]),
      50,
    ),
    p99: percentile(
      xs.map((x) => x[key]),
      99,
    ),
  });
  const kinds: KindResult[] = KINDS.map((kind) => {
    const s = samples[kind];
    return {
      kind,
      api: s.api.map((x) => x.firstChunkMs),
      floor: s.floor.map((x) => x.firstChunkMs),
      direct: s.direct.map((x) => x.firstChunkMs),
      handler: s.handler.map((x) => x.firstChunkMs),
      apiFirst: q(s.api, 'firstChunkMs'),
      handlerFirst: q(s.handler, 'firstChunkMs'),
      directFirst: q(s.direct, 'firstChunkMs'),
      floorFirst: q(s.floor, 'firstChunkMs'),
      apiRelayFirst: q(s.api, 'relayFirstMs'),
      apiTotal: q(s.api, 'totalMs'),
      directTotal: q(s.direct, 'totalMs'),
      chunksEqual: s.api.every((x, i) => x.chunks === s.direct[i]!.chunks) && s.handler.every((x, i) => x.chunks === s.direct[i]!.chunks),
      chunksPerAnswer: s.direct[0]?.chunks ?? 0,
    };
  });
  return { n, kinds };
}
