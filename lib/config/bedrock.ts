/**
 * Which Bedrock resources the converse function may call, derived from a stage's `bedrock` settings: per agent
 * kind (AGENT_KIND_IAM, under the keys of the provider registry in functions/converse/providers/index.ts) the
 * actions and the resources of the configured agents, the models of inline agents (InvokeInlineAgent runs them
 * with the caller's permissions) and the title models (Converse).
 */
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { AgentKind, AgentOf } from '../../functions/converse/providers';
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

interface StackEnv {
  partition: string;
  region: string;
  account: string;
}

/** The IAM of one agent kind. */
export interface AgentKindIam<K extends AgentKind> {
  /** What converse calls for an agent of this kind. */
  actions: readonly string[];
  /** The ARNs one configured agent of this kind names. */
  arns(agent: AgentOf<K>, env: StackEnv): string[];
  /** The models one configured agent of this kind runs with the caller's permissions (granted InvokeModel*). */
  models?(agent: AgentOf<K>): string[];
  /** The statement's resources from the stage's access (configured agents and those registered later); none: no statement. */
  resources(access: BedrockAccess): string[];
  /** A statement id: keeps CDK from merging a "*" statement with another. */
  sid?: string;
  /** Why a resource of this kind ends in a wildcard (each such resource acknowledged to cdk-nag with it). */
  wildcardReason?: string;
}

/** Every agent kind's IAM; a kind without its row fails `tsc`. */
export const AGENT_KIND_IAM: { readonly [K in AgentKind]: AgentKindIam<K> } = {
  'bedrock-agent': {
    actions: ['bedrock:InvokeAgent'],
    arns: (a, { partition, region, account }) => [`arn:${partition}:bedrock:${region}:${account}:agent-alias/${a.bedrockAgentId}/${a.bedrockAgentAliasId}`],
    resources: (access) => access.agentAliasArns,
  },
  // InvokeInlineAgent has no resource-level permissions (AWS requires "*"); what the inline agent may run is
  // bounded by the InvokeModel statement on its model. Its own statement (a sid keeps CDK from merging it with
  // X-Ray's "*" statement).
  inline: {
    actions: ['bedrock:InvokeInlineAgent'],
    arns: () => [],
    models: (a) => [a.foundationModel],
    resources: (access) => (access.inlineAgents ? ['*'] : []),
    sid: 'InvokeInlineAgent',
  },
  // A harness runs on AgentCore Runtime, so invoking it needs both actions on the harness ARN.
  'agentcore-harness': {
    actions: ['bedrock-agentcore:InvokeHarness', 'bedrock-agentcore:InvokeAgentRuntime'],
    arns: (a) => [a.harnessArn],
    resources: (access) => access.harnessArns,
  },
  // A runtime agent is invoked for a user (runtimeUserId) and stopped on cancel, on the runtime and its endpoints.
  'agentcore-runtime': {
    actions: ['bedrock-agentcore:InvokeAgentRuntime', 'bedrock-agentcore:InvokeAgentRuntimeForUser', 'bedrock-agentcore:StopRuntimeSession'],
    arns: (a) => [a.agentRuntimeArn],
    resources: (access) => access.runtimeArns.flatMap((arn) => [arn, `${arn}/runtime-endpoint/*`]),
    wildcardReason: 'The endpoints (qualifiers) of one configured AgentCore runtime: a runtime is invoked through the endpoint its config names.',
  },
};

/** The row of an agent's kind, typed for that agent. */
const iamOf = <K extends AgentKind>(agent: AgentOf<K>) => AGENT_KIND_IAM[agent.kind as K] as AgentKindIam<K>;

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
  const env = { partition, region, account };
  const agents = Object.values(bedrock.agents).map((a) => a.agent);
  const arnsOf = (kind: AgentKind) => agents.flatMap((a) => (a.kind === kind ? iamOf(a).arns(a, env) : []));
  const kindModels = agents.flatMap((a) => iamOf(a).models?.(a) ?? []);
  const titleModels = Object.values(bedrock.agents).flatMap((a) => (a.titleModel ? [a.titleModel.modelId] : []));
  const unique = (ids: string[]) => [...new Set(ids.flatMap((id) => modelResourceArns(scope, id)))];
  const streaming = unique([...kindModels, ...bedrock.additionalModelIds]);
  const additionalOf = (type: string) => bedrock.additionalAgentCoreArns.filter((arn) => arn.includes(`:${type}/`));
  return {
    harnessArns: [...new Set([...arnsOf('agentcore-harness'), ...additionalOf('harness')])],
    runtimeArns: [...new Set([...arnsOf('agentcore-runtime'), ...additionalOf('runtime')])],
    agentAliasArns: [...new Set([...arnsOf('bedrock-agent'), ...bedrock.additionalAgentAliasArns])],
    streamingModelArns: streaming,
    modelArns: unique(titleModels).filter((arn) => !streaming.includes(arn)),
    inlineAgents: bedrock.inlineAgents || agents.some((a) => a.kind === 'inline'),
  };
}
