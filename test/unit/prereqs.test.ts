/** `npm test`'s first step (scripts/check-prereqs.ts): what is missing and the one command that installs it. */
import { describe, expect, it } from 'vitest';
import { prereqVerdict, type PrereqProbe } from '../../scripts/prereqs';

const probe = (over: Partial<PrereqProbe> = {}): PrereqProbe => ({
  java: true,
  chromium: { path: '/usr/bin/chromium', fromEnv: false, executable: true },
  root: true,
  lambdaRic: { built: true, missingTools: [] },
  ...over,
});
const noChromium = { path: '/usr/bin/chromium', fromEnv: false, executable: false };

describe('prerequisites of npm test', () => {
  it('all there: ok, nothing to say', () => {
    expect(prereqVerdict(probe())).toEqual({ ok: true, missing: [], lines: [] });
  });

  it('Java missing: the one apt-get command for it', () => {
    const v = prereqVerdict(probe({ java: false }));
    expect(v).toMatchObject({ ok: false, missing: ['java'], command: 'apt-get install -y default-jre-headless' });
    expect(v.lines.join('\n')).toContain('`java -version`');
  });

  it('Chromium missing: the one apt-get command for it', () => {
    const v = prereqVerdict(probe({ chromium: noChromium }));
    expect(v).toMatchObject({ ok: false, missing: ['chromium'], command: 'apt-get install -y chromium' });
    expect(v.lines.join('\n')).toContain('/usr/bin/chromium');
  });

  it('both missing: one command installs both; sudo when not root', () => {
    expect(prereqVerdict(probe({ java: false, chromium: noChromium })).command).toBe('apt-get install -y default-jre-headless chromium');
    expect(prereqVerdict(probe({ java: false, chromium: noChromium, root: false })).command).toBe('sudo apt-get install -y default-jre-headless chromium');
  });

  it('a CHROMIUM_PATH that is no executable is named, with how to fix it', () => {
    const v = prereqVerdict(probe({ chromium: { path: '/opt/chrome/nope', fromEnv: true, executable: false } }));
    expect(v).toMatchObject({ ok: false, missing: ['chromium'] });
    expect(v.command).toBeUndefined();
    expect(v.lines.join('\n')).toMatch(/CHROMIUM_PATH=\/opt\/chrome\/nope/);
    expect(v.lines.join('\n')).toContain('apt-get install -y chromium');
    // With CHROMIUM_PATH pointing at a browser, /usr/bin/chromium is not needed.
    expect(prereqVerdict(probe({ chromium: { path: '/opt/chrome/chrome', fromEnv: true, executable: true } })).ok).toBe(true);
  });

  it('aws-lambda-ric not built: fine when its build tools are here (npm test builds it), else installs them with the rest', () => {
    expect(prereqVerdict(probe({ lambdaRic: { built: false, missingTools: [] } })).ok).toBe(true);
    // Built already: its build tools are not needed.
    expect(prereqVerdict(probe({ lambdaRic: { built: true, missingTools: ['cmake'] } })).ok).toBe(true);
    const both = prereqVerdict(probe({ java: false, lambdaRic: { built: false, missingTools: ['cmake', 'xz'] } }));
    expect(both).toMatchObject({ ok: false, missing: ['java', 'lambda-ric'] });
    expect(both.command).toBe('apt-get install -y default-jre-headless cmake xz-utils');
    expect(both.lines.join('\n')).toContain('cmake, xz (missing here)');
  });
});
