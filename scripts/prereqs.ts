/**
 * What `npm test` needs beyond `npm ci`, checked in its first second (scripts/check-prereqs.ts) rather than
 * minutes in: Java for DynamoDB Local, Chromium for the browser tests (/usr/bin/chromium, or CHROMIUM_PATH).
 * `prereqVerdict` is the decision, a pure function of what `probePrereqs` found; `npm run test:unit` needs
 * neither and does not check.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export interface PrereqProbe {
  /** `java -version` ran and exited 0. */
  java: boolean;
  /** The browser the tests drive: CHROMIUM_PATH when set (`fromEnv`), else /usr/bin/chromium. */
  chromium: { path: string; fromEnv: boolean; executable: boolean };
  /** Root needs no sudo for apt-get. */
  root: boolean;
}

export interface PrereqVerdict {
  ok: boolean;
  missing: ('java' | 'chromium')[];
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
  };
}
