/**
 * Streaming overhead: time to first chunk and total time through POST /converse (SSE) vs reading the same
 * emulator stream directly with the SDK client, interleaved. Chunks in must equal chunks out.
 */
import { BedrockAgentRuntimeClient, InvokeAgentCommand } from '@aws-sdk/client-bedrock-agent-runtime';
import { readServerSentEvents } from 'pika-shared/client';
import { uniqueId } from '../scripts/local/ids';
import type { BenchStack } from './stack';
import { percentile } from './stats';

interface Sample {
  /** API only: from the `session` event (pre-stream work done) to the first chunk: the relay itself. */
  relayFirstMs: number;
  firstChunkMs: number;
  totalMs: number;
  chunks: number;
}

async function direct(client: BedrockAgentRuntimeClient, message: string): Promise<Sample> {
  const started = performance.now();
  const out = await client.send(
    new InvokeAgentCommand({ agentId: 'echo', agentAliasId: 'TSTALIASID', sessionId: uniqueId('direct'), inputText: message, enableTrace: true, streamingConfigurations: { streamFinalResponse: true }, sessionState: { sessionAttributes: { userId: 'bench' } } }),
  );
  let first = NaN;
  let chunks = 0;
  for await (const e of out.completion!) {
    if (e.chunk?.bytes) {
      if (!chunks) first = performance.now() - started;
      chunks++;
    }
  }
  return { relayFirstMs: first, firstChunkMs: first, totalMs: performance.now() - started, chunks };
}

async function viaApi(url: string, token: string, sessionId: string, message: string): Promise<Sample> {
  const started = performance.now();
  const res = await fetch(`${url}/converse`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ sessionId, message }) });
  let first = NaN;
  let sessionAt = NaN;
  let chunks = 0;
  for await (const e of readServerSentEvents(res.body!)) {
    if (e.event === 'session') sessionAt = performance.now() - started;
    if (e.event === 'chunk' && !chunks++) first = performance.now() - started;
  }
  return { relayFirstMs: first - sessionAt, firstChunkMs: first, totalMs: performance.now() - started, chunks };
}

export async function converseOverhead(stack: BenchStack, n: number) {
  const token = await stack.token('bench-converse');
  const client = new BedrockAgentRuntimeClient({ endpoint: stack.emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const message = 'How long will my order take to arrive in Lisbon?';
  // One session, titled up front so no title generation runs during the measurement.
  const create = await fetch(`${stack.api.url}/sessions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ chatAppId: 'demo', title: 'bench' }) });
  const { sessionId } = (await create.json()) as { sessionId: string };
  const api: Sample[] = [];
  const raw: Sample[] = [];
  for (let i = 0; i < 10; i++) {
    await direct(client, message);
    await viaApi(stack.api.url, token, sessionId, message);
  }
  for (let i = 0; i < n; i++) {
    raw.push(await direct(client, message));
    api.push(await viaApi(stack.api.url, token, sessionId, message));
  }
  client.destroy();
  const p = (xs: Sample[], k: keyof Sample, q: number) => percentile(xs.map((x) => x[k]), q);
  return {
    n,
    apiFirst: { p50: p(api, 'firstChunkMs', 50), p99: p(api, 'firstChunkMs', 99) },
    rawFirst: { p50: p(raw, 'firstChunkMs', 50), p99: p(raw, 'firstChunkMs', 99) },
    apiRelayFirst: { p50: p(api, 'relayFirstMs', 50), p99: p(api, 'relayFirstMs', 99) },
    apiTotal: { p50: p(api, 'totalMs', 50), p99: p(api, 'totalMs', 99) },
    rawTotal: { p50: p(raw, 'totalMs', 50), p99: p(raw, 'totalMs', 99) },
    chunksEqual: api.every((s, i) => s.chunks === raw[i]!.chunks),
    chunksPerAnswer: raw[0]?.chunks ?? 0,
  };
}
