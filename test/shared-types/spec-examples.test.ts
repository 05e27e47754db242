/**
 * The spec's example code must compile against pika-shared. The fixtures hold the examples verbatim (plus
 * marked prelude lines: a `// prelude` comment line makes the line after it prelude); this test compiles
 * them with tsc, proves the check can fail, and proves the fixtures still match the spec text.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const fixtures = join(root, 'test/fixtures/spec-examples');
const spec = resolve(root, '../shared/spec/session-user-types.md');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

const runTsc = (project: string) => spawnSync(process.execPath, [tsc, '--noEmit', '-p', project], { cwd: root, encoding: 'utf8' });

function exampleLines(file: string): string[] {
  const lines = readFileSync(join(fixtures, file), 'utf8').split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim().startsWith('// prelude')) {
      i++; // the marked line is prelude too
      continue;
    }
    const norm = lines[i]!.replace(/\s+/g, ' ').trim();
    if (norm) out.push(norm);
  }
  return out;
}

const files = readdirSync(fixtures).filter((f) => f.endsWith('.ts'));

describe('spec examples', () => {
  it('compile against pika-shared', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
    const r = runTsc(join(fixtures, 'tsconfig.json'));
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the check fails on an example that breaks the contract', () => {
    const dir = mkdtempSync(join(root, 'node_modules/.spec-neg-'));
    try {
      cpSync(fixtures, dir, { recursive: true });
      const user = join(dir, 'user.ts');
      writeFileSync(user, readFileSync(user, 'utf8').replace("userType: 'external-user'", "userType: 'outside-user'"));
      const r = runTsc(join(dir, 'tsconfig.json'));
      expect(r.status).not.toBe(0);
      expect(r.stdout).toContain('outside-user');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(existsSync(spec))('fixtures are the spec text, verbatim', () => {
    const specLines = readFileSync(spec, 'utf8').split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).filter(Boolean);
    for (const file of files) {
      const lines = exampleLines(file);
      expect(lines.length, file).toBeGreaterThan(0);
      const start = specLines.findIndex((l, i) => lines.every((x, j) => specLines[i + j] === x));
      expect(start, `${file} is not a contiguous block of the spec`).toBeGreaterThanOrEqual(0);
    }
  });
});

