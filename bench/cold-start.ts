/**
 * Cold start per function: each group's bundle built with the deployed stack's esbuild options, its size,
 * and the time for a fresh `node` to load it and run module init, vs a bundle holding only a bare
 * lib-dynamodb client (median of several runs each, interleaved).
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROUTE_GROUPS } from '../functions/http/routes';
import { median } from './stats';

const ROOT = join(import.meta.dirname, '..');
const BANNER = "import { createRequire as __pikaCreateRequire } from 'module'; const require = __pikaCreateRequire(import.meta.url);";

/** The bundle's size and its largest parts by package (or source directory), from esbuild's metafile. */
async function bundle(entry: string, outfile: string) {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    mainFields: ['module', 'main'],
    banner: { js: BANNER },
    metafile: true,
    // Entries written outside the repository (the breakdown's) resolve packages and pika-shared from it.
    nodePaths: [join(ROOT, 'node_modules')],
    tsconfig: join(ROOT, 'tsconfig.json'),
    logLevel: 'silent',
  });
  const parts = new Map<string, number>();
  for (const [file, input] of Object.entries(Object.values(result.metafile.outputs)[0]!.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file.replace(/\/[^/]+$/, '');
    parts.set(pkg, (parts.get(pkg) ?? 0) + input.bytesInOutput);
  }
  const top = [...parts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([name, bytes]) => ({ name, kb: bytes / 1024 }));
  return { size: statSync(outfile).size, top };
}

/** Milliseconds from process start to the bundle's module being loaded (module init included). */
function loadTime(bundlePath: string, dir: string): number {
  const loader = join(dir, `load-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    loader,
    `globalThis.awslambda = { streamifyResponse: (f) => f, HttpResponseStream: { from: (s) => s } };
const t0 = performance.now();
await import(${JSON.stringify(bundlePath)});
console.log(JSON.stringify({ ms: performance.now() - t0 }));`,
  );
  const out = spawnSync(process.execPath, [loader], {
    encoding: 'utf8',
    env: { ...process.env, TABLE_NAME: 'x', AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'ERROR' },
  });
  if (out.status !== 0) throw new Error(`loading ${bundlePath} failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1)!).ms;
}

export async function coldStart(runs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'pika-bench-'));
  try {
    const baselineEntry = join(dir, 'baseline.ts');
    writeFileSync(
      baselineEntry,
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\nexport const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));\nexport const handler = async () => doc;\n",
    );
    const baselineOut = join(dir, 'baseline.mjs');
    // Resolve the SDK from the project, not the temp dir.
    await build({
      entryPoints: [baselineEntry],
      outfile: baselineOut,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      // The same options as the functions' bundles (ESM builds of the SDK first), or the floor would be slower.
      mainFields: ['module', 'main'],
      nodePaths: [join(ROOT, 'node_modules')],
      banner: { js: BANNER },
      logLevel: 'silent',
    });
    const baselineSize = statSync(baselineOut).size;
    const rows = [];
    for (const group of [...ROUTE_GROUPS, 'authorizer'] as const) {
      const out = join(dir, `${group}.mjs`);
      const { size, top } = await bundle(join(ROOT, `functions/handlers/${group}.ts`), out);
      const fn: number[] = [];
      const base: number[] = [];
      for (let i = 0; i < runs; i++) {
        fn.push(loadTime(out, dir));
        base.push(loadTime(baselineOut, dir));
      }
      rows.push({ group, top, sizeKb: size / 1024, baselineKb: baselineSize / 1024, loadMs: median(fn), baselineMs: median(base) });
    }
    // What module init costs: the bare client plus one part of a route function at a time.
    const client =
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\nexport const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));\n";
    const parts: [string, string][] = [
      ['+ pika-shared schemas (zod, every schema built at load)', "import * as S from 'pika-shared/schemas';\nexport const s = S;\n"],
      ['+ the route table', `import { ROUTES } from ${JSON.stringify(join(ROOT, 'functions/http/routes.ts'))};\nexport const r = ROUTES;\n`],
      ['+ Powertools logger', "import { Logger } from '@aws-lambda-powertools/logger';\nexport const l = new Logger();\n"],
      ['+ jose', "import * as jose from 'jose';\nexport const j = jose;\n"],
    ];
    const breakdown = [];
    for (const [i, [name, code]] of parts.entries()) {
      const entry = join(dir, `part-${i}.ts`);
      writeFileSync(entry, code + client);
      const out = join(dir, `part-${i}.mjs`);
      const { size } = await bundle(entry, out);
      const ms: number[] = [];
      const base: number[] = [];
      for (let r = 0; r < runs; r++) {
        ms.push(loadTime(out, dir));
        base.push(loadTime(baselineOut, dir));
      }
      breakdown.push({ name, sizeKb: size / 1024, loadMs: median(ms), baselineMs: median(base) });
    }
    return { rows, breakdown };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
