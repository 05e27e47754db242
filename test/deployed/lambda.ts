/**
 * The Lambda side of the deployed tier: each function of the synthesized template, by logical id, with its
 * asset directory, handler, timeout, memory and environment (CloudFormation references resolved by the
 * caller), run as Lambda runs it: a process of the runtime's Node.js (the pinned `node` dev dependency) under
 * AWS's runtime interface client, aws-lambda-ric — the code of the managed Node.js runtime, with its native
 * Runtime API client — talking to a local Runtime API (./runtime-api.ts). The `awslambda` global, the
 * handler's loading, the response stream and its prelude, console and error formatting are the client's own.
 * One environment per function, one invocation at a time, kept warm until disposed, discarded after a timeout
 * or when the process exits (the next invocation is a cold start). Output is captured, never printed.
 */
import { lambdaRicBuilt, lambdaRicEntry } from '../../scripts/lambda-ric';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { LAMBDA_NODE_RUNTIME } from '../../lib/constructs/bundling';
import { type FunctionError, RuntimeApi, type RuntimeOutcome } from './runtime-api';

export interface FunctionDef {
  logicalId: string;
  dir: string;
  handler: string;
  timeoutSeconds: number;
  memoryMb: number;
  environment: Record<string, string>;
}

export interface Invocation {
  functionId: string;
  outcome: 'ok' | 'error' | 'timeout';
  error?: FunctionError;
}

/** What a streaming invocation produced: raw bytes as written, in order; `error` when it failed mid-stream. */
export type StreamResult = { kind: 'stream'; contentType: string; chunks: Uint8Array[]; error?: FunctionError };
export type InvokeResult = { kind: 'result'; result: unknown } | StreamResult | { kind: 'error'; error: FunctionError } | { kind: 'timeout' };

const require = createRequire(import.meta.url);
/** The runtime interface client's entry point (the managed runtime's bootstrap runs the same code). */
const RIC = lambdaRicEntry();
/** The Node.js of the functions' runtime: the pinned `node` dev dependency. */
const NODE = join(dirname(require.resolve('node/package.json')), 'bin', 'node');
const OBSERVER = new URL('./observe-modules.mjs', import.meta.url).href;
/** Lambda's limit on the init phase of an on-demand function, before the first invocation's timeout. */
const INIT_LIMIT_MS = 10_000;
const ACCOUNT = '111122223333';

/** Fails clearly when aws-lambda-ric is not built (`npm test` builds it first; alone: `npm run build:ric`). */
export function assertRuntimeClientBuilt(): void {
  if (!lambdaRicBuilt())
    throw new Error('aws-lambda-ric is not built: `npm test` builds it in its first step, `npm run build:ric` alone (scripts/lambda-ric.ts).');
}

const toResult = (o: RuntimeOutcome): InvokeResult => {
  if (o.kind !== 'result') return o;
  const text = o.body.toString('utf8');
  try {
    return { kind: 'result', result: text ? JSON.parse(text) : null };
  } catch {
    return { kind: 'result', result: text };
  }
};

class Container {
  readonly child: ChildProcess;
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when the process has exited: the environment is gone. */
  exited: string | undefined;
  private onExit: ((why: string) => void) | undefined;
  /** The files of the asset directory this environment has loaded, in order (index.mjs first, then chunks). */
  readonly modules: string[] = [];
  private readonly region: string;

  constructor(
    readonly def: FunctionDef,
    private readonly api: RuntimeApi,
    readonly output: string[],
    baseEnv: Record<string, string>,
  ) {
    this.region = baseEnv.AWS_REGION ?? 'us-east-1';
    this.child = spawn(
      NODE,
      // Flags as the managed runtime's bootstrap starts Node (aws-lambda-ric's worker mode filters these same ones): GC
      // exposed, larger HTTP headers, a heap under the memory size (the ratio is ours).
      ['--expose-gc', '--max-http-header-size=81920', `--max-old-space-size=${Math.floor(def.memoryMb * 0.9)}`, '--import', OBSERVER, RIC],
      {
        cwd: def.dir,
        env: {
          ...baseEnv,
          ...def.environment,
          AWS_LAMBDA_FUNCTION_NAME: def.logicalId,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(def.memoryMb),
          AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
          AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${def.logicalId}`,
          AWS_LAMBDA_LOG_STREAM_NAME: 'deployed-tier',
          AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
          AWS_LAMBDA_RUNTIME_API: api.endpoint,
          AWS_EXECUTION_ENV: `AWS_Lambda_${LAMBDA_NODE_RUNTIME}`,
          LAMBDA_TASK_ROOT: def.dir,
          _HANDLER: def.handler,
        },
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      },
    );
    const lines = (stream: Readable, each: (line: string) => void) => {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => {
        const parts = (rest + text).split('\n');
        rest = parts.pop()!;
        for (const p of parts) if (p) each(p);
      });
    };
    lines(this.child.stdout!, (l) => this.output.push(l));
    lines(this.child.stderr!, (l) => this.output.push(l));
    lines(this.child.stdio[3] as Readable, (f) => this.modules.push(f));
    this.child.on('error', (err) => this.exit(`Runtime.Unknown: ${err.message}`));
    this.child.on('exit', (code, signal) => this.exit(signal ? `signal: ${signal.toLowerCase()}` : `exit status ${code}`));
  }

  private exit(why: string) {
    if (this.exited) return;
    this.exited = why;
    this.onExit?.(why);
  }

  invoke(event: unknown): Promise<InvokeResult> {
    const run = async (): Promise<InvokeResult> => {
      if (this.exited) return { kind: 'error', error: { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited: ${this.exited}` } };
      const requestId = randomUUID();
      const timeoutMs = this.def.timeoutSeconds * 1000;
      let timer = setTimeout(() => settle({ kind: 'timeout' }), INIT_LIMIT_MS + timeoutMs);
      let settle: (r: InvokeResult) => void = () => undefined;
      const done = new Promise<InvokeResult>((resolve) => {
        settle = (r) => {
          clearTimeout(timer);
          this.onExit = undefined;
          resolve(r);
        };
      });
      // The process exits under the invocation: an init error it reported, or Lambda's Runtime.ExitError.
      this.onExit = (why) => {
        this.api.abandon(
          this.api.initError ?? { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${why}` },
        );
      };
      this.api
        .invoke({
          requestId,
          event,
          functionArn: `arn:aws:lambda:${this.region}:${ACCOUNT}:function:${this.def.logicalId}`,
          timeoutMs,
          onDelivered: () => {
            clearTimeout(timer);
            timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
          },
        })
        .then((o) => settle(toResult(o)));
      return done;
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      const gone = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGKILL');
      await gone;
    }
    await this.api.close();
  }
}

export class LambdaService {
  private containers = new Map<string, Promise<Container>>();
  /** Every invocation's outcome, in order. */
  readonly invocations: Invocation[] = [];
  /** Log lines (stdout and stderr) of every container, by function logical id. */
  readonly output = new Map<string, string[]>();
  private readonly warm = new Map<string, Container>();

  constructor(
    readonly functions: ReadonlyMap<string, FunctionDef>,
    /** Environment every container starts with (region, credentials, local endpoints), under the function's own. */
    private readonly baseEnv: Record<string, string>,
  ) {
    assertRuntimeClientBuilt();
  }

  private container(functionId: string, def: FunctionDef): Promise<Container> {
    let c = this.containers.get(functionId);
    if (!c) {
      const lines = this.output.get(functionId) ?? [];
      this.output.set(functionId, lines);
      c = RuntimeApi.start().then((api) => {
        const container = new Container(def, api, lines, this.baseEnv);
        this.warm.set(functionId, container);
        return container;
      });
      this.containers.set(functionId, c);
    }
    return c;
  }

  async invoke(functionId: string, event: unknown): Promise<InvokeResult> {
    const def = this.functions.get(functionId);
    if (!def) throw new Error(`no function ${functionId} in the template`);
    let container = await this.container(functionId, def);
    // An environment whose process exited between invocations is replaced: this invocation is a cold start.
    if (container.exited) {
      await this.dispose(functionId);
      container = await this.container(functionId, def);
    }
    const result = await container.invoke(event);
    const error = result.kind === 'error' ? result.error : result.kind === 'stream' ? result.error : undefined;
    this.invocations.push({
      functionId,
      outcome: error ? 'error' : result.kind === 'timeout' ? 'timeout' : 'ok',
      ...(error ? { error } : {}),
    });
    // Lambda discards an environment whose invocation timed out, and one whose process exited.
    if (result.kind === 'timeout' || container.exited) await this.dispose(functionId);
    return result;
  }

  /** The files of its asset directory that a function's current container has loaded (none without a container). */
  modulesOf(functionId: string): readonly string[] {
    return [...(this.warm.get(functionId)?.modules ?? [])];
  }

  /** Stops containers (all, or one function's): the next invocation is a cold start. */
  async dispose(functionId?: string): Promise<void> {
    const ids = functionId ? [functionId] : [...this.containers.keys()];
    await Promise.all(
      ids.map(async (id) => {
        const c = this.containers.get(id);
        this.containers.delete(id);
        this.warm.delete(id);
        await (await c)?.stop();
      }),
    );
  }
}
