/**
 * The Lambda side of the deployed tier: each function of the synthesized template, by logical id, with its
 * asset directory, handler, timeout, memory and environment (CloudFormation references resolved by the
 * caller), run in a worker-thread container (./lambda-worker.mjs). One container per function, one
 * invocation at a time, kept warm until disposed (a cold start again). Output is captured, never printed.
 */
import { Worker } from 'node:worker_threads';

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
  error?: { errorType: string; errorMessage: string };
}

/** What a streaming invocation produced: raw bytes as written, in order. */
export type StreamResult = { kind: 'stream'; contentType: string; chunks: Uint8Array[] };
export type InvokeResult =
  | { kind: 'result'; result: unknown }
  | StreamResult
  | { kind: 'error'; error: { errorType: string; errorMessage: string } }
  | { kind: 'timeout' };

type Message = {
  id?: string;
  kind: string;
  result?: unknown;
  chunk?: Uint8Array;
  contentType?: string;
  error?: { errorType: string; errorMessage: string };
  file?: string;
};

class Container {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  private queue: Promise<unknown> = Promise.resolve();
  private listeners = new Map<string, (m: Message) => void>();
  private seq = 0;
  /** The files of the asset directory this container has loaded, in order (index.mjs first, then chunks). */
  readonly modules: string[] = [];

  constructor(
    readonly def: FunctionDef,
    readonly output: string[],
    baseEnv: Record<string, string>,
  ) {
    this.worker = new Worker(new URL('./lambda-worker.mjs', import.meta.url), {
      workerData: { dir: def.dir, handler: def.handler, functionName: def.logicalId, memoryMb: def.memoryMb },
      env: {
        ...baseEnv,
        ...def.environment,
        AWS_LAMBDA_FUNCTION_NAME: def.logicalId,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(def.memoryMb),
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        LAMBDA_TASK_ROOT: def.dir,
        _HANDLER: def.handler,
      },
      stdout: true,
      stderr: true,
      execArgv: [],
    });
    for (const stream of [this.worker.stdout, this.worker.stderr]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => {
        const lines = (rest + text).split('\n');
        rest = lines.pop()!;
        this.output.push(...lines.filter(Boolean));
      });
    }
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.on('message', (m: Message) => {
        if (m.kind === 'ready') resolve();
        else if (m.kind === 'module') this.modules.push(m.file!);
        else if (m.id) this.listeners.get(m.id)?.(m);
      });
    });
  }

  invoke(event: unknown): Promise<InvokeResult> {
    const run = async (): Promise<InvokeResult> => {
      await this.ready;
      const id = `${this.def.logicalId}-${++this.seq}`;
      const timeoutMs = this.def.timeoutSeconds * 1000;
      return new Promise<InvokeResult>((resolve) => {
        const chunks: Uint8Array[] = [];
        let contentType = 'application/octet-stream';
        const timer = setTimeout(() => {
          this.listeners.delete(id);
          resolve({ kind: 'timeout' });
        }, timeoutMs);
        this.listeners.set(id, (m) => {
          if (m.kind === 'chunk') {
            chunks.push(m.chunk!);
            contentType = m.contentType!;
            return;
          }
          clearTimeout(timer);
          this.listeners.delete(id);
          if (m.kind === 'end') resolve({ kind: 'stream', contentType, chunks });
          else if (m.kind === 'result') resolve({ kind: 'result', result: m.result });
          else resolve({ kind: 'error', error: m.error! });
        });
        this.worker.postMessage({ id, event, deadline: Date.now() + timeoutMs });
      });
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }
}

export class LambdaService {
  private containers = new Map<string, Container>();
  /** Every invocation's outcome, in order. */
  readonly invocations: Invocation[] = [];
  /** Log lines (stdout and stderr) of every container, by function logical id. */
  readonly output = new Map<string, string[]>();

  constructor(
    readonly functions: ReadonlyMap<string, FunctionDef>,
    /** Environment every container starts with (region, credentials, local endpoints), under the function's own. */
    private readonly baseEnv: Record<string, string>,
  ) {}

  async invoke(functionId: string, event: unknown): Promise<InvokeResult> {
    const def = this.functions.get(functionId);
    if (!def) throw new Error(`no function ${functionId} in the template`);
    let container = this.containers.get(functionId);
    if (!container) {
      const lines = this.output.get(functionId) ?? [];
      this.output.set(functionId, lines);
      container = new Container(def, lines, this.baseEnv);
      this.containers.set(functionId, container);
    }
    const result = await container.invoke(event);
    this.invocations.push({
      functionId,
      outcome: result.kind === 'error' ? 'error' : result.kind === 'timeout' ? 'timeout' : 'ok',
      ...(result.kind === 'error' ? { error: result.error } : {}),
    });
    // Lambda discards an environment whose invocation timed out.
    if (result.kind === 'timeout') await this.dispose(functionId);
    return result;
  }

  /** The files of its asset directory that a function's current container has loaded (none without a container). */
  modulesOf(functionId: string): readonly string[] {
    return [...(this.containers.get(functionId)?.modules ?? [])];
  }

  /** Stops containers (all, or one function's): the next invocation is a cold start. */
  async dispose(functionId?: string): Promise<void> {
    const ids = functionId ? [functionId] : [...this.containers.keys()];
    await Promise.all(
      ids.map(async (id) => {
        const c = this.containers.get(id);
        this.containers.delete(id);
        await c?.worker.terminate();
      }),
    );
  }
}
