import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { AgentConfig } from 'pika-shared/types/chatbot/chatbot-types';
import { keys } from '../../functions/data/keys';
import { acknowledgeNag } from '../nag';

export interface ChatAgentsProps {
  readonly table: dynamodb.ITable;
  /** By agentId: what `PUT /admin/agents/{agentId}` takes (agent or inline definition, pricing, title model). */
  readonly agents: Readonly<Record<string, Omit<AgentConfig, 'agentId' | 'createDate' | 'lastUpdate'>>>;
}

type AttributeValue = { S: string } | { N: string } | { BOOL: boolean } | { NULL: true } | { L: AttributeValue[] } | { M: Record<string, AttributeValue> };

/** JSON value -> DynamoDB AttributeValue (what the document client does for the functions). */
export function toAttributeValue(value: unknown): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(toAttributeValue) };
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return { M: Object.fromEntries(entries.map(([k, v]) => [k, toAttributeValue(v)])) };
  }
  throw new Error(`cannot store ${typeof value} in DynamoDB`);
}

/** The item the admin API would store for this agent (same key builder, same attributes). */
export function agentItem(agentId: string, agent: ChatAgentsProps['agents'][string]): Record<string, AttributeValue> {
  const item = { ...agent, agentId, ...keys.agent(agentId) };
  return (toAttributeValue(item) as { M: Record<string, AttributeValue> }).M;
}

/**
 * Registers the stage's configured agents in the table at deploy, as `PUT /admin/agents/{agentId}` would:
 * written when the configuration changes (overwriting edits made through the API), deleted when an agent
 * leaves the configuration.
 */
export class ChatAgents extends Construct {
  constructor(scope: Construct, id: string, props: ChatAgentsProps) {
    super(scope, id);
    const entries = Object.entries(props.agents);
    if (entries.length === 0) return;
    const policy = cr.AwsCustomResourcePolicy.fromStatements([
      new iam.PolicyStatement({ actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], resources: [props.table.tableArn] }),
    ]);
    for (const [agentId, agent] of entries) {
      const put: cr.AwsSdkCall = {
        service: 'DynamoDB',
        action: 'PutItem',
        parameters: { TableName: props.table.tableName, Item: agentItem(agentId, agent) },
        physicalResourceId: cr.PhysicalResourceId.of(`agent-${agentId}`),
        logging: cr.Logging.withDataHidden(),
      };
      new cr.AwsCustomResource(this, `Agent-${agentId}`, {
        onCreate: put,
        onUpdate: put,
        onDelete: {
          service: 'DynamoDB',
          action: 'DeleteItem',
          parameters: { TableName: props.table.tableName, Key: (toAttributeValue(keys.agent(agentId)) as { M: Record<string, AttributeValue> }).M },
          ignoreErrorCodesMatching: 'ResourceNotFoundException',
          logging: cr.Logging.withDataHidden(),
        },
        policy,
        installLatestAwsSdk: false,
      });
    }
  }
}

/** Acknowledgements for the AwsCustomResource provider function (a stack-level singleton). */
export function acknowledgeAgentProvider(stackScope: Construct): void {
  const provider = stackScope.node.tryFindChild('AWS679f53fac002430cb0da5b7982bd2287');
  if (!provider) return;
  acknowledgeNag(
    provider,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'CDK\u2019s AwsCustomResource provider writes its logs with the AWS-managed minimum; its only other permission is PutItem/DeleteItem on the table.',
  );
}
