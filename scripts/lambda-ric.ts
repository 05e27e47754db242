/**
 * AWS's Lambda runtime interface client (aws-lambda-ric), which the deployed tier runs the bundles under, built
 * once into node_modules/.cache — not a dependency of `npm ci`: its install scripts compile curl, aws-lambda-cpp
 * and a node-gyp addon (cmake, make, g++, python3, xz), and node-gyp would download Node's headers unless told
 * where local ones are. Here they are always local (nodeHeaders), so nothing but the npm registry is reached.
 * `npm test` builds it in its first step (scripts/check-prereqs.ts); `npm run build:ric` does it alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const LAMBDA_RIC_VERSION = '4.0.2';
const ROOT = resolve(import.meta.dirname, '..');
const DIR = join(ROOT, 'node_modules', '.cache', 'aws-lambda-ric', LAMBDA_RIC_VERSION);
const PACKAGE = join(DIR, 'node_modules', 'aws-lambda-ric');

/** Its entry point (what the managed runtime's bootstrap runs). */
export const lambdaRicEntry = (): string => join(PACKAGE, 'index.mjs');
export const lambdaRicBuilt = (): boolean => existsSync(join(PACKAGE, 'rapid-client.node'));

/** A Node install prefix with headers node-gyp can build against (an N-API addon: any recent Node's serve). */
export function nodeHeaders(): string | undefined {
  const prefixOf = (bin: string) => resolve(dirname(realpathSync(bin)), '..');
  const candidates = [process.env.npm_config_nodedir, prefixOf(process.execPath)];
  try {
    candidates.push(prefixOf(join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node')));
  } catch {
    // the pinned Node is not installed: the running one's or the system's
  }
  candidates.push('/usr', '/usr/local');
  return candidates.find((p) => p && existsSync(join(p, 'include', 'node', 'node_api.h')) && existsSync(join(p, 'include', 'node', 'common.gypi')));
}

/** Builds it unless built; the build's output goes to a log file, named on failure. */
export function buildLambdaRic(): { ok: true } | { ok: false; reason: string } {
  if (lambdaRicBuilt()) return { ok: true };
  const headers = nodeHeaders();
  if (!headers) return { ok: false, reason: 'no Node headers found (include/node): set npm_config_nodedir to a Node install prefix that has them' };
  mkdirSync(DIR, { recursive: true });
  const log = join(DIR, 'build.log');
  const out = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      DIR,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--foreground-scripts',
      `aws-lambda-ric@${LAMBDA_RIC_VERSION}`,
    ],
    { env: { ...process.env, npm_config_nodedir: headers }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  writeFileSync(log, `${out.stdout ?? ''}\n${out.stderr ?? ''}`);
  if (out.status !== 0 || !lambdaRicBuilt())
    return { ok: false, reason: `npm install aws-lambda-ric@${LAMBDA_RIC_VERSION} failed (exit ${out.status}): see ${log}` };
  return { ok: true };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(`Building aws-lambda-ric ${LAMBDA_RIC_VERSION} into ${DIR} …`);
  const r = buildLambdaRic();
  if (!r.ok) {
    console.error(r.reason);
    process.exit(1);
  }
  console.log('aws-lambda-ric is built.');
}
