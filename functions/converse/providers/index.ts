/** Every provider behind one call: the adapter of the agent's kind (Agents Classic or AgentCore). */
import type { AgentCoreAgentRef } from 'pika-shared/types/chatbot/agentcore-types';
import type { AgentConfig } from 'pika-shared/types/chatbot/chatbot-types';
import { invokeClassic } from '../bedrock';
import { invokeHarness } from './agentcore-harness';
import { invokeAgentRuntime } from './agentcore-runtime';
import type { AgentCoreInvokeInput, ProviderEvent } from './events';

export function invokeAgentCore(agent: AgentCoreAgentRef, input: AgentCoreInvokeInput): AsyncGenerator<ProviderEvent> {
  return agent.kind === 'agentcore-harness' ? invokeHarness(agent, input) : invokeAgentRuntime(agent, input);
}

/** One stream contract whatever the kind: the agent's answer as ProviderEvents. */
export function invokeProvider(agent: AgentConfig['agent'], input: AgentCoreInvokeInput): AsyncGenerator<ProviderEvent> {
  return agent.kind === 'bedrock-agent' || agent.kind === 'inline' ? invokeClassic(agent, input) : invokeAgentCore(agent, input);
}

/** How long a provider session outlives its last turn (after that, the stored history is sent again). */
export function providerIdleSeconds(config: AgentConfig): number {
  if (config.providerSessionIdleSeconds !== undefined) return config.providerSessionIdleSeconds;
  if (config.agent.kind === 'inline') return config.agent.idleSessionTTLInSeconds ?? CLASSIC_IDLE_SECONDS;
  return config.agent.kind === 'bedrock-agent' ? CLASSIC_IDLE_SECONDS : DEFAULT_PROVIDER_IDLE_SECONDS;
}

/** Agents Classic keep a session 600 s after its last turn unless the agent says otherwise (idleSessionTTLInSeconds). */
export const CLASSIC_IDLE_SECONDS = 600;

import { DEFAULT_PROVIDER_IDLE_SECONDS } from './agentcore-client';
export { abortable, agentCoreClient, baggageFor, DEFAULT_PROVIDER_IDLE_SECONDS, providerSessionId, providerSessionMayBeGone } from './agentcore-client';
export { harnessHistory, harnessRequest, invokeHarness } from './agentcore-harness';
export { AgentRuntimeError, invokeAgentRuntime, RUNTIME_ACCEPT, stopRuntimeSession } from './agentcore-runtime';
export type { AgentCoreInvokeInput, ProviderEvent, TokenUsage, ToolEvent } from './events';
export { utf8Stream, type Utf8Stream } from './utf8';
