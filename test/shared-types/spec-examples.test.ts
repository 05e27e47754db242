/**
 * The spec's example code must compile against pika-shared. The fixtures hold the examples verbatim (plus
 * marked prelude lines: a `// prelude` comment line makes the line after it prelude); this test compiles
 * them with tsc, proves the check can fail, and proves the fixtures still match the spec text.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { committedBlocks, exampleLines, findBlock, normalized, specSource } from '../support/spec-blocks';

const root = resolve(import.meta.dirname, '../..');
const fixtures = join(root, 'test/fixtures/spec-examples');
// ../shared/spec where present (CI), else the committed copy of the blocks the fixtures come from: never skipped.
const spec = specSource();
const tsc = join(root, 'node_modules/typescript/bin/tsc');

const runTsc = (project: string) => spawnSync(process.execPath, [tsc, '--noEmit', '-p', project], { cwd: root, encoding: 'utf8' });

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

  it(`fixtures are the spec text, verbatim (${relative(root, spec.path)})`, () => {
    const specLines = normalized(readFileSync(spec.path, 'utf8'));
    for (const file of files) {
      const lines = exampleLines(file);
      expect(lines.length, file).toBeGreaterThan(0);
      const start = findBlock(specLines, lines);
      expect(start, `${file} is not a contiguous block of the spec`).toBeGreaterThanOrEqual(0);
    }
    if (spec.shared) {
      // The committed copy, used where ../shared is absent, is still the spec's text (refresh: npx tsx test/support/spec-blocks.ts).
      const blocks = committedBlocks();
      expect(blocks.map((b) => b.file).sort()).toEqual([...files].sort());
      for (const b of blocks) expect(findBlock(specLines, normalized(b.text)), `${b.file}: test/fixtures/spec is stale`).toBeGreaterThanOrEqual(0);
    }
  });
});
