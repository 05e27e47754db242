/**
 * The CDK app: one stack per stage (`npx cdk synth -c stage=dev`, or PIKA_STAGE). Stages live side by side in
 * one account; lib/config/stages.ts holds their configuration. cdk-nag's AwsSolutions checks run at synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stageConfig, STAGES } from '../lib/config/stages';
import { PikaChatStack } from '../lib/pika-chat-stack';

const app = new App();
const requested = (app.node.tryGetContext('stage') as string | undefined) ?? process.env.PIKA_STAGE;
const stages = requested === 'all' ? Object.keys(STAGES) : [requested ?? 'dev'];
for (const stage of stages) {
  const config = stageConfig(stage);
  new PikaChatStack(app, `PikaChat-${stage}`, {
    config,
    ...(config.env.account || config.env.region ? { env: { account: config.env.account, region: config.env.region } } : {}),
    description: `Pika chat backend (${stage})`,
    tags: { app: 'pika-chat', stage },
  });
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
