/**
 * The CDK app: one stack per stage, `PikaChat-<stage>`, so stages live side by side in one account.
 *   npx cdk synth -c stage=dev       (or PIKA_STAGE=dev; default dev)
 *   npx cdk synth -c stage=all       (every stage of lib/config/stages.ts)
 * cdk-nag's AwsSolutions checks run at synth and fail it on any unacknowledged finding.
 */
import { App } from 'aws-cdk-lib';
import { STAGE_NAMES, stageConfig } from '../lib/config/stages';
import { addNagChecks } from '../lib/nag';
import { PikaChatStack } from '../lib/pika-chat-stack';

const app = new App();
const requested = String(app.node.tryGetContext('stage') ?? process.env.PIKA_STAGE ?? app.node.tryGetContext('pika:defaultStage') ?? 'dev');
const stages = requested === 'all' ? STAGE_NAMES : requested.split(',').map((s) => s.trim());

try {
  for (const stage of stages) {
    new PikaChatStack(app, `PikaChat-${stage}`, {
      config: stageConfig(stage),
      description: `Pika chat backend (${stage})`,
      tags: { app: 'pika-chat', stage },
    });
  }
} catch (err) {
  // A bad stage or configuration: one clear message, no stack trace.
  console.error(`\n${(err as Error).message}\n`);
  process.exit(1);
}
addNagChecks(app);
