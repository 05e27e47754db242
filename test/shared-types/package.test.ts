/**
 * pika-shared as its users get it: the tarball `npm pack` makes (built and packed once by the global setup),
 * installed offline into fresh projects outside the repository (so nothing resolves from the repo's
 * node_modules), then compiled or run the five ways users consume it; plus publint, attw, the tarball's
 * contents, zod staying optional and the client bundling for browsers.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { formatMessage } from 'publint/utils';
import { publint } from 'publint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entry } from '../../shared-types/tsdown.config';
import { packedTarball, ROOT } from '../setup/pika-shared-package';

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const ATTW = join(ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js');
const SPEC_EXAMPLES = join(ROOT, 'test/fixtures/spec-examples');
const EVENT_FILE = join(ROOT, 'examples/action-group/events/get-order-status.json');

/** './types/chatbot/bedrock', './schemas', … : the subpaths the build's entries are published under. */
const SUBPATHS = entry.map((e) => e.replace(/^src\//, './').replace(/(\/index)?\.ts$/, ''));

let tarball: string;
let work: string;

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, stdout: r.stdout ?? '' };
}

/** A fresh project with pika-shared installed from the tarball, as `npm install <tarball>` does it, offline. */
function project(name: string, pkg: Record<string, unknown>, files: Record<string, string>, opts: { link?: string[] } = {}): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, ...pkg }, null, 2));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  const r = run('npm', ['install', tarball, '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], dir);
  expect(r.status, r.out).toBe(0);
  // What the project itself would install (zod, the optional peer of pika-shared/schemas; @types/node): the repo's copies.
  for (const dep of opts.link ?? []) {
    mkdirSync(dirname(join(dir, 'node_modules', dep)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir');
  }
  return dir;
}

/** The README's TypeScript examples (```ts blocks). */
function withReadmeExamples(dir: string): number {
  const blocks = [...readFileSync(join(ROOT, 'shared-types/README.md'), 'utf8').matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  for (const [i, code] of blocks.entries()) writeFileSync(join(dir, `readme-${i + 1}.ts`), code);
  return blocks.length;
}

/** The spec's examples, byte for byte (test/fixtures/spec-examples, checked against the spec elsewhere). */
function withSpecExamples(dir: string): string[] {
  const files = readdirSync(SPEC_EXAMPLES).filter((f) => f.endsWith('.ts'));
  for (const f of files) cpSync(join(SPEC_EXAMPLES, f), join(dir, f));
  return files;
}

const tsconfig = (compilerOptions: Record<string, unknown>) =>
  JSON.stringify({
    compilerOptions: { target: 'ES2022', lib: ['ES2022'], types: [], strict: true, skipLibCheck: false, ...compilerOptions },
    include: ['*.ts'],
  });

const tsc = (dir: string) => run(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json')], dir);

/** What the action-group handlers below answer for the fixture event (language: from a JSON-encoded attribute). */
const EXPECTED_ANSWER = { accountId: 'acct-456', tier: 'premium', language: 'en', userId: 'user-123' };

function answerOf(stdout: string) {
  const res = JSON.parse(stdout) as { messageVersion: string; response: { function: string; functionResponse: { responseBody: { TEXT: { body: string } } } } };
  expect(res.messageVersion).toBe('1.0');
  expect(res.response.function).toBe('getOrderStatus');
  return JSON.parse(res.response.functionResponse.responseBody.TEXT.body) as unknown;
}

const HANDLER_BODY = `
  const session = normalizeSessionAttributes(event.sessionAttributes);
  return actionGroupSuccess(event, { accountId: session.accountId, tier: session.accountType, language: session.preferences.language, userId: session.userId });`;

beforeAll(() => {
  tarball = packedTarball();
  work = mkdtempSync(join(tmpdir(), 'pika-shared-consumers-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed pika-shared', () => {
  it('holds dist, the license, readme and changelog, and no source', () => {
    const r = run('tar', ['-tzf', tarball], work);
    expect(r.status, r.out).toBe(0);
    const files = r.stdout
      .trim()
      .split('\n')
      .map((f) => f.replace(/^package\//, ''));
    expect(files).toEqual(expect.arrayContaining(['package.json', 'LICENSE', 'README.md', 'CHANGELOG.md']));
    for (const sub of SUBPATHS) {
      const base = `dist${sub.slice(1)}${sub === './schemas' || sub === './client' ? '/index' : ''}`;
      expect(files).toEqual(expect.arrayContaining([`${base}.js`, `${base}.cjs`, `${base}.d.ts`, `${base}.d.cts`]));
    }
    expect(files.filter((f) => !/^dist\//.test(f) && !['package.json', 'LICENSE', 'README.md', 'CHANGELOG.md'].includes(f))).toEqual([]);
  });

  it('publint finds nothing, strict', async () => {
    const data = readFileSync(tarball);
    const { messages, pkg } = await publint({ strict: true, pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) } });
    expect(messages.map((m) => `${m.type}: ${formatMessage(m, pkg)}`)).toEqual([]);
  });

  it('are-the-types-wrong finds nothing for any entry point (node16 ESM and CJS, bundler)', () => {
    // node10 resolution cannot see subpath exports and TypeScript 7 no longer has it: the node16 profile leaves it out.
    const r = run(process.execPath, [ATTW, tarball, '--profile', 'node16', '--format', 'json', '--entrypoints', ...SUBPATHS], work);
    const { analysis } = JSON.parse(r.stdout) as {
      analysis: { entrypoints: Record<string, unknown>; problems: { kind: string; entrypoint: string; resolutionKind?: string }[] };
    };
    expect(Object.keys(analysis.entrypoints).sort()).toEqual([...SUBPATHS].sort());
    expect(analysis.problems.filter((p) => p.resolutionKind !== 'node10')).toEqual([]);
    expect(r.status, r.out).toBe(0);
  });

  it('1. TypeScript nodenext, ESM: the spec examples and the README examples compile unchanged; the schemas and the client type-check and run', () => {
    const dir = project(
      'ts-nodenext-esm',
      { type: 'module' },
      {
        'tsconfig.json': tsconfig({ module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out', lib: ['ES2022', 'DOM'], types: ['node'] }),
        'consumer.ts': `
import { readFileSync } from 'node:fs';
import type { BedrockActionGroupLambdaEvent } from 'pika-shared/types/chatbot/bedrock';
import { actionGroupSuccess, normalizeSessionAttributes } from 'pika-shared/util/bedrock';
import { createSessionRequestSchema } from 'pika-shared/schemas';
import { createPikaClient, type PikaClient } from 'pika-shared/client';
const handler = async (event: BedrockActionGroupLambdaEvent) => {${HANDLER_BODY}
};
const event = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as BedrockActionGroupLambdaEvent;
const client: PikaClient = createPikaClient({ baseUrl: 'http://localhost:3000', token: () => 't' });
console.log(JSON.stringify({ answer: await handler(event), parsed: createSessionRequestSchema.safeParse({ chatAppId: 'support' }).success, client: typeof client.call }));
`,
      },
      { link: ['zod', '@types/node'] },
    );
    expect(withSpecExamples(dir).length).toBeGreaterThanOrEqual(6);
    expect(withReadmeExamples(dir)).toBe(3); // action-group Lambda, web app, code-defined agent
    const r = tsc(dir);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
    const ran = run(process.execPath, [join(dir, 'out/consumer.js'), EVENT_FILE], dir);
    expect(ran.status, ran.out).toBe(0);
    const out = JSON.parse(ran.stdout) as { answer: unknown; parsed: boolean; client: string };
    expect(answerOf(JSON.stringify(out.answer))).toEqual(EXPECTED_ANSWER);
    expect(out).toMatchObject({ parsed: true, client: 'function' });
  });

  it('2. TypeScript node16, CommonJS output: the spec examples compile unchanged, to require()', () => {
    const dir = project('ts-node16-cjs', { type: 'commonjs' }, { 'tsconfig.json': tsconfig({ module: 'node16', moduleResolution: 'node16', outDir: 'out' }) });
    expect(withSpecExamples(dir).length).toBeGreaterThanOrEqual(6);
    const r = tsc(dir);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'out/action-group.js'), 'utf8')).toContain('require("pika-shared/util/bedrock")');
  });

  it('3. TypeScript moduleResolution bundler: the spec examples compile unchanged', () => {
    const dir = project('ts-bundler', { type: 'module' }, { 'tsconfig.json': tsconfig({ module: 'esnext', moduleResolution: 'bundler', noEmit: true }) });
    expect(withSpecExamples(dir).length).toBeGreaterThanOrEqual(6);
    const r = tsc(dir);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });

  it('3b. the check fails when an example breaks the contract', () => {
    const dir = project(
      'ts-bundler-broken',
      { type: 'module' },
      { 'tsconfig.json': tsconfig({ module: 'esnext', moduleResolution: 'bundler', noEmit: true }) },
    );
    expect(withSpecExamples(dir).length).toBeGreaterThanOrEqual(6);
    writeFileSync(join(dir, 'user.ts'), readFileSync(join(dir, 'user.ts'), 'utf8').replace("userType: 'external-user'", "userType: 'outside-user'"));
    const r = tsc(dir);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('outside-user');
  });

  it('4. plain JavaScript ESM run by node: normalizeSessionAttributes on an action-group event; no zod needed', () => {
    const dir = project(
      'js-esm',
      { type: 'module' },
      {
        'handler.mjs': `
import { readFileSync } from 'node:fs';
import { actionGroupSuccess, normalizeSessionAttributes } from 'pika-shared/util/bedrock';
import { USER_TYPES } from 'pika-shared/types/chatbot/chatbot-types';
export const handler = async (event) => {${HANDLER_BODY}
};
if (!USER_TYPES.includes('external-user')) throw new Error('USER_TYPES');
console.log(JSON.stringify(await handler(JSON.parse(readFileSync(process.argv[2], 'utf8')))));
`,
        'schemas.mjs': "await import('pika-shared/schemas');",
      },
    );
    // The proof only holds if zod cannot be found from here.
    expect(() => createRequire(join(dir, 'package.json')).resolve('zod')).toThrow();
    const r = run(process.execPath, ['handler.mjs', EVENT_FILE], dir);
    expect(r.status, r.out).toBe(0);
    expect(answerOf(r.stdout)).toEqual(EXPECTED_ANSWER);
    // …while pika-shared/schemas, the one entry that needs zod, does need it.
    const schemas = run(process.execPath, ['schemas.mjs'], dir);
    expect(schemas.status).not.toBe(0);
    expect(schemas.out).toMatch(/Cannot find (package|module) 'zod'/);
  });

  it('5. plain JavaScript CommonJS via require: the same handler', () => {
    const dir = project(
      'js-cjs',
      { type: 'commonjs' },
      {
        'handler.js': `
const { readFileSync } = require('node:fs');
const { actionGroupSuccess, normalizeSessionAttributes } = require('pika-shared/util/bedrock');
exports.handler = async (event) => {${HANDLER_BODY}
};
exports.handler(JSON.parse(readFileSync(process.argv[2], 'utf8'))).then((res) => console.log(JSON.stringify(res)));
`,
      },
    );
    const r = run(process.execPath, ['handler.js', EVENT_FILE], dir);
    expect(r.status, r.out).toBe(0);
    expect(answerOf(r.stdout)).toEqual(EXPECTED_ANSWER);
  });

  describe('pika-shared/client in browsers', () => {
    const noNodeBuiltins: Plugin = {
      name: 'no-node-builtins',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) =>
          args.path.startsWith('node:') || builtinModules.includes(args.path)
            ? { errors: [{ text: `Node built-in '${args.path}' imported by ${args.importer}` }] }
            : undefined,
        );
      },
    };
    const bundle = (dir: string, entryPoint: string) =>
      build({
        entryPoints: [join(dir, entryPoint)],
        absWorkingDir: dir,
        bundle: true,
        platform: 'browser',
        format: 'esm',
        minify: true,
        write: false,
        logLevel: 'silent',
        plugins: [noNodeBuiltins],
      });

    it('bundles for the browser platform with no Node built-in, small', async () => {
      const dir = project(
        'browser',
        { type: 'module' },
        {
          'app.js':
            "import { createPikaClient } from 'pika-shared/client';\nexport const client = createPikaClient({ baseUrl: '/api', token: () => localStorage.getItem('token') ?? '' });\n",
        },
      );
      const out = await bundle(dir, 'app.js');
      const code = out.outputFiles[0]!.text;
      expect(code).toContain('/sessions/{sessionId}/messages'); // the route table is in
      expect(code).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\b/);
      // Budget (3.7 kB minified, 1.35 kB gzipped when written): fails if something heavy gets pulled in.
      expect(gzipSync(code).length).toBeLessThan(3072);
    });

    it('the guard fails on a Node import', async () => {
      const dir = join(work, 'browser-guard');
      mkdirSync(dir);
      writeFileSync(join(dir, 'bad.js'), "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n");
      await expect(bundle(dir, 'bad.js')).rejects.toThrow(/Node built-in 'node:fs'/);
    });
  });
});
