/**
 * What `npm test` needs beyond `npm ci`, checked in its first second (scripts/check-prereqs.ts) rather than
 * minutes in: Java for DynamoDB Local, Chromium for the browser tests (/usr/bin/chromium, or CHROMIUM_PATH),
 * the build tools of aws-lambda-ric's native client for the deployed tier (scripts/lambda-ric.ts builds it once).
 * `prereqVerdict` is the decision, a pure function of what `probePrereqs` found; `npm run test:unit` needs
 * neither and does not check.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { lambdaRicBuilt } from './lambda-ric';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export interface PrereqProbe {
  /** `java -version` ran and exited 0. */
  java: boolean;
  /** The browser the tests drive: CHROMIUM_PATH when set (`fromEnv`), else /usr/bin/chromium. */
  chromium: { path: string; fromEnv: boolean; executable: boolean };
  /** Root needs no sudo for apt-get. */
  root: boolean;
  /** aws-lambda-ric's native client is built (`built`), and which of its build tools are not on PATH (needed only to build it). */
  lambdaRic: { built: boolean; missingTools: string[] };
}

/** aws-lambda-ric's build tools, by Debian package. */
export const RIC_BUILD_TOOLS: Record<string, string> = { cmake: 'cmake', make: 'make', 'g++': 'g++', python3: 'python3', xz: 'xz-utils' };

export interface PrereqVerdict {
  ok: boolean;
  missing: ('java' | 'chromium' | 'lambda-ric')[];
  /** The one command that installs what is missing (Debian/Ubuntu packages). */
  command?: string;
  /** What to print, one line each (empty when ok). */
  lines: string[];
}

export function prereqVerdict(probe: PrereqProbe): PrereqVerdict {
  const missing: PrereqVerdict['missing'] = [];
  const packages: string[] = [];
  const lines: string[] = [];
  if (!probe.java) {
    missing.push('java');
    packages.push('default-jre-headless');
    lines.push('Java is missing (`java -version` failed): DynamoDB Local, which the tests run on, needs it.');
  }
  if (!probe.chromium.executable) {
    missing.push('chromium');
    if (probe.chromium.fromEnv) {
      lines.push(
        `CHROMIUM_PATH=${probe.chromium.path} is not an executable file: the browser tests drive it. Point it at Chromium, or unset it and \`apt-get install -y chromium\`.`,
      );
    } else {
      packages.push('chromium');
      lines.push(`Chromium is missing at ${probe.chromium.path}: the browser tests drive it (or set CHROMIUM_PATH to a Chromium).`);
    }
  }
  if (!probe.lambdaRic.built && probe.lambdaRic.missingTools.length) {
    missing.push('lambda-ric');
    packages.push(...probe.lambdaRic.missingTools.map((t) => RIC_BUILD_TOOLS[t] ?? t));
    lines.push(
      `The deployed tier runs the Lambda bundles under AWS's runtime interface client (aws-lambda-ric), built once from its sources with ${probe.lambdaRic.missingTools.join(', ')} (missing here).`,
    );
  }
  if (!missing.length) return { ok: true, missing, lines };
  const command = packages.length ? `${probe.root ? '' : 'sudo '}apt-get install -y ${packages.join(' ')}` : undefined;
  if (command) lines.push('Install it with:', `  ${command}`);
  return { ok: false, missing, ...(command ? { command } : {}), lines };
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Looks: runs `java -version`, checks the Chromium file. */
export function probePrereqs(env: NodeJS.ProcessEnv = process.env): PrereqProbe {
  const path = env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  return {
    java: spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0,
    chromium: { path, fromEnv: Boolean(env.CHROMIUM_PATH), executable: isExecutableFile(path) },
    root: process.getuid?.() === 0,
    lambdaRic: {
      built: lambdaRicBuilt(),
      missingTools: Object.keys(RIC_BUILD_TOOLS).filter((t) => spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0),
    },
  };
}
