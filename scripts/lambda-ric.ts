/**
 * AWS's Lambda runtime interface client (aws-lambda-ric), which the deployed tier runs the bundles under, built
 * once into the user's cache (below) — not a dependency of `npm ci`: its install scripts compile curl, aws-lambda-cpp
 * and a node-gyp addon (cmake, make, g++, python3, xz), and node-gyp would download Node's headers unless told
 * where local ones are. Here they are always local (nodeHeaders), so nothing but the npm registry is reached.
 * `npm test` builds it in its first step (scripts/check-prereqs.ts); `npm run build:ric` does it alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const LAMBDA_RIC_VERSION = '4.0.2';
const ROOT = resolve(import.meta.dirname, '..');

/**
 * Where it is built: the user's cache (PIKA_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache, /pika-chat-backend), kept
 * across `npm ci` and fresh clones on one machine — the build is a minute or two of compiling; the clone's
 * node_modules/.cache where the user's is not writable. A build in either is used.
 */
const CACHES = [
  join(
    process.env.PIKA_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pika-chat-backend'),
    'aws-lambda-ric',
    `${LAMBDA_RIC_VERSION}-${process.platform}-${process.arch}`,
  ),
  join(ROOT, 'node_modules', '.cache', 'aws-lambda-ric', LAMBDA_RIC_VERSION),
];
const packageIn = (dir: string) => join(dir, 'node_modules', 'aws-lambda-ric');
const builtIn = (dir: string) => existsSync(join(packageIn(dir), 'rapid-client.node'));
const DIR = CACHES.find(builtIn) ?? CACHES[0]!;

/** Its entry point (what the managed runtime's bootstrap runs). */
export const lambdaRicEntry = (): string => join(packageIn(CACHES.find(builtIn) ?? DIR), 'index.mjs');
export const lambdaRicBuilt = (): boolean => CACHES.some(builtIn);

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

/**
 * Builds it unless built, in a directory of its own then renamed into place (clones building at once do not
 * mix their files); the build's output goes to a log file, named on failure.
 */
export function buildLambdaRic(): { ok: true } | { ok: false; reason: string } {
  if (lambdaRicBuilt()) return { ok: true };
  const headers = nodeHeaders();
  if (!headers) return { ok: false, reason: 'no Node headers found (include/node): set npm_config_nodedir to a Node install prefix that has them' };
  const target = CACHES.find((dir) => {
    try {
      mkdirSync(dirname(dir), { recursive: true });
      return true;
    } catch {
      return false; // not writable: the next one
    }
  });
  if (!target) return { ok: false, reason: `no writable cache directory for aws-lambda-ric (${CACHES.join(', ')})` };
  const work = mkdtempSync(`${target}.building-`);
  const log = `${target}.build.log`;
  const out = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      work,
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
  if (out.status !== 0 || !builtIn(work)) {
    rmSync(work, { recursive: true, force: true });
    return { ok: false, reason: `npm install aws-lambda-ric@${LAMBDA_RIC_VERSION} failed (exit ${out.status}): see ${log}` };
  }
  try {
    if (!builtIn(target)) {
      rmSync(target, { recursive: true, force: true }); // a partial one (an interrupted build of before)
      renameSync(work, target);
    }
  } catch {
    // another clone put its build in place first: that one is used
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return builtIn(target) ? { ok: true } : { ok: false, reason: `aws-lambda-ric was built but is not in ${target}` };
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
