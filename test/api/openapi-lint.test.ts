/**
 * docs/openapi.json passes tools nobody here wrote: Redocly's recommended ruleset (redocly.yaml,
 * .redocly.lint-ignore.yaml) and Spectral's OpenAPI + OWASP API Security rules (.spectral.yaml). Both run from
 * the installed packages: a remote $ref or ruleset fails the run instead of being fetched. Each rule switched
 * off is in those files with its reason; the lint is over the whole route table, so new routes are covered.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import spectralCore from '@stoplight/spectral-core';
import * as parsers from '@stoplight/spectral-parsers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const DOC = join(root, 'docs/openapi.json');
const LINT_TIMEOUT = 180_000;
const offline = async (url: string): Promise<never> => {
  throw new Error(`the OpenAPI lint fetched ${url}: it must run offline`);
};

type Doc = Record<string, any>;
const committed = (): Doc => JSON.parse(readFileSync(DOC, 'utf8'));
const scratch = mkdtempSync(join(tmpdir(), 'pika-oaslint-'));
let n = 0;
function writeDoc(doc: Doc): string {
  const file = join(scratch, `openapi-${n++}.json`);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

interface Finding {
  rule: string;
  severity: 'error' | 'warn' | 'info' | 'hint';
  where: string;
  message: string;
}

/** `redocly lint` as its users run it, with the committed config (telemetry and update checks off). */
async function redocly(file: string): Promise<Finding[]> {
  const bin = join(root, 'node_modules/.bin/redocly');
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
  const run = await promisify(execFile)(bin, ['lint', file, '--config', join(root, 'redocly.yaml'), '--format=json'], { cwd: root, env }).catch(
    (e: { stdout?: string; stderr?: string }) => {
      if (!e.stdout?.trim().startsWith('{')) throw new Error(`redocly lint did not run: ${e.stderr ?? e}`);
      return { stdout: e.stdout };
    },
  );
  const out = JSON.parse(run.stdout) as { problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[] };
  return out.problems.map((p) => ({ rule: p.ruleId, severity: p.severity as Finding['severity'], where: p.location[0]?.pointer ?? '', message: p.message }));
}

const { Spectral, Document } = spectralCore as unknown as typeof import('@stoplight/spectral-core');
const SEVERITY = ['error', 'warn', 'info', 'hint'] as const;
let spectral: InstanceType<typeof Spectral>;

async function spectralLint(file: string): Promise<Finding[]> {
  const results = await spectral.run(new Document(readFileSync(file, 'utf8'), parsers.Json, file));
  return results.map((r) => ({ rule: String(r.code), severity: SEVERITY[r.severity]!, where: r.path.join('.'), message: r.message }));
}

const show = (f: Finding[]) => f.map((x) => `${x.severity} ${x.rule} at ${x.where}: ${x.message}`);

/**
 * The ruleset bundler, loaded without its types: they reference the DOM lib, which would change the whole
 * project's fetch/Body types (tsconfig.json has only node's).
 */
async function loadRuleset(file: string) {
  const load = (name: string) => import(/* @vite-ignore */ `@stoplight/spectral-ruleset-bundler/${name}`);
  const { bundleAndLoadRuleset } = await load('with-loader');
  const [{ builtins }, { commonjs }] = await Promise.all([load('plugins/builtins'), load('plugins/commonjs')]);
  return bundleAndLoadRuleset(file, { fs, fetch: offline }, [builtins(), commonjs()]);
}

beforeAll(async () => {
  spectral = new Spectral();
  // builtins + commonjs: the OWASP ruleset package is CommonJS; fetch refuses, so nothing is downloaded.
  spectral.setRuleset(await loadRuleset(join(root, '.spectral.yaml')));
}, LINT_TIMEOUT);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('OpenAPI lint', () => {
  it('Redocly (recommended): no finding on docs/openapi.json', { timeout: LINT_TIMEOUT }, async () => {
    expect(show(await redocly(DOC))).toEqual([]);
  });

  it('Spectral (oas + OWASP): no finding on docs/openapi.json, hints and infos included', { timeout: LINT_TIMEOUT }, async () => {
    expect(show(await spectralLint(DOC))).toEqual([]);
  });

  it('each rule switched off says why, on the line above it (or above its group)', () => {
    const lines = readFileSync(join(root, '.spectral.yaml'), 'utf8').split('\n');
    // Skipped upwards: the rest of a group of rules switched off, and an override's `files`/`rules` lines.
    const off = (l = '') => /:\s*off\s*$/.test(l) || /^\s*(rules:|- files:)/.test(l);
    for (const [i, line] of lines.entries()) {
      let above = i - 1;
      while (off(lines[above])) above--;
      if (/:\s*off\s*$/.test(line)) expect(lines[above], line).toMatch(/^\s*#\s*\S.{10,}/);
    }
    const ignore = readFileSync(join(root, '.redocly.lint-ignore.yaml'), 'utf8').split('\n');
    for (const [i, line] of ignore.entries()) if (/^\s*- /.test(line)) expect(ignore[i - 1], line).toMatch(/^\s*#\s*\S.{10,}/);
  });

  it('the configured lint still catches what it is there for', { timeout: LINT_TIMEOUT }, async () => {
    const doc = committed();
    const [path, methods] = Object.entries(doc.paths as Record<string, Record<string, any>>).find(([, ops]) =>
      Object.values(ops).some((op) => op.requestBody),
    )!;
    const op = Object.values(methods).find((o) => o.requestBody)!;
    // An unbounded request string and array, a 429 that does not say when to retry, a plain-HTTP server.
    op.requestBody.content['application/json'].schema = {
      type: 'object',
      additionalProperties: false,
      properties: {
        note: { type: 'string' },
        tags: { type: 'array', maxItems: 3, items: { type: 'string', maxLength: 9 } },
        many: { type: 'array', items: { const: 1 } },
      },
    };
    const rateLimited = op.responses['429'].$ref.split('/').pop();
    doc.components.responses[rateLimited].headers = { ...doc.components.responses[rateLimited].headers, 'Retry-After': undefined };
    doc.servers = [{ ...doc.servers[0], url: 'http://api.internal' }];
    delete op.operationId;
    const file = writeDoc(JSON.parse(JSON.stringify(doc)));
    const rules = new Set((await spectralLint(file)).map((f) => `${f.rule}@${f.where.startsWith('paths') ? path : f.where.split('.')[0]}`));
    expect([...rules]).toEqual(
      expect.arrayContaining([
        `pika-request-string-limit@${path}`,
        `pika-request-array-limit@${path}`,
        'owasp:api4:2023-rate-limit-retry-after@components',
        'owasp:api8:2023-no-server-http@servers',
      ]),
    );
    expect((await redocly(file)).map((f) => f.rule)).toContain('operation-operationId');
  });
});
