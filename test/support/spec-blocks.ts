/**
 * The spec's example code, for test/shared-types/spec-examples.test.ts. The spec lives beside the repository
 * (../shared/spec, present in CI); a clean checkout without it uses a committed copy of the blocks the
 * fixtures come from (test/fixtures/spec/session-user-types.blocks.md). Refresh that copy after a spec change:
 *   npx tsx test/support/spec-blocks.ts
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
export const FIXTURES = join(root, 'test/fixtures/spec-examples');
export const SHARED_SPEC_DIR = resolve(root, '../shared/spec');
export const SHARED_SPEC = join(SHARED_SPEC_DIR, 'session-user-types.md');
export const COMMITTED_BLOCKS = join(root, 'test/fixtures/spec/session-user-types.blocks.md');

/** Lines compared whitespace-insensitively; blank lines and the copy's `<!-- … -->` markers do not count. */
export const normalized = (text: string) =>
  text
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l && !l.startsWith('<!--'));

/** A fixture's example lines: a `// prelude` comment line makes the line after it prelude (not from the spec). */
export function exampleLines(file: string): string[] {
  const lines = readFileSync(join(FIXTURES, file), 'utf8').split('\n');
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

export const fixtureFiles = () => readdirSync(FIXTURES).filter((f) => f.endsWith('.ts'));

/** Index in `lines` where `block` starts as a contiguous run, or -1. */
export const findBlock = (lines: string[], block: string[]) => lines.findIndex((_, i) => block.every((x, j) => lines[i + j] === x));

/**
 * Where the spec is read from: ../shared/spec when that directory exists (then the spec file must be there),
 * otherwise the committed copy. Never nothing.
 */
export function specSource(): { path: string; shared: boolean } {
  return existsSync(SHARED_SPEC_DIR) ? { path: SHARED_SPEC, shared: true } : { path: COMMITTED_BLOCKS, shared: false };
}

/** The committed copy's blocks: the spec's raw lines each fixture matches. */
export function committedBlocks(): { file: string; text: string }[] {
  const text = readFileSync(COMMITTED_BLOCKS, 'utf8');
  return [...text.matchAll(/<!-- block (\S+) -->\n([\s\S]*?)<!-- end -->/g)].map((m) => ({ file: m[1]!, text: m[2]! }));
}

/** Renders the committed copy from the spec: for each fixture, the raw spec lines its example matches. */
export function renderBlocks(specText: string): string {
  const raw = specText.split('\n');
  const keep = raw.map((l, i) => ({ norm: l.replace(/\s+/g, ' ').trim(), i })).filter((x) => x.norm && !x.norm.startsWith('<!--'));
  const out = [
    '<!-- The blocks of ../shared/spec/session-user-types.md that test/fixtures/spec-examples/*.ts hold, verbatim:',
    '     used by test/shared-types/spec-examples.test.ts where ../shared/spec is absent. Refresh after a spec',
    '     change: npx tsx test/support/spec-blocks.ts -->',
    '',
  ];
  for (const file of fixtureFiles().sort()) {
    const lines = exampleLines(file);
    const start = findBlock(
      keep.map((k) => k.norm),
      lines,
    );
    if (start < 0) throw new Error(`${file} is not a contiguous block of the spec`);
    const from = keep[start]!.i;
    const to = keep[start + lines.length - 1]!.i;
    out.push(`<!-- block ${file} -->`, ...raw.slice(from, to + 1), '<!-- end -->', '');
  }
  return out.join('\n');
}

if (process.argv[1] && basename(process.argv[1]) === 'spec-blocks.ts') {
  writeFileSync(COMMITTED_BLOCKS, renderBlocks(readFileSync(SHARED_SPEC, 'utf8')));
  console.log(`wrote ${COMMITTED_BLOCKS}`);
}
