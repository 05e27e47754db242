/**
 * A Bedrock agent with the orders action group, and an alias for the chat backend to invoke. Register it in
 * the chat backend as an agent `{ kind: 'bedrock-agent', bedrockAgentId, bedrockAgentAliasId }` (the outputs):
 * its converse relay sends the session attributes this Lambda reads.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { OrderStatusActionGroup } from './order-status-action-group.js';

export interface SupportAgentStackProps extends StackProps {
  /** A foundation model (or inference profile) id the agent runs on. */
  readonly foundationModel: string;
  readonly router?: 'plain' | 'powertools';
}

export class SupportAgentStack extends Stack {
  constructor(scope: Construct, id: string, props: SupportAgentStackProps) {
    super(scope, id, props);
    const orders = new OrderStatusActionGroup(this, 'Orders', { router: props.router ?? 'plain' });

    const role = new iam.Role(this, 'AgentRole', { assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com') });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
        resources: [`arn:${this.partition}:bedrock:${this.region}::foundation-model/${props.foundationModel}`],
      }),
    );

    const agent = new bedrock.CfnAgent(this, 'Agent', {
      agentName: 'support-agent',
      foundationModel: props.foundationModel,
      agentResourceRoleArn: role.roleArn,
      instruction: "You help customers with their orders. Use the orders tools to answer questions about an order's status.",
      autoPrepare: true,
      actionGroups: [orders.actionGroup],
    });
    orders.grantInvokeTo(agent);
    const alias = new bedrock.CfnAgentAlias(this, 'Alias', { agentId: agent.attrAgentId, agentAliasName: 'live' });

    new CfnOutput(this, 'BedrockAgentId', { value: agent.attrAgentId });
    new CfnOutput(this, 'BedrockAgentAliasId', { value: alias.attrAgentAliasId });
  }
}
