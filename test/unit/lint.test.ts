/** The lint `npm test` runs (biome.json): unused code in production modules fails it. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIOME = resolve('node_modules/@biomejs/biome/bin/biome');
// A scratch project with this repository's biome.json, so that its include patterns and rules apply.
const dir = mkdtempSync(join(tmpdir(), 'pika-lint-'));
copyFileSync('biome.json', join(dir, 'biome.json'));
mkdirSync(join(dir, 'functions/data'), { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lint(source: string, command: 'lint' | 'check' = 'lint') {
  writeFileSync(join(dir, 'functions/data/example.ts'), source);
  const out = spawnSync(process.execPath, [BIOME, command, '--colors=off', 'functions'], { cwd: dir, encoding: 'utf8' });
  return { status: out.status, text: out.stdout + out.stderr };
}

describe('lint', () => {
  it('rejects an unused import, variable and parameter in a production module', () => {
    const out = lint("import * as z from 'zod';\nexport function f(a: number, b: number) {\n  const unused = 1;\n  return a;\n}\n");
    expect(out.status).not.toBe(0);
    for (const rule of ['noUnusedImports', 'noUnusedVariables', 'noUnusedFunctionParameters']) expect(out.text).toContain(rule);
  });

  it('passes the same module without the unused code', () => {
    expect(lint('export function f(a: number) {\n  return a;\n}\n').status).toBe(0);
  });

  it('the check npm test runs also rejects unformatted code', () => {
    const out = lint('export function f(a: number) { return a }\n', 'check');
    expect(out.status).not.toBe(0);
    expect(out.text).toContain('format');
    expect(lint('export function f(a: number) {\n  return a;\n}\n', 'check').status).toBe(0);
  });
});
