/**
 * cdk-nag AwsSolutions over every configured stage: zero unacknowledged findings, every acknowledgement with
 * a reason and scoped to the constructs it is about; and the real entry point (bin/app.ts) synthesizes every
 * stage offline, or fails with a clear message for a bad stage.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STAGE_NAMES, stageConfig } from '../../lib/config/stages';
import { addNagChecks } from '../../lib/nag';
import { PikaChatStack } from '../../lib/pika-chat-stack';
import { CDK_CONTEXT, ROOT, synthStage } from './helpers';

describe('cdk-nag AwsSolutions', () => {
  it.each(STAGE_NAMES)('%s: no unacknowledged finding; every acknowledgement has a reason', (stage) => {
    const s = synthStage(stage); // throws on any unacknowledged error
    try {
      const nag = s.report.pluginReports.find((r) => r.pluginName === 'AwsSolutions');
      expect(nag?.conclusion).toBe('success');
      expect(nag!.violations.map((v) => `${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`)).toEqual([]); // warnings too
      expect(nag!.suppressedViolations!.length).toBeGreaterThan(0);
      for (const v of nag!.suppressedViolations!) expect(v.reason.length, v.ruleName).toBeGreaterThanOrEqual(40);
      // No stack-wide acknowledgement: each one sits on the construct it is about.
      for (const v of nag!.suppressedViolations!) expect(v.acknowledgedAt, v.ruleName).not.toBe(`PikaChat-${stage}`);
    } finally {
      s.cleanup();
    }
  });

  it.each(['staging', 'prod'])('%s pinned to an account and region: the acknowledgements still match', (stage) => {
    // Literal partition/region/account in ARNs change the finding ids (named secret, inference profile).
    const s = synthStage(stage, { overrides: { env: { account: '111122223333', region: 'eu-west-1' } } });
    s.cleanup();
    expect(s.stack.region).toBe('eu-west-1');
  });

  it('fails synth on an unacknowledged finding, also inside our stack next to acknowledged ones', () => {
    const app = new App({
      context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] },
      outdir: mkdtempSync(join(tmpdir(), 'pika-nag-')),
      builtinCloudFormationValidation: false,
    });
    const stack = new PikaChatStack(app, 'PikaChat-bad', { config: stageConfig('dev') });
    // The stack acknowledges SMG4 on its own two secrets only: a third secret without rotation is reported.
    new secretsmanager.Secret(stack, 'Unrotated');
    addNagChecks(app, false);
    expect(() => app.synth()).toThrow(/AwsSolutions-SMG4/);
    rmSync(app.outdir, { recursive: true, force: true });

    const bare = new App({ outdir: mkdtempSync(join(tmpdir(), 'pika-nag-')), builtinCloudFormationValidation: false });
    const other = new Stack(bare, 'Wide');
    new iam.Role(other, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }).addToPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:*'], resources: ['*'] }),
    );
    addNagChecks(bare, false);
    expect(() => bare.synth()).toThrow(/AwsSolutions-IAM5/);
    rmSync(bare.outdir, { recursive: true, force: true });
  });
});

describe('bin/app.ts', () => {
  const runApp = (context: Record<string, unknown>, env: Record<string, string> = {}) => {
    const outdir = mkdtempSync(join(tmpdir(), 'pika-app-'));
    // What `cdk synth` does: run the app with the merged context and an output directory, no AWS credentials.
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context }),
        CDK_VALIDATION: 'false',
        ...env,
      },
    });
    return { ...result, outdir };
  };

  it('synthesizes one stack per configured stage with -c stage=all, offline and without credentials', () => {
    const r = runApp({ stage: 'all' });
    try {
      expect(r.status, r.stderr).toBe(0);
      for (const stage of STAGE_NAMES) expect(existsSync(join(r.outdir, `PikaChat-${stage}.template.json`)), stage).toBe(true);
    } finally {
      rmSync(r.outdir, { recursive: true, force: true });
    }
  }, 60_000);

  it('takes the stage from PIKA_STAGE when no context is given, and rejects an unknown stage clearly', () => {
    const r = runApp({}, { PIKA_STAGE: 'no-such-stage' });
    rmSync(r.outdir, { recursive: true, force: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`Unknown stage "no-such-stage". Configured stages: ${STAGE_NAMES.join(', ')}`);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/); // a message, not a stack trace
  }, 30_000);
});
