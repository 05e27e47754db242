/** Every test file runs in exactly one tier (vitest.config.ts): a file in a new directory cannot be left out. */
import { globSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TIERS } from '../../vitest.config';

const root = resolve(import.meta.dirname, '../..');
const files = (patterns: string[]) => new Set(patterns.flatMap((p) => globSync(p, { cwd: root })));

describe('test tiers', () => {
  it('each test file is in exactly one tier', () => {
    const all = [...files(['test/**/*.test.ts', 'examples/*/test/**/*.test.ts'])].sort();
    expect(all.length).toBeGreaterThan(30);
    const tiersOf = new Map(all.map((f) => [f, [] as string[]]));
    for (const [name, tier] of Object.entries(TIERS)) {
      const excluded = files(tier.exclude);
      for (const f of files(tier.include)) if (!excluded.has(f)) tiersOf.get(f)?.push(name);
    }
    expect([...tiersOf].filter(([, t]) => t.length !== 1)).toEqual([]);
  });

  it('the unit tier has no global setup (no DynamoDB Local, no package build); the others start DynamoDB Local', () => {
    expect(Object.entries(TIERS).map(([name, t]) => [name, t.globalSetup.length > 0, t.globalSetup.some((f) => f.endsWith('global-setup.ts'))])).toEqual([
      ['unit', false, false],
      ['integration', true, true],
      ['slow', true, true],
      ['big', true, true],
    ]);
  });
});
