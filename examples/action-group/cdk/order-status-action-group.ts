/**
 * The action-group Lambda and the action group to put on a Bedrock agent (CfnAgent `actionGroups`).
 * Call grantInvokeTo(agent) once the agent exists: Bedrock invokes the function as the agent.
 */
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import type * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';

export interface OrderStatusActionGroupProps {
  /** Which handler to deploy: the plain one or the Powertools router (same tool, same answers). */
  readonly router?: 'plain' | 'powertools';
}

export class OrderStatusActionGroup extends Construct {
  readonly fn: NodejsFunction;
  readonly actionGroup: bedrock.CfnAgent.AgentActionGroupProperty;

  constructor(scope: Construct, id: string, props: OrderStatusActionGroupProps = {}) {
    super(scope, id);
    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(import.meta.dirname, '../src', props.router === 'powertools' ? 'powertools-handler.ts' : 'handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(10),
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        // CommonJS dependencies inside an ESM bundle still call require(): give them one.
        banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
    this.actionGroup = {
      actionGroupName: 'orders',
      description: "Looks up the user's orders",
      actionGroupExecutor: { lambda: this.fn.functionArn },
      functionSchema: {
        functions: [
          {
            name: 'getOrderStatus',
            description: "The status of one of the user's orders",
            parameters: { orderId: { type: 'string', description: 'The order id', required: true } },
          },
        ],
      },
    };
  }

  /** Lets this agent (and only it) invoke the function. */
  grantInvokeTo(agent: bedrock.CfnAgent): void {
    this.fn.addPermission('InvokedByAgent', {
      principal: new iam.ServicePrincipal('bedrock.amazonaws.com'),
      sourceArn: agent.attrAgentArn,
      sourceAccount: Stack.of(this).account,
    });
  }
}
