/**
 * Synthesizes one stage with its Lambda bundles (local esbuild) into a given directory. Run as a child
 * process by test/deployed/stack.ts so that the bundler's output stays out of the test output.
 * Usage: node --import tsx test/deployed/synth-main.ts <stage> <outdir>
 */
import { App } from 'aws-cdk-lib';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stageConfig } from '../../lib/config/stages';
import { PikaChatStack } from '../../lib/pika-chat-stack';
import { CDK_CONTEXT } from '../cdk/helpers';

const [stage, outdir] = process.argv.slice(2);
if (!stage || !outdir) throw new Error('usage: synth-main.ts <stage> <outdir>');
const app = new App({
  outdir,
  builtinCloudFormationValidation: false,
  context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': ['**'], 'aws:cdk:enable-asset-metadata': true },
});
const stack = new PikaChatStack(app, `PikaChat-${stage}`, { config: stageConfig(stage) });
app.synth();
writeFileSync(join(outdir, 'deployed-tier.json'), JSON.stringify({ stackName: stack.stackName, template: `${stack.stackName}.template.json` }));
