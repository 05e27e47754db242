/** Every provider behind one call: the adapter of the agent's kind (Agents Classic or AgentCore). */
import type { AgentCoreAgentRef } from 'pika-shared/types/chatbot/agentcore-types';
import type { AgentConfig } from 'pika-shared/types/chatbot/chatbot-types';
import type { ProviderInput, ProviderEvent } from './events';
import type * as Runtime from './agentcore-runtime';
import { DEFAULT_PROVIDER_IDLE_SECONDS } from './provider-session';

// Each kind's adapter and SDK client load with its first turn: a container serves the kinds its chat apps use.
const classic = () => import('./classic');
const harness = () => import('./agentcore-harness');
const runtime = () => import('./agentcore-runtime');

export async function* invokeAgentCore(agent: AgentCoreAgentRef, input: ProviderInput): AsyncGenerator<ProviderEvent> {
  yield* agent.kind === 'agentcore-harness' ? (await harness()).invokeHarness(agent, input) : (await runtime()).invokeAgentRuntime(agent, input);
}

/** One stream contract whatever the kind: the agent's answer as ProviderEvents. */
export async function* invokeProvider(agent: AgentConfig['agent'], input: ProviderInput): AsyncGenerator<ProviderEvent> {
  yield* agent.kind === 'bedrock-agent' || agent.kind === 'inline' ? (await classic()).invokeClassic(agent, input) : invokeAgentCore(agent, input);
}

/** How long a provider session outlives its last turn (after that, the stored history is sent again). */
export function providerIdleSeconds(config: AgentConfig): number {
  if (config.providerSessionIdleSeconds !== undefined) return config.providerSessionIdleSeconds;
  if (config.agent.kind === 'inline') return config.agent.idleSessionTTLInSeconds ?? CLASSIC_IDLE_SECONDS;
  return config.agent.kind === 'bedrock-agent' ? CLASSIC_IDLE_SECONDS : DEFAULT_PROVIDER_IDLE_SECONDS;
}

/** Agents Classic keep a session 600 s after its last turn unless the agent says otherwise (idleSessionTTLInSeconds). */
export const CLASSIC_IDLE_SECONDS = 600;

export { DEFAULT_PROVIDER_IDLE_SECONDS, providerSessionId } from './provider-session';
/** Stops an AgentCore runtime session (./agentcore-runtime.ts); the client loads with the first call. */
export const stopRuntimeSession: typeof Runtime.stopRuntimeSession = async (...a) => (await runtime()).stopRuntimeSession(...a);
export type { ProviderInput, ProviderEvent, TokenUsage, ToolEvent } from './events';
export { utf8Stream, type Utf8Stream } from './utf8';
