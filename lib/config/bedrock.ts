/**
 * Which Bedrock resources the converse function may call, derived from a stage's `bedrock` settings: the
 * agent aliases for InvokeAgent, the models of inline agents (InvokeInlineAgent runs them with the caller's
 * permissions) and the title models (Converse).
 */
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { StageConfig } from './schema';

export interface BedrockAccess {
  /** bedrock:InvokeAgent */
  agentAliasArns: string[];
  /** bedrock:InvokeModel + InvokeModelWithResponseStream (inline agents stream their final answer). */
  streamingModelArns: string[];
  /** bedrock:InvokeModel (titles through the Converse API). */
  modelArns: string[];
  /** bedrock:InvokeInlineAgent, which has no resource-level permissions. */
  inlineAgents: boolean;
  /** bedrock-agentcore:InvokeHarness (+ InvokeAgentRuntime, which the harness runs on). */
  harnessArns: string[];
  /** bedrock-agentcore:InvokeAgentRuntime(+ForUser) and StopRuntimeSession, on the runtimes and their endpoints. */
  runtimeArns: string[];
}

/** Geography prefixes of cross-region inference profiles (us.anthropic..., eu.amazon..., global....). */
const PROFILE_GEOGRAPHIES = new Set(['us', 'us-gov', 'eu', 'apac', 'jp', 'au', 'ca', 'global']);

const profileBaseModel = (id: string): string | undefined => {
  const dot = id.indexOf('.');
  return dot > 0 && PROFILE_GEOGRAPHIES.has(id.slice(0, dot)) ? id.slice(dot + 1) : undefined;
};

/**
 * The ARNs a model id needs. A cross-region inference profile needs the profile and the foundation model in
 * every destination region of the profile: those regions are AWS's choice, hence the region wildcard
 * (`bedrock:*::foundation-model/<model>`), the only wildcard here (acknowledged in ChatFunctions).
 */
export function modelResourceArns(scope: IConstruct, modelId: string): string[] {
  const { partition, region, account } = Stack.of(scope);
  if (modelId.startsWith('arn:')) {
    const profile = /:inference-profile\/(.+)$/.exec(modelId)?.[1];
    const base = profile ? profileBaseModel(profile) : undefined;
    return base ? [modelId, `arn:${partition}:bedrock:*::foundation-model/${base}`] : [modelId];
  }
  const base = profileBaseModel(modelId);
  if (base) return [`arn:${partition}:bedrock:${region}:${account}:inference-profile/${modelId}`, `arn:${partition}:bedrock:*::foundation-model/${base}`];
  return [`arn:${partition}:bedrock:${region}::foundation-model/${modelId}`];
}

export function bedrockAccess(scope: IConstruct, bedrock: StageConfig['bedrock']): BedrockAccess {
  const { partition, region, account } = Stack.of(scope);
  const agents = Object.values(bedrock.agents);
  const aliasArns = agents.flatMap((a) =>
    a.agent.kind === 'bedrock-agent'
      ? [`arn:${partition}:bedrock:${region}:${account}:agent-alias/${a.agent.bedrockAgentId}/${a.agent.bedrockAgentAliasId}`]
      : [],
  );
  const inlineModels = agents.flatMap((a) => (a.agent.kind === 'inline' ? [a.agent.foundationModel] : []));
  const titleModels = agents.flatMap((a) => (a.titleModel ? [a.titleModel.modelId] : []));
  const unique = (ids: string[]) => [...new Set(ids.flatMap((id) => modelResourceArns(scope, id)))];
  const streaming = unique([...inlineModels, ...bedrock.additionalModelIds]);
  const agentCoreArns = [
    ...agents.flatMap((a) =>
      a.agent.kind === 'agentcore-harness' ? [a.agent.harnessArn] : a.agent.kind === 'agentcore-runtime' ? [a.agent.agentRuntimeArn] : [],
    ),
    ...bedrock.additionalAgentCoreArns,
  ];
  return {
    harnessArns: [...new Set(agentCoreArns.filter((arn) => arn.includes(':harness/')))],
    runtimeArns: [...new Set(agentCoreArns.filter((arn) => arn.includes(':runtime/')))],
    agentAliasArns: [...new Set([...aliasArns, ...bedrock.additionalAgentAliasArns])],
    streamingModelArns: streaming,
    modelArns: unique(titleModels).filter((arn) => !streaming.includes(arn)),
    inlineAgents: bedrock.inlineAgents || inlineModels.length > 0,
  };
}
