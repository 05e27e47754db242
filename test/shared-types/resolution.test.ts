/**
 * Inside this repository pika-shared/* is its source (tsconfig.json `paths`, vitest resolve.tsconfigPaths),
 * even once dist/ is built for the package's users: the backend, its tests and its Lambda bundles never run
 * a stale build.
 */
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as viaPackage from 'pika-shared/util/bedrock';
import * as viaSource from '../../shared-types/src/util/bedrock';

const root = resolve(import.meta.dirname, '../..');

describe('pika-shared inside the repository', () => {
  it('is the source module under vitest', () => {
    expect(viaPackage.normalizeSessionAttributes).toBe(viaSource.normalizeSessionAttributes);
  });

  it('is bundled from source by esbuild (as the Lambda bundles are)', async () => {
    const r = await build({
      stdin: { contents: "export { normalizeSessionAttributes } from 'pika-shared/util/bedrock';", resolveDir: join(root, 'functions'), loader: 'ts' },
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
    });
    expect(Object.keys(r.metafile.inputs)).toContain('shared-types/src/util/bedrock.ts');
  });
});
