/** The AgentCore providers behind one call: the adapter of the agent's kind. */
import type { AgentCoreAgentRef } from 'pika-shared/types/chatbot/agentcore-types';
import { invokeHarness } from './agentcore-harness';
import { invokeAgentRuntime } from './agentcore-runtime';
import type { AgentCoreInvokeInput, ProviderEvent } from './events';

export function invokeAgentCore(agent: AgentCoreAgentRef, input: AgentCoreInvokeInput): AsyncGenerator<ProviderEvent> {
  return agent.kind === 'agentcore-harness' ? invokeHarness(agent, input) : invokeAgentRuntime(agent, input);
}

export { abortable, agentCoreClient, baggageFor, DEFAULT_PROVIDER_IDLE_SECONDS, providerSessionId, providerSessionMayBeGone } from './agentcore-client';
export { harnessHistory, harnessRequest, invokeHarness } from './agentcore-harness';
export { AgentRuntimeError, invokeAgentRuntime, RUNTIME_ACCEPT, stopRuntimeSession } from './agentcore-runtime';
export type { AgentCoreInvokeInput, ProviderEvent, TokenUsage, ToolEvent } from './events';
export { utf8Stream, type Utf8Stream } from './utf8';
