/**
 * The agent kinds, one row each: the adapter that turns the kind's API into ProviderEvents, how long its provider
 * session outlives a turn, and how a cancelled answer stops the agent's own work. A kind without its row fails
 * `tsc`; its IAM is the row under the same key in lib/config/bedrock.ts (docs/architecture.md: a new kind).
 */
import type { AgentConfig } from 'pika-shared/types/chatbot/chatbot-types';
import type { ProviderEvent, ProviderInput } from './events';
import { DEFAULT_PROVIDER_IDLE_SECONDS } from './provider-session';

export type AgentRef = AgentConfig['agent'];
export type AgentKind = AgentRef['kind'];
export type AgentOf<K extends AgentKind> = Extract<AgentRef, { kind: K }>;

export interface Provider<K extends AgentKind> {
  /** The adapter; it and its SDK client load with the kind's first turn (a container serves the kinds its chat apps use). */
  load(): Promise<(agent: AgentOf<K>, input: ProviderInput) => AsyncIterable<ProviderEvent>>;
  /** How long the provider keeps a session after its last turn, in seconds (the agent's providerSessionIdleSeconds overrides it). */
  idleSeconds(agent: AgentOf<K>): number;
  /** Stops the agent's own work when a turn is cancelled, not only our read of it. */
  stop?(agent: AgentOf<K>, chatSessionId: string): Promise<unknown>;
}

/** Agents Classic keep a session 600 s after its last turn unless the agent says otherwise (idleSessionTTLInSeconds). */
export const CLASSIC_IDLE_SECONDS = 600;

export const PROVIDERS: { readonly [K in AgentKind]: Provider<K> } = {
  'bedrock-agent': {
    load: async () => (await import('./classic')).invokeClassic,
    idleSeconds: () => CLASSIC_IDLE_SECONDS,
  },
  inline: {
    load: async () => (await import('./classic')).invokeClassic,
    idleSeconds: (agent) => agent.idleSessionTTLInSeconds ?? CLASSIC_IDLE_SECONDS,
  },
  'agentcore-harness': {
    load: async () => (await import('./agentcore-harness')).invokeHarness,
    idleSeconds: () => DEFAULT_PROVIDER_IDLE_SECONDS,
  },
  // One kind, two server protocols: AGUI runtimes (RunAgentInput in, AG-UI events out) load their adapter on first use.
  'agentcore-runtime': {
    load: async () => {
      const { invokeAgentRuntime } = await import('./agentcore-runtime');
      return (agent, input) => (agent.protocol === 'AGUI' ? invokeAgUi(agent, input) : invokeAgentRuntime(agent, input));
    },
    idleSeconds: () => DEFAULT_PROVIDER_IDLE_SECONDS,
    stop: async (agent, chatSessionId) => (await import('./agentcore-runtime')).stopRuntimeSession(agent, chatSessionId),
  },
};

async function* invokeAgUi(agent: AgentOf<'agentcore-runtime'>, input: ProviderInput): AsyncGenerator<ProviderEvent> {
  yield* (await import('./agentcore-agui')).invokeAgUiRuntime(agent, input);
}

/** The row of an agent's kind, typed for that agent. */
const providerOf = <K extends AgentKind>(agent: AgentOf<K>) => PROVIDERS[agent.kind as K] as Provider<K>;

/** One stream contract whatever the kind: the agent's answer as ProviderEvents. */
export async function* invokeProvider(agent: AgentRef, input: ProviderInput): AsyncGenerator<ProviderEvent> {
  const invoke = await providerOf(agent).load();
  yield* invoke(agent, input);
}

/** Stops the agent's own work for a cancelled turn, where its kind can; false where it has no way to. */
export async function stopProvider(agent: AgentRef, chatSessionId: string): Promise<boolean> {
  const { stop } = providerOf(agent);
  if (!stop) return false;
  await stop(agent, chatSessionId);
  return true;
}

/** How long a provider session outlives its last turn (after that, the stored history is sent again). */
export function providerIdleSeconds(config: AgentConfig): number {
  return config.providerSessionIdleSeconds !== undefined ? config.providerSessionIdleSeconds : providerOf(config.agent).idleSeconds(config.agent);
}

export { DEFAULT_PROVIDER_IDLE_SECONDS, providerSessionId } from './provider-session';
export type { ProviderEvent, ProviderInput, TokenUsage, ToolEvent } from './events';
export { utf8Stream, type Utf8Stream } from './utf8';
