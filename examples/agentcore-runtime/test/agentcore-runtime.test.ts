/**
 * The example as it ships: type-checked as a nodenext project against pika-shared's published build; the agent
 * bundled the way `npm run build` bundles it and run by a plain `node` on a free loopback port, asked over HTTP
 * with the payload the chat backend's relay sends (`encodeAgentRuntimePayload`); its Server-Sent Events read with
 * the relay's own parser (`createSseParser` + `parseAgentRuntimeSseData`, fed in small network-like pieces).
 * Failure paths (a model that throws, a caller that goes away) use the server in-process with a stand-in model.
 * Needs pika-shared built (dist/): the repository's test run builds it first; standalone, `npm run build -w shared-types`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { createSseParser, encodeAgentRuntimePayload, parseAgentRuntimeSseData, type AgentRuntimeStreamEvent } from 'pika-shared/util/agentcore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toyModel, type Model, type Turn } from '../src/model.js';
import { createAgentServer } from '../src/server.js';

const HERE = resolve(import.meta.dirname, '..');
const TSC = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');

const SESSION_DATA = {
  userId: 'user-123',
  sessionId: 'session-456',
  chatAppId: 'support',
  agentId: 'support-agent',
  firstName: 'Ada',
  accountId: 'acct-456',
  accountType: 'premium',
  preferences: { language: 'de', theme: 'dark' },
  userType: 'external-user',
  timezone: 'Europe/Berlin',
};
const HISTORY = [
  { role: 'user' as const, content: 'Hi, I ordered a lamp last week.' },
  { role: 'assistant' as const, content: 'Thanks! How can I help with it?' },
];
const PROMPT = 'Where is my order?';
const PAYLOAD = encodeAgentRuntimePayload({ prompt: PROMPT, sessionData: SESSION_DATA, history: HISTORY });
const RUNTIME_SESSION_ID = 'pika-session-456-0123456789abcdef0123456789abcdef';
let sessions = 0;
/** A runtime session id of its own for each test (the agent remembers each session's turns). */
const newRuntimeSessionId = () => `pika-test-${++sessions}-0123456789abcdef0123456789abcdef`;

let out: string;
let bundleInputs: string[];
let agent: ChildProcess;
let agentUrl: string;

/** Starts the bundled agent with PORT=0 on loopback and waits for its "listening" log line. */
async function startBundledAgent(file: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [file], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolvePort, reject) => {
    child.once('exit', (code) => reject(new Error(`the agent exited (${code}): ${stderr}`)));
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'listening' && entry.port) resolvePort(entry.port);
    });
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'pika-example-agentcore-runtime-'));
  const file = join(out, 'main.mjs');
  // What `npm run build` does.
  const result = await build({
    entryPoints: [join(HERE, 'src/main.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    metafile: true,
    logLevel: 'silent',
  });
  bundleInputs = Object.keys(result.metafile.inputs);
  ({ child: agent, url: agentUrl } = await startBundledAgent(file));
});

afterAll(() => {
  agent?.kill('SIGTERM');
  if (out) rmSync(out, { recursive: true, force: true });
});

interface Answer {
  status: number;
  contentType: string;
  events: AgentRuntimeStreamEvent[];
  raw: string;
}

/** POSTs a payload to /invocations and reads the answer as the relay does: SSE data, then parseAgentRuntimeSseData. */
async function invoke(
  url: string,
  body: string,
  init: { signal?: AbortSignal; onEvent?: (e: AgentRuntimeStreamEvent) => void; runtimeSessionId?: string } = {},
): Promise<Answer> {
  const res = await fetch(`${url}/invocations`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream, application/json;q=0.9, text/plain;q=0.8',
      'X-Amzn-Bedrock-AgentCore-Runtime-Session-Id': init.runtimeSessionId ?? newRuntimeSessionId(),
    },
    body,
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const sse = createSseParser();
  const decoder = new TextDecoder();
  const events: AgentRuntimeStreamEvent[] = [];
  let raw = '';
  const take = (datas: string[]) => {
    for (const data of datas) {
      const e = parseAgentRuntimeSseData(data);
      events.push(e);
      init.onEvent?.(e);
    }
  };
  for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
    // Network chunks split events anywhere: feed the parser 5 bytes at a time.
    for (let i = 0; i < bytes.length; i += 5) {
      const text = decoder.decode(bytes.subarray(i, i + 5), { stream: true });
      raw += text;
      take(sse.push(text));
    }
  }
  take([...sse.push(decoder.decode()), ...sse.end()]);
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', events, raw };
}

const textOf = (events: AgentRuntimeStreamEvent[]) => events.map((e) => (e.type === 'text' ? e.text : '')).join('');

/** The server in-process, with a stand-in model, on a free loopback port. */
async function withServer(model: Model, run: (url: string) => Promise<void>, options: { maxPayloadBytes?: number } = {}) {
  const server: Server = createAgentServer({ model, log: () => {}, ...options });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

describe('examples/agentcore-runtime', () => {
  it('type-checks as a nodenext project against the built pika-shared', () => {
    const r = spawnSync(process.execPath, [TSC, '-p', join(HERE, 'tsconfig.json')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('bundles pika-shared from its published build, not its source', () => {
    expect(
      bundleInputs.some((i) => /shared-types\/dist\/util\/agentcore\.js$/.test(i)),
      bundleInputs.join('\n'),
    ).toBe(true);
    expect(bundleInputs.filter((i) => i.includes('shared-types/src/'))).toEqual([]);
  });

  it('GET /ping answers healthy', async () => {
    const res = await fetch(`${agentUrl}/ping`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ status: 'Healthy' });
  });

  it('streams a greeting built from the session data (customData spread in) and the history, in several deltas, then one usage event', async () => {
    const answer = await invoke(agentUrl, PAYLOAD);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/event-stream/);
    expect(textOf(answer.events)).toBe(
      'Hello Ada! You asked: "Where is my order?". Your account is premium. ' + 'This is chat app support, agent support-agent; you asked 1 question before.',
    );
    const texts = answer.events.filter((e) => e.type === 'text');
    expect(texts.length).toBeGreaterThan(3);
    // Every event is one the relay understands (none ignored as 'other', no error); usage last and once.
    expect(answer.events.map((e) => e.type)).toEqual([...texts.map(() => 'text'), 'usage']);
    // Words as tokens: prompt 4 + history 7 + 7; the answer's 24 words.
    expect(answer.events.at(-1)).toEqual({ type: 'usage', inputTokens: 18, outputTokens: 24 });
    // Each event is pika-shared's sseText / sseUsage, byte for byte.
    expect(answer.raw).toMatch(/^(data: \{"type":"text","text":"[^\n]*"\}\n\n)+data: \{"type":"usage","inputTokens":18,"outputTokens":24\}\n\n$/);
  });

  it('a first turn without history, a session without firstName or accountType: greets by userId', async () => {
    const answer = await invoke(
      agentUrl,
      encodeAgentRuntimePayload({ prompt: 'Hi', sessionData: { ...SESSION_DATA, firstName: undefined, accountType: undefined } }),
    );
    expect(textOf(answer.events)).toBe('Hello user-123! You asked: "Hi". This is chat app support, agent support-agent; this is our first exchange.');
    expect(answer.events.at(-1)).toEqual({ type: 'usage', inputTokens: 1, outputTokens: 17 });
  });

  it("remembers the runtime session's turns when the backend sends no history; a sent history replaces them", async () => {
    const id = newRuntimeSessionId();
    const ask = async (prompt: string, history: typeof HISTORY = [], runtimeSessionId = id) =>
      textOf((await invoke(agentUrl, encodeAgentRuntimePayload({ prompt, sessionData: SESSION_DATA, history }), { runtimeSessionId })).events);
    expect(await ask('Hi')).toMatch(/this is our first exchange\.$/);
    expect(await ask('Where is my order?')).toMatch(/you asked 1 question before\.$/);
    expect(await ask('And my invoice?')).toMatch(/you asked 2 questions before\.$/);
    // The backend resends the history when the runtime session may be gone: it is the truth from then on.
    expect(await ask('Hello again', HISTORY)).toMatch(/you asked 1 question before\.$/);
    expect(await ask('Still there?')).toMatch(/you asked 2 questions before\.$/);
    // Another runtime session (another chat session) remembers nothing of this one.
    expect(await ask('Hi', [], newRuntimeSessionId())).toMatch(/this is our first exchange\.$/);
  });

  it('a failed answer is not remembered', async () => {
    let calls = 0;
    let lastHistory: Turn['history'] = [];
    await withServer(
      async function* (turn) {
        lastHistory = turn.history;
        if (++calls === 2) throw new Error('boom');
        yield { type: 'text', text: `answer ${calls}` };
      },
      async (url) => {
        const runtimeSessionId = newRuntimeSessionId();
        for (const prompt of ['one', 'two', 'three']) await invoke(url, encodeAgentRuntimePayload({ prompt, sessionData: SESSION_DATA }), { runtimeSessionId });
      },
    );
    expect(lastHistory).toEqual([
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'answer 1' },
    ]);
  });

  it.each([
    ['not JSON', '{"prompt": "unterminated', 'The payload is not JSON'],
    ['not an object', '["Where is my order?"]', 'The payload is not a JSON object'],
    ['empty', '', 'The payload is not JSON'],
  ])('a malformed payload (%s) is a 400 with an error event the relay reads as the failure', async (_, body, message) => {
    const answer = await invoke(agentUrl, body);
    expect(answer.status).toBe(400);
    expect(answer.contentType).toMatch(/^text\/event-stream/);
    expect(answer.events).toEqual([{ type: 'error', message }]);
  });

  it('other paths are 404, other methods 405', async () => {
    expect((await fetch(`${agentUrl}/nope`)).status).toBe(404);
    expect((await fetch(`${agentUrl}/invocations`)).status).toBe(405);
    expect((await fetch(`${agentUrl}/ping`, { method: 'POST' })).status).toBe(405);
  });

  it('the example payload in events/ is what the relay sends for this session', () => {
    expect(JSON.parse(readFileSync(join(HERE, 'events/invocation-payload.json'), 'utf8'))).toEqual(JSON.parse(PAYLOAD));
  });

  it('the model gets the decoded session (nested custom data as objects), the history and the runtime session id', async () => {
    let seen: Turn | undefined;
    await withServer(
      async function* (turn) {
        seen = turn;
        yield { type: 'text', text: 'ok' };
      },
      async (url) => {
        const answer = await invoke(url, PAYLOAD, { runtimeSessionId: RUNTIME_SESSION_ID });
        expect(answer.events).toEqual([{ type: 'text', text: 'ok' }]);
      },
    );
    expect(seen).toMatchObject({ prompt: PROMPT, history: HISTORY, files: [], runtimeSessionId: RUNTIME_SESSION_ID });
    expect(seen!.session).toMatchObject({ ...SESSION_DATA, preferences: { language: 'de', theme: 'dark' } });
  });

  it('a model that fails mid-answer: the text so far, then an error event (the relay ends the turn as failed)', async () => {
    await withServer(
      async function* () {
        yield { type: 'text', text: 'Let me check' };
        throw new Error('ThrottlingException: slow down');
      },
      async (url) => {
        const answer = await invoke(url, PAYLOAD);
        expect(answer.status).toBe(200);
        expect(answer.events).toEqual([
          { type: 'text', text: 'Let me check' },
          { type: 'error', message: 'The agent failed: ThrottlingException: slow down' },
        ]);
      },
    );
  });

  it('every usage event of the model is passed on (an agent loop with several model calls; the relay sums them)', async () => {
    await withServer(
      async function* () {
        yield { type: 'text', text: 'Looking it up. ' };
        yield { type: 'usage', usage: { inputTokens: 10, outputTokens: 3 } };
        yield { type: 'text', text: 'Shipped.' };
        yield { type: 'usage', usage: { inputTokens: 20, outputTokens: 2 } };
      },
      async (url) => {
        const answer = await invoke(url, PAYLOAD);
        expect(answer.events).toEqual([
          { type: 'text', text: 'Looking it up. ' },
          { type: 'usage', inputTokens: 10, outputTokens: 3 },
          { type: 'text', text: 'Shipped.' },
          { type: 'usage', inputTokens: 20, outputTokens: 2 },
        ]);
      },
    );
  });

  it('a payload over the size limit is a 413 with an error event', async () => {
    await withServer(
      toyModel,
      async (url) => {
        const answer = await invoke(url, encodeAgentRuntimePayload({ prompt: 'x'.repeat(2000), sessionData: SESSION_DATA }));
        expect(answer.status).toBe(413);
        expect(answer.events).toEqual([{ type: 'error', message: 'The payload is larger than 1024 bytes' }]);
      },
      { maxPayloadBytes: 1024 },
    );
  });

  it('the caller going away (stop generation) aborts the model', async () => {
    let aborted: () => void;
    const wasAborted = new Promise<void>((r) => (aborted = r));
    await withServer(
      async function* (turn) {
        turn.signal.addEventListener('abort', () => aborted());
        for (let i = 0; !turn.signal.aborted; i++) {
          yield { type: 'text', text: `${i} ` };
          await new Promise((r) => setTimeout(r, 5));
        }
      },
      async (url) => {
        const stop = new AbortController();
        await expect(invoke(url, PAYLOAD, { signal: stop.signal, onEvent: () => stop.abort() })).rejects.toThrow();
        await wasAborted;
      },
    );
  });
});
