/** One Node.js major everywhere: the functions' Lambda runtime, the bundles' target, the pinned local Node, engines. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAMBDA_NODE_RUNTIME, LAMBDA_NODE_TARGET } from '../../lib/constructs/bundling';

const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8'));

describe('the Node.js version', () => {
  it('the Lambda runtime, the esbuild target, the `node` dev dependency and engines name the same major', () => {
    const major = /^nodejs(\d+)\.x$/.exec(LAMBDA_NODE_RUNTIME)?.[1];
    expect(major).toBeDefined();
    expect(LAMBDA_NODE_TARGET).toBe(`node${major}`);
    expect(pkg.devDependencies.node).toMatch(new RegExp(`^\\^${major}\\.\\d+\\.\\d+$`));
    expect(pkg.engines.node).toBe(`>=${major}`);
  });
});
