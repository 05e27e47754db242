/**
 * What a test worker writes to process.stdout / process.stderr — the handlers' Powertools JSON logs, CDK's
 * "Bundling asset" lines, esbuild's summaries — is held back instead of printed, so `npm test` prints the
 * reporter's summary only. Nothing is dropped before it is seen:
 *
 * - `captureLogs(fn)` returns every line written while `fn` ran (stdout and stderr), for tests that assert on
 *   logs (test/resilience/privacy.test.ts);
 * - the output held back during a test that fails is printed after it (test/setup/quiet-output.ts);
 * - `TEST_LOGS=1` prints everything as it is written, as before.
 *
 * Production code is untouched: the logger writes to process.stdout exactly as in Lambda; only the test
 * worker's stream methods are wrapped (installed by the setup file, once per worker).
 */
import childProcess, { type SpawnSyncOptions, type SpawnSyncReturns } from 'node:child_process';

type Write = typeof process.stdout.write;

interface OutputState {
  original: { out: Write; err: Write };
  /** Everything written, oldest first; bounded (HELD_CHARS) so a long file cannot grow it without end. */
  held: string[];
  heldChars: number;
  /** Number of chunks ever written: marks survive trimming of `held`. */
  written: number;
  taps: Set<(text: string) => void>;
  passthrough: boolean;
}

const KEY = Symbol.for('pika.test.output');
const HELD_CHARS = 4 * 1024 * 1024;

const stateOf = () => (globalThis as { [KEY]?: OutputState })[KEY];

/** Wraps process.stdout.write / process.stderr.write of this worker; idempotent. */
export function installQuietOutput(opts: { passthrough?: boolean } = {}): void {
  if (stateOf()) return;
  const state: OutputState = {
    original: { out: process.stdout.write, err: process.stderr.write },
    held: [],
    heldChars: 0,
    written: 0,
    taps: new Set(),
    passthrough: opts.passthrough ?? false,
  };
  (globalThis as { [KEY]?: OutputState })[KEY] = state;
  const wrap = (stream: NodeJS.WriteStream, orig: Write) =>
    function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      state.written++;
      state.held.push(text);
      state.heldChars += text.length;
      while (state.heldChars > HELD_CHARS && state.held.length > 1) state.heldChars -= state.held.shift()!.length;
      for (const tap of state.taps) tap(text);
      if (state.passthrough) return (orig as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      const cb = rest.find((r) => typeof r === 'function') as ((err?: Error | null) => void) | undefined;
      if (cb) process.nextTick(cb, null);
      return true;
    } as Write;
  process.stdout.write = wrap(process.stdout, state.original.out);
  process.stderr.write = wrap(process.stderr, state.original.err);
}

/** A position in the held output, for `heldSince`. */
export const outputMark = (): number => stateOf()?.written ?? 0;

/** The output held back since `mark` (what is left of it if the buffer was trimmed). */
export function heldSince(mark: number): string {
  const state = stateOf();
  if (!state) return '';
  const count = Math.min(state.written - mark, state.held.length);
  return count > 0 ? state.held.slice(-count).join('') : '';
}

/** Writes to the terminal, past the hold (for reporting held output of a failed test). */
export function writeThrough(text: string): void {
  const state = stateOf();
  if (state) (state.original.err as (s: string) => boolean).call(process.stderr, text);
  else process.stderr.write(text);
}

/**
 * Runs `fn` and returns every line the process wrote to stdout and stderr meanwhile (Powertools logs are
 * one JSON object per line). Works whether or not output is held back.
 */
export async function captureLogs(fn: () => Promise<unknown>): Promise<string[]> {
  let text = '';
  const tap = (t: string) => void (text += t);
  const state = stateOf();
  let restore: () => void;
  if (state) {
    state.taps.add(tap);
    restore = () => void state.taps.delete(tap);
  } else {
    // Outside the test setup (a script): tap the streams directly, still printing.
    const original = { out: process.stdout.write, err: process.stderr.write };
    const wrap = (orig: Write) =>
      function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
        tap(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
        return (orig as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
      } as Write;
    process.stdout.write = wrap(original.out);
    process.stderr.write = wrap(original.err);
    restore = () => {
      process.stdout.write = original.out;
      process.stderr.write = original.err;
    };
  }
  try {
    await fn();
  } finally {
    restore();
  }
  return text.split('\n').filter((l) => l !== '');
}

/**
 * Runs `fn` with child processes started by `child_process.spawnSync` (CDK's local esbuild bundling) writing
 * into pipes instead of this process's terminal; what they wrote is passed on to process.stdout/stderr, so it
 * is held back (and captured) like any other output. A failing child still fails: CDK puts its output in the
 * error it throws.
 */
export function quietChildProcesses<T>(fn: () => T): T {
  const original = childProcess.spawnSync;
  const toPipe = (s: unknown) => (s === 'inherit' || s === process.stdout || s === process.stderr || s === 1 || s === 2 ? 'pipe' : s);
  const quiet = ((command: string, args?: readonly string[] | SpawnSyncOptions, options?: SpawnSyncOptions) => {
    if (!Array.isArray(args)) return (original as (...a: unknown[]) => unknown)(command, args, options);
    const stdio = options?.stdio;
    const piped = Array.isArray(stdio) ? stdio.map(toPipe) : toPipe(stdio ?? 'pipe');
    const result = original(command, args, { ...options, stdio: piped as SpawnSyncOptions['stdio'] }) as SpawnSyncReturns<Buffer | string>;
    if (result.stdout?.length) process.stdout.write(result.stdout);
    if (result.stderr?.length) process.stderr.write(result.stderr);
    return result;
  }) as typeof childProcess.spawnSync;
  childProcess.spawnSync = quiet;
  try {
    return fn();
  } finally {
    childProcess.spawnSync = original;
  }
}
