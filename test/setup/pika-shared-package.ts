/**
 * Builds pika-shared (shared-types/dist) and packs it with `npm pack`, once per test run (global setup), so
 * the tests that consume it as its users do share one tarball: PIKA_SHARED_TARBALL.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = resolve(import.meta.dirname, '../..');
export const PACKAGE_DIR = join(ROOT, 'shared-types');

const exec = promisify(execFile);

/** tsdown run on this Node (the system `node` may be older), then `npm pack` without lifecycle scripts. */
export async function buildAndPackSharedTypes(): Promise<{ tarball: string; dir: string }> {
  await exec(process.execPath, [join(ROOT, 'node_modules/tsdown/dist/run.mjs'), '--logLevel', 'error'], { cwd: PACKAGE_DIR });
  const dir = mkdtempSync(join(tmpdir(), 'pika-shared-pack-'));
  const { stdout } = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: PACKAGE_DIR });
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  return { tarball: join(dir, packed!.filename), dir };
}

export function packedTarball(): string {
  const tarball = process.env.PIKA_SHARED_TARBALL;
  if (!tarball) throw new Error('PIKA_SHARED_TARBALL is not set: run through vitest.config.ts (its global setup packs pika-shared)');
  return tarball;
}
