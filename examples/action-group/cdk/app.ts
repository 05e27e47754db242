/** `npx cdk deploy --app "npx tsx cdk/app.ts"` */
import { App } from 'aws-cdk-lib';
import { SupportAgentStack } from './agent-stack.js';

const app = new App();
new SupportAgentStack(app, 'SupportAgent', { foundationModel: app.node.tryGetContext('foundationModel') ?? 'anthropic.claude-3-5-haiku-20241022-v1:0' });
