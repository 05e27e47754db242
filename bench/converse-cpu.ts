/**
 * CPU per converse turn, in-process (input to the converse function's memory size, docs/scaling.md):
 *  - turn: the converse Lambda handler invoked in-process on a response stream with the API Gateway event
 *    (token verification, config, context read, user-message write, provider call, relay, answer transaction),
 *    against the emulator's AgentCore harness `echo` agent;
 *  - direct: the same emulator agent called directly with the same SDK client, its stream read to the end.
 * Both run in this process with the emulator, so the emulator's own CPU is in both; DynamoDB Local runs in its
 * own JVM and is in neither. Relay CPU = turn CPU − direct CPU (user + system, process.cpuUsage), measured
 * interleaved pair by pair; the turn's CPU up to the first chunk it writes bounds the relay's pre-stream work
 * (it also holds the emulator's share up to that chunk). Lambda gives a function CPU in proportion to its memory (1 vCPU at 1,769 MB): the table
 * shows what the measured CPU becomes at each size when it is the only thing the function does.
 *
 * Run: `npx tsx bench/converse-cpu.ts [turns]` (default 200). Prints a Markdown table; writes nothing.
 */
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR'; // before any handler module creates its logger

import type { Writable as WritableType } from 'node:stream';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { Clients } from './converse';

// Imported after the log level is set (static imports would run first).
const { Writable } = await import('node:stream');
const { BedrockAgentRuntimeClient } = await import('@aws-sdk/client-bedrock-agent-runtime');
const { BedrockAgentCoreClient } = await import('@aws-sdk/client-bedrock-agentcore');
const { lambdaContext } = await import('../scripts/local/lambda-context');
const { directStream, setupKind } = await import('./converse');
const { startStack } = await import('./stack');
const { fmt, percentile } = await import('./stats');

const N = Number(process.argv[2] ?? 200);
const WARMUP = 20;
/** Lambda: one full vCPU at 1,769 MB, proportionally less below. */
const FULL_VCPU_MB = 1769;
const SIZES_MB = [256, 512, 1024, 1769];

const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

/** A Lambda response stream stand-in: notes the process CPU used when the first `chunk` event is written. */
class CpuStream extends Writable {
  firstCpuMs = NaN;
  failed = '';
  constructor(private readonly start: NodeJS.CpuUsage) {
    super();
  }
  setPrelude(_prelude: unknown) {}
  override _write(data: Buffer, _enc: BufferEncoding, done: () => void) {
    const text = data.toString();
    if (Number.isNaN(this.firstCpuMs) && /^event: chunk$/m.test(text)) this.firstCpuMs = cpuMs(this.start);
    if (/^event: error$/m.test(text)) this.failed = text;
    done();
  }
}

// The handler's EMF metric lines (one JSON line per turn on stdout) are dropped: only the tables are printed.
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
  String(chunk).startsWith('{"_aws"') ? true : write(chunk, ...rest)) as typeof process.stdout.write;

type StreamingHandler = (event: APIGatewayProxyEvent, stream: WritableType, context: Context) => Promise<void>;

const stack = await startStack();
try {
  const userId = 'bench-cpu';
  const token = await stack.token(userId);
  const admin = await stack.token('bench-admin', ['pika:site-admin']);
  const creds = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  const c: Clients = {
    agents: new BedrockAgentRuntimeClient({ endpoint: stack.emulator.endpoint, ...creds }),
    core: new BedrockAgentCoreClient({ endpoint: stack.emulator.endpoint, ...creds }),
  };
  const { apiSession } = await setupKind(stack, 'agentcore-harness', admin, userId, token);
  const handler = (await import('../functions/handlers/converse')).handler as StreamingHandler;
  const message = 'How long will my order take to arrive in Lisbon?';
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
    body: JSON.stringify({ sessionId: apiSession, message }),
    isBase64Encoded: false,
    requestContext: { requestId: 'bench-cpu' } as APIGatewayProxyEvent['requestContext'],
  } as APIGatewayProxyEvent;

  const turn = async () => {
    const start = process.cpuUsage();
    const stream = new CpuStream(start);
    await handler(event, stream, lambdaContext('bench-converse-cpu'));
    if (stream.failed) throw new Error(`converse error: ${stream.failed}`);
    return { total: cpuMs(start), first: stream.firstCpuMs };
  };
  const direct = async () => {
    const start = process.cpuUsage();
    await directStream('agentcore-harness', c, message, performance.now());
    return { total: cpuMs(start) };
  };

  const relay: number[] = [];
  const relayFirst: number[] = [];
  const turns: number[] = [];
  const directs: number[] = [];
  for (let i = 0; i < WARMUP + N; i++) {
    // Interleaved, order alternated: the pair sees the same machine load.
    const [t, d] = i % 2 ? [await turn(), await direct()] : await direct().then(async (d) => [await turn(), d] as const);
    if (i < WARMUP) continue;
    turns.push(t.total);
    directs.push(d.total);
    relay.push(t.total - d.total);
    relayFirst.push(t.first);
  }
  c.agents.destroy();
  c.core.destroy();

  const p50 = (xs: number[]) => percentile(xs, 50);
  const p90 = (xs: number[]) => percentile(xs, 90);
  console.log(`\n${N} turns after ${WARMUP} warm-up, agentcore-harness echo agent (3-4 chunks per answer), CPU ms (user + system):\n`);
  console.log('| | p50 | p90 |');
  console.log('|---|---|---|');
  console.log(`| converse turn (handler) | ${fmt(p50(turns))} | ${fmt(p90(turns))} |`);
  console.log(`| direct agent call | ${fmt(p50(directs))} | ${fmt(p90(directs))} |`);
  console.log(`| **relay = turn − direct** | **${fmt(p50(relay))}** | **${fmt(p90(relay))}** |`);
  console.log(`| turn up to the first chunk (an upper bound of the relay's share) | ${fmt(p50(relayFirst))} | ${fmt(p90(relayFirst))} |`);
  console.log('\nThe relay CPU of one turn at each Lambda memory size (CPU share = memory / 1,769 MB), p50 / p90 ms:\n');
  console.log('| memory MB | vCPU share | relay CPU stretched p50 | p90 |');
  console.log('|---|---|---|---|');
  for (const mb of SIZES_MB) {
    const share = Math.min(1, mb / FULL_VCPU_MB);
    console.log(`| ${mb} | ${fmt(share)} | ${fmt(p50(relay) / share)} | ${fmt(p90(relay) / share)} |`);
  }
} finally {
  await stack.stop();
}
