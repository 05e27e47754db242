/**
 * How every Lambda is bundled — the one place for its esbuild options, used by the stack (chat-functions.ts),
 * bench/cold-start.ts and the tests that read the deployed bundles. One entry per function, built with code
 * splitting into its asset directory: `index.mjs` (the handler, what the runtime imports at cold start) plus
 * `chunk-<hash>.mjs` files. Each `await import()` in the code (the S3, AgentCore, Bedrock Agents runtime and
 * Bedrock runtime clients) becomes a chunk that V8 parses only when that import first runs; code both sides
 * need lands in a shared chunk that index.mjs imports statically.
 */
import { build, buildSync, type BuildOptions, type BuildResult, type LogLevel, type Metafile } from 'esbuild';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * CommonJS dependencies inside an ESM bundle still call require(): give them one. esbuild writes the banner at
 * the top of every output file, chunks included (a chunk holding a CommonJS dependency needs its own).
 */
export const LAMBDA_BANNER = "import { createRequire as __pikaCreateRequire } from 'node:module'; const require = __pikaCreateRequire(import.meta.url);";

/**
 * The functions' Lambda runtime (chat-functions.ts) and the bundles' esbuild target: the newest Lambda Node.js
 * runtime. The `node` dev dependency pins the same major for the tests and the deployed tier; upgrade all three
 * together (test/unit/node-runtime.test.ts checks they agree).
 */
export const LAMBDA_NODE_RUNTIME = 'nodejs24.x';
export const LAMBDA_NODE_TARGET = 'node24';

export interface LambdaBundleOptions {
  /** Source maps next to each output file (a stage's `sourceMaps`); default false. */
  readonly sourceMaps?: boolean;
  /** esbuild's own output (default: warnings and errors). */
  readonly logLevel?: LogLevel;
}

/** The esbuild options of a function's bundle: `entry` (exporting `handler`) into `outdir`. */
export function lambdaBuildOptions(entry: string, outdir: string, options: LambdaBundleOptions = {}) {
  return {
    entryPoints: [entry],
    outdir,
    // The runtime's handler is `index.handler`; chunks beside it, ESM by extension (the asset has no package.json).
    entryNames: 'index',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: LAMBDA_NODE_TARGET,
    minify: true,
    sourcemap: options.sourceMaps ?? false,
    // ESM builds of dependencies first (better tree-shaking), CommonJS otherwise.
    mainFields: ['module', 'main'],
    // No externals: the AWS SDK v3 is bundled (tree-shaken, pinned by package-lock), not the runtime's copy.
    banner: { js: LAMBDA_BANNER },
    metafile: true,
    logLevel: options.logLevel ?? 'warning',
  } satisfies BuildOptions;
}

/** Bundles a function's entry into `outdir` (created if missing); the metafile says which inputs each output holds. */
export async function bundleLambda(entry: string, outdir: string, options: LambdaBundleOptions = {}): Promise<BuildResult<{ metafile: true }>> {
  return withoutDeadChunks(await build(lambdaBuildOptions(entry, outdir, options)));
}

/** The same, synchronously (CDK's local bundling hook is synchronous). */
export function bundleLambdaSync(entry: string, outdir: string, options: LambdaBundleOptions = {}): BuildResult<{ metafile: true }> {
  return withoutDeadChunks(buildSync(lambdaBuildOptions(entry, outdir, options)));
}

/**
 * The output files (metafile keys) the code can ever load: index.mjs and every chunk it imports, statically or
 * with `await import()`, transitively. esbuild makes a chunk of every `import()` it finds before tree-shaking, so
 * a lazily imported module whose caller was shaken off (converse never calls the file service's upload and
 * download helpers) is still written, as a chunk nothing imports.
 */
export function reachableOutputs(metafile: Metafile): string[] {
  const seen = new Set<string>();
  const visit = (out: string) => {
    if (seen.has(out)) return;
    seen.add(out);
    for (const i of metafile.outputs[out]!.imports) if (!i.external) visit(i.path);
  };
  visit(entryOutput(metafile));
  return [...seen];
}

/** Removes the chunks nothing imports (and their source maps) from the output directory and the metafile. */
function withoutDeadChunks<R extends BuildResult<{ metafile: true }>>(result: R): R {
  const live = new Set(reachableOutputs(result.metafile));
  for (const out of Object.keys(result.metafile.outputs)) {
    if (live.has(out.replace(/\.map$/, ''))) continue;
    rmSync(resolve(out), { force: true });
    delete result.metafile.outputs[out];
  }
  return result;
}

function entryOutput(metafile: Metafile): string {
  const entry = Object.keys(metafile.outputs).find((o) => /(^|\/)index\.mjs$/.test(o));
  if (!entry) throw new Error('no index.mjs in the bundle');
  return entry;
}

/** The output files (metafile keys) an import of `root` loads: it and every chunk it imports statically, transitively. */
function staticClosure(metafile: Metafile, root: string): string[] {
  const seen = new Set<string>();
  const visit = (out: string) => {
    if (seen.has(out)) return;
    seen.add(out);
    for (const i of metafile.outputs[out]!.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(root);
  return [...seen];
}

const outputsOf = (metafile: Metafile) => Object.keys(metafile.outputs).filter((o) => o.endsWith('.mjs'));

/** What the runtime loads at cold start (metafile keys): index.mjs and the chunks it imports statically. */
export function loadedAtInit(metafile: Metafile): string[] {
  return staticClosure(metafile, entryOutput(metafile));
}

/**
 * What the first `await import()` of a source module (a path) loads on top: the chunk esbuild made of it and the
 * chunks that one imports statically (some already loaded at init). Throws when the module is not a chunk of its own.
 */
export function loadedByImport(metafile: Metafile, module: string): string[] {
  const chunk = outputsOf(metafile).find((o) => {
    const entryPoint = metafile.outputs[o]!.entryPoint;
    return entryPoint !== undefined && resolve(entryPoint) === resolve(module) && !/(^|\/)index\.mjs$/.test(o);
  });
  if (!chunk) throw new Error(`${module} is not imported lazily (no chunk of its own)`);
  return staticClosure(metafile, chunk);
}
