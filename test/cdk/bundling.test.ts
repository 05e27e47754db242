/**
 * The deployed bundling (lib/constructs/bundling.ts): with code splitting, what a function's cold start loads
 * (index.mjs and the chunks it imports statically) holds none of the clients it imports lazily — each is in the
 * chunk its first use imports — and every output file has its own `require` for CommonJS dependencies.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleLambda, LAMBDA_BANNER, loadedAtInit, loadedByImport } from '../../lib/constructs/bundling';
import { handlerEntry } from '../../lib/constructs/chat-functions';
import { ROOT } from './helpers';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pika-bundling-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The packages (node_modules/<name>) whose code is in the given output files. */
const packagesIn = (metafile: Metafile, outputs: string[]) =>
  new Set(outputs.flatMap((o) => Object.keys(metafile.outputs[o]!.inputs)).flatMap((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1] ?? []));

/** Per function: a module it imports lazily, and the client package that import brings. */
const LAZY = {
  converse: [
    { module: 'functions/converse/providers/agentcore-harness.ts', client: '@aws-sdk/client-bedrock-agentcore' },
    { module: 'functions/converse/providers/classic.ts', client: '@aws-sdk/client-bedrock-agent-runtime' },
    // AG-UI runtimes' adapter: @ag-ui/core (and its zod schemas) load with the first AGUI turn only.
    { module: 'functions/converse/providers/agentcore-agui.ts', client: '@ag-ui/core' },
    { module: 'functions/memory/client.ts', client: '@aws-sdk/client-bedrock-agentcore' },
    { module: 'functions/files/storage.ts', client: '@aws-sdk/client-s3' },
  ],
  sessions: [
    { module: 'functions/files/storage.ts', client: '@aws-sdk/client-s3' },
    { module: 'functions/files/storage-lifecycle.ts', client: '@aws-sdk/s3-presigned-post' },
  ],
  users: [{ module: 'functions/memory/client.ts', client: '@aws-sdk/client-bedrock-agentcore' }],
} as const;

describe('code splitting', () => {
  it.each(Object.entries(LAZY))(
    '%s: its cold start loads no lazily imported client; each comes with the chunk its first use imports',
    async (name, lazy) => {
      const { metafile } = await bundleLambda(handlerEntry(name as keyof typeof LAZY), join(dir, name), { logLevel: 'silent' });
      const atInit = packagesIn(metafile, loadedAtInit(metafile));
      expect(atInit.has('@aws-sdk/client-dynamodb'), name).toBe(true);
      for (const client of [
        '@aws-sdk/client-s3',
        '@aws-sdk/s3-presigned-post',
        '@aws-sdk/client-bedrock-agentcore',
        '@aws-sdk/client-bedrock-agent-runtime',
        '@aws-sdk/client-bedrock-runtime',
        '@ag-ui/core',
      ])
        expect(atInit.has(client), `${name} loads ${client} at init`).toBe(false);
      for (const { module, client } of lazy)
        expect(packagesIn(metafile, loadedByImport(metafile, join(ROOT, module))).has(client), `${name}: import('${module}')`).toBe(true);
      // Only chunks something imports are written (esbuild also makes chunks of imports whose caller was shaken off).
      const written = readdirSync(join(dir, name)).sort();
      expect(written).toEqual(
        Object.keys(metafile.outputs)
          .map((o) => resolve(o).slice(join(dir, name).length + 1))
          .sort(),
      );
      if (name === 'converse') expect(packagesIn(metafile, Object.keys(metafile.outputs)).has('@aws-sdk/s3-presigned-post')).toBe(false);
    },
    60_000,
  );

  it('gives every output file its own require: a CommonJS module in a lazily imported chunk runs (and fails without the banner)', async () => {
    const src = join(dir, 'cjs-src');
    mkdirSync(src);
    writeFileSync(join(src, 'legacy.cjs'), "const { basename } = require('node:path');\nmodule.exports = { name: (p) => basename(p) };\n");
    writeFileSync(join(src, 'entry.ts'), "export const handler = async (p: string) => (await import('./legacy.cjs')).default.name(p);\n");
    const out = join(dir, 'cjs');
    const { metafile } = await bundleLambda(join(src, 'entry.ts'), out, { logLevel: 'silent' });
    const chunk = Object.keys(metafile.outputs).find((o) => Object.keys(metafile.outputs[o]!.inputs).some((i) => i.endsWith('legacy.cjs')))!;
    expect(loadedAtInit(metafile)).not.toContain(chunk);
    for (const file of readdirSync(out)) expect(readFileSync(join(out, file), 'utf8').startsWith(LAMBDA_BANNER), file).toBe(true);
    const run = () =>
      spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { handler } = await import(${JSON.stringify(pathToFileURL(join(out, 'index.mjs')).href)}); console.log(await handler('/a/b.txt'));`,
        ],
        { encoding: 'utf8' },
      );
    const ok = run();
    expect(ok.stderr).toBe('');
    expect(ok.stdout.trim()).toBe('b.txt');
    for (const file of readdirSync(out)) writeFileSync(join(out, file), readFileSync(join(out, file), 'utf8').replace(LAMBDA_BANNER, ''));
    expect(run().stderr).toMatch(/Dynamic require of "node:path" is not supported/);
  });

  it('writes a source map beside every output file only when asked', async () => {
    const { metafile } = await bundleLambda(handlerEntry('authorizer'), join(dir, 'mapped'), { sourceMaps: true, logLevel: 'silent' });
    const files = readdirSync(join(dir, 'mapped'));
    const code = files.filter((f) => f.endsWith('.mjs'));
    expect(code.length).toBeGreaterThan(1);
    expect(files.filter((f) => f.endsWith('.map')).sort()).toEqual(code.map((f) => `${f}.map`).sort());
    expect(Object.keys(metafile.outputs).length).toBe(files.length);
    await bundleLambda(handlerEntry('authorizer'), join(dir, 'unmapped'), { logLevel: 'silent' });
    expect(readdirSync(join(dir, 'unmapped')).filter((f) => !f.endsWith('.mjs'))).toEqual([]);
  });
});
